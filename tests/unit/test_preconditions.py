"""If-Match as the services see it (HTTP conventions, RFC 9110 §13.1.1)."""
from __future__ import annotations

import pytest

from chalicelib.domain.errors import PreconditionFailed, PreconditionRequired
from chalicelib.domain.preconditions import IfMatch, etag


def test_parsing_keeps_only_strong_tags_this_api_issues():
    assert IfMatch.parse(None).versions is None
    assert IfMatch.parse("  ").versions is None
    assert IfMatch.parse("*").any
    assert IfMatch.parse('"3", "7"').versions == {3, 7}
    assert IfMatch.parse('W/"3"').versions == frozenset()  # weak: never matches
    assert IfMatch.parse('"banana", 3, ""').versions == frozenset()
    assert IfMatch.parse(etag(12)).versions == {12}


def test_a_named_version_must_be_current():
    IfMatch.parse('"4"').check(4)
    with pytest.raises(PreconditionFailed):
        IfMatch.parse('"3"').check(4)
    with pytest.raises(PreconditionFailed):  # nothing there yet
        IfMatch.parse('"3"').check(None)
    with pytest.raises(PreconditionFailed):
        IfMatch.parse("*").check(None)
    IfMatch.parse("*").check(9)


def test_a_required_precondition_is_missing_only_over_something_written():
    IfMatch.parse(None, required=True).check(None)  # a first write
    IfMatch.parse(None).check(5)  # optional
    with pytest.raises(PreconditionRequired):
        IfMatch.parse(None, required=True).check(5)
    IfMatch.parse(None, required=True).check(5, replaces=False)  # the item exists, the resource does not
    with pytest.raises(PreconditionRequired):
        IfMatch.parse(None, required=True).check(None, replaces=True)
