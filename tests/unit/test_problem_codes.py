"""The problem codes the document enumerates are read from the source (issue 13: enums)."""
from __future__ import annotations

import ast

from chalicelib.problem_codes import _scan, problem_codes


def scan(source: str) -> set[str]:
    return _scan(ast.parse(source))


def test_codes_given_to_errors_and_the_http_layer_are_found():
    assert scan('raise Conflict("x", code="request_open", rule="O12")') == {"request_open"}
    assert scan('raise HttpProblem(413, "body_too_large", "too big")') == {"body_too_large"}
    assert scan('return problem_response(500, "internal_error", "oops")') == {"internal_error"}
    assert scan('class Gone(DomainError):\n    code = "gone"') == {"gone"}


def test_a_party_only_code_is_expanded_and_field_codes_are_another_vocabulary():
    assert scan('raise Forbidden("x", code=f"{rule.actor.value}_only")') == {"buyer_only", "seller_only"}
    assert scan('FieldError("price", "too high", code="out_of_range")') == set()
    assert scan('raise Conflict("x", code=dynamic)') == set()
    assert scan('raise Conflict("x", code="a" if c else ("b" if d else "c"))') == {"a", "b", "c"}


def test_the_whole_package_yields_the_codes_clients_meet_first():
    codes = set(problem_codes())
    assert {"validation_failed", "not_found", "unauthenticated", "operators_only", "route_not_found",
            "temporarily_unavailable", "invalid_cursor", "request_open"} <= codes
    assert "out_of_range" not in codes
