"""Property-based contract tests: schemathesis generates requests from the COMMITTED docs/openapi.json
(what clients are promised) and sends them to the locally served API; every answer must be no
server error and must match the document (status code, content type, body schema).

Every operation runs once per identity, so authenticated routes are exercised beyond the 401:
a buyer (alice), a seller who owns demo gigs (dana) and an operator (olga, for the operator-only
routes that answer everybody else 403). Path parameters are sometimes replaced by ids that exist
in the demo data, so the fuzzing reaches past the 404s into real gigs, sellers and categories."""
from __future__ import annotations

import itertools
import json
import os
import urllib.request
from pathlib import Path

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from local.tokens import make_token, user_id_for
from tests.contract.conftest import HUNG_AFTER

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"

# ~25 cases per operation and identity keep the suite within a few minutes on 2 cores; derandomized,
# so a failure reproduces run after run. To hunt for more, dig deeper and elsewhere:
# CONTRACT_MAX_EXAMPLES=200 CONTRACT_SEED=7 make contract.
MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "25"))
SEED = int(os.environ["CONTRACT_SEED"]) if os.environ.get("CONTRACT_SEED") else None

# username -> Cognito groups
IDENTITIES = {"alice": (), "dana": (), "olga": ("operators",)}
SELLERS = ("dana", "omar", "lior")

# The checks that hold for this API. Left out on purpose:
# - negative_data_rejection: it expects a 4xx for every schema-violating request, but the API's
#   pydantic models are lax by design: they coerce ("push": 0 is false, "5" is 5 in a query),
#   strip surrounding whitespace, and an empty body parses as {}. Those are accepted, not bugs
#   this suite is about.
# - positive_data_acceptance: schema-valid requests are rightly refused by rules the schema cannot
#   express: unknown or someone else's gig (404/403), state transitions (409), dates in the past,
#   an incomplete seller profile, slugs, the G rules and the 10-gig limit (422/409), cursors this
#   API never issued (400), an Idempotency-Key already used with another body (422).
# - unsupported_method / allow_header_conformance: they expect a 405 with Allow for undeclared
#   methods. Chalice local happens to give one; API Gateway answers a route_not_found 404
#   (chalicelib/gateway_responses.py). The document promises neither; the coverage phase still
#   sends those methods, and the checks below still apply to whatever comes back.
# - missing_required_header: no operation has a required header besides the token, which
#   ignored_auth covers.
# - use_after_free / ensure_resource_availability / object_level_authorization: stateful checks
#   that need OpenAPI links or several configured auth contexts; the document declares neither.
# - max_response_time: timing on a shared 2-core machine is noise, not contract.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    # Authenticated operations must refuse a request without (or with a bogus) token.
    ignored_auth,
]


# Ids from the demo data, filled by the `known_ids` fixture once the server runs (generation
# happens inside the test, after fixtures are set up).
KNOWN_IDS: dict[str, list[str]] = {}


def get_json(url: str, token: str | None = None):
    request = urllib.request.Request(url, headers={"Authorization": token} if token else {})
    with urllib.request.urlopen(request, timeout=HUNG_AFTER) as response:
        return json.loads(response.read())


@pytest.fixture(scope="session")
def known_ids(base_url) -> dict[str, list[str]]:
    """Ids that exist in the demo data, per path parameter name."""
    gig_ids: list[str] = [g["id"] for g in get_json(f"{base_url}/gigs?limit=100")["items"]]
    for seller in SELLERS:
        own = get_json(f"{base_url}/me/gigs?limit=100", make_token(seller))["items"]
        gig_ids += [g["id"] for g in own if g["id"] not in gig_ids]
    slugs = [c["slug"] for c in get_json(f"{base_url}/catalogue")["categories"]]
    assert gig_ids and slugs, "the demo data did not load"
    KNOWN_IDS.update(gig_id=sorted(gig_ids), seller_id=sorted(user_id_for(s) for s in SELLERS),
                     slug=sorted(slugs))
    return KNOWN_IDS


@pytest.fixture(params=list(IDENTITIES), scope="session")
def identity(request) -> str:
    return request.param


# The committed document, loaded at import time. (Not `schemathesis.pytest.from_fixture`: its lazy
# schema sets `Node._nodeid`, which pytest 9.2 no longer has. The base URL and token come per call.)
schema = schemathesis.openapi.from_path(DOCUMENT)
# The coverage phase also sends methods an operation does not declare. Only those API Gateway can
# route: TRACE and QUERY never reach the app (locally, Python's http.server answers them itself
# with an HTML 501, which says nothing about the API's contract).
schema.config.phases.coverage.unexpected_methods = {"get", "put", "post", "delete", "options", "patch"}


@schema.hook("flatmap_path_parameters")
def sometimes_existing(context, path_parameters):
    """Half of the time the generated values; otherwise ids that exist in the demo data."""
    existing = {name: KNOWN_IDS[name] for name in path_parameters or {} if KNOWN_IDS.get(name)}
    if not existing:
        return st.just(path_parameters)
    return st.one_of(st.just(path_parameters), st.fixed_dictionaries(
        {name: st.sampled_from(existing[name]) if name in existing else st.just(value)
         for name, value in path_parameters.items()}))


_FRESH = itertools.count(1)


@schema.hook("flatmap_headers")
def mostly_fresh_idempotency_keys(context, headers):
    """The generator draws Idempotency-Keys from a small space, so after a few requests nearly
    every idempotent POST would be a 422 idempotency_key_reused (the key already went with another
    body) and never reach the view. Half of the valid keys get a unique suffix; the rest stay as
    drawn, so replays, reuse and malformed keys are still exercised."""
    key = (headers or {}).get("Idempotency-Key")
    if not isinstance(key, str) or not key.isprintable() or not 1 <= len(key) <= 200:
        return st.just(headers)
    return st.sampled_from([False, True]).map(
        lambda fresh: {**headers, "Idempotency-Key": f"{key}~{next(_FRESH)}"} if fresh else headers)


@schema.parametrize()
@(seed(SEED) if SEED is not None else (lambda test: test))
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=SEED is None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.data_too_large])
def test_api_conforms_to_its_document(case, base_url, identity, known_ids):
    # Only ever the local server; every request carries the identity's token.
    token = make_token(identity, IDENTITIES[identity])
    case.call_and_validate(base_url=base_url, headers={"Authorization": token}, checks=CHECKS,
                           timeout=HUNG_AFTER)
