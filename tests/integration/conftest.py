"""Integration tests: moto-backed AWS and the real Chalice app through chalice.test.Client."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from moto import mock_aws

import app as _app  # noqa: F401  (the deployed composition root installs its runtime first; each test installs its own)
from chalicelib.config import settings
from chalicelib.domain.clock import FixedClock, SystemClock
from chalicelib.domain.levels import SellerLevel
from chalicelib.root import build_runtime
from chalicelib.services import runtime
from chalicelib.services.payments import LocalPayments
from local.gateway import ProblemTestClient
from local.resources import create_all
from local.tokens import make_token, user_id_for

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

# username -> the clean gig image make_seller gave them (G8: publishing needs one).
GIG_IMAGES: dict[str, str] = {}


@pytest.fixture
def aws():
    GIG_IMAGES.clear()
    with mock_aws():
        create_all()
        yield


@pytest.fixture(autouse=True)
def test_runtime():
    """Each test gets the runtime the composition root builds, with LocalPayments (charges kept in
    memory, ``test_runtime.payments.charges``) and the system clock until ``clock`` fixes it."""
    with runtime.using(build_runtime(settings(), clock=SystemClock(), payments=LocalPayments())) as built:
        yield built


@pytest.fixture
def clock(test_runtime):
    fixed = FixedClock(START)
    previous = runtime.use_clock(fixed)
    yield fixed
    runtime.use_clock(previous)


PROBLEM_CODES_SEEN: set[str] = set()


@pytest.fixture(scope="session", autouse=True)
def problem_codes_are_documented():
    """Every problem code the suite received is in the document's enum (chalicelib/problem_codes.py
    reads them from the source; a code it missed fails here)."""
    yield
    from chalicelib.problem_codes import problem_codes

    missing = PROBLEM_CODES_SEEN - set(problem_codes())
    assert not missing, f"problem codes answered but not in the OpenAPI enum: {sorted(missing)}"


class Api:
    """Requests as a named user (or nobody), answers with parsed JSON bodies."""

    def __init__(self, client: ProblemTestClient) -> None:
        self._client = client

    def request(self, method: str, path: str, as_user: str | None = None, body=None, headers=None,
                groups: tuple[str, ...] = (), raw: bytes | str | None = None):
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if as_user:
            all_headers["Authorization"] = make_token(as_user, groups)
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = self._client.http.request(method, path, headers=all_headers, body=payload or b"")
        response.json = json.loads(response.body) if response.body else None
        if response.status_code >= 400 and isinstance(response.json, dict) and "code" in response.json:
            PROBLEM_CODES_SEEN.add(response.json["code"])
        return response

    def get(self, path, as_user=None, **kw):
        return self.request("GET", path, as_user, **kw)

    def post(self, path, as_user=None, body=None, **kw):
        return self.request("POST", path, as_user, body=body if body is not None else {}, **kw)

    def put(self, path, as_user=None, body=None, **kw):
        return self.request("PUT", path, as_user, body=body, **kw)

    def patch(self, path, as_user=None, body=None, **kw):
        return self.request("PATCH", path, as_user, body=body, **kw)

    def delete(self, path, as_user=None, **kw):
        return self.request("DELETE", path, as_user, **kw)

    def op(self, method, path, as_user, body=None):
        """As ``request`` for an operator."""
        return self.request(method, path, as_user, body=body, groups=("operators",))


@pytest.fixture
def api(aws, clock):
    from app import app

    with ProblemTestClient(app) as client:
        yield Api(client)


def uid(username: str) -> str:
    return user_id_for(username)


def set_level(username: str, level: SellerLevel) -> None:
    """A2: levels are evaluated by a later feature; the tests set one through the service."""
    from chalicelib.services import accounts

    accounts.set_seller_level(uid(username), level)


SELLER_PROFILE = {
    "display_name": "Dana Builds",
    "description": "Licensed contractor with 12 years of kitchen and bath remodels.",
    "photo": "file_demo_photo",
    "skills": ["kitchen remodel", "tiling"],
    "languages": [{"language": "English", "level": "native"}],
    "portfolio": [{"client": "Oak Street family", "description": "Full kitchen remodel in six weeks."}],
}


def seller_profile(username: str, clock) -> dict:
    """SELLER_PROFILE with a clean profile photo ``username`` uploaded (A1)."""
    from local.media_seed import seed_profile_photo

    return {**SELLER_PROFILE, "photo": seed_profile_photo(uid(username), clock)}


@pytest.fixture
def make_seller(api, clock):
    """Activates a seller with a clean profile photo of their own (A1) and gives them one clean gig
    image (generated PNGs, uploaded and put through the scan service), which
    ``gig_body(seller=...)`` puts in the gallery. The seller is Level 1 unless ``level`` says
    otherwise (A2; G9: Level 1 publishes without review, so most tests get live gigs at once; the
    review path, tests/integration/test_gig_approvals.py, makes new sellers)."""
    from local.media_seed import seed_gig_image

    def make(username: str, level: SellerLevel = SellerLevel.LEVEL_1) -> dict:
        response = api.put("/me/seller-profile", username, body=seller_profile(username, clock))
        assert response.status_code == 200, response.json
        set_level(username, level)
        if username not in GIG_IMAGES:
            GIG_IMAGES[username] = seed_gig_image(uid(username), clock)
        return api.get("/me", username).json

    return make


CATEGORY = {"name": "Renovation & Repairs", "subcategories": [
    {"slug": "kitchen-remodel", "name": "Kitchen remodel"},
    {"slug": "painting", "name": "Painting", "service_types": [{"slug": "interior", "name": "Interior"},
                                                              {"slug": "exterior", "name": "Exterior"}]},
]}


def usd(amount: int) -> dict:
    return {"amount": amount, "currency": "USD"}


def gig_body(seller: str = "dana", **overrides) -> dict:
    """A complete, publishable gig of ``seller`` as the API takes it (made by make_seller)."""
    body = {
        "title": "I will plan and manage your kitchen remodel",
        "category": "renovation",
        "subcategory": "kitchen-remodel",
        "tags": ["kitchen", "remodel"],
        "description": "From layout to the last tile: plans, quotes from trades and site visits.",
        "packages": [
            {"tier": "basic", "name": "Plan", "description": "Layout plan", "delivery_days": 5, "revisions": 1,
             "price": usd(10000)},
            {"tier": "standard", "name": "Plan and quotes", "description": "Plan plus trades", "delivery_days": 7,
             "revisions": 2, "price": usd(20000)},
            {"tier": "premium", "name": "Full management", "description": "Everything", "delivery_days": 10,
             "revisions": None, "price": usd(40000)},
        ],
        "extras": {"fast_delivery": [{"tier": "basic", "days": 2, "price": usd(3000)}],
                   "additional_revision": {"price": usd(1500), "added_days": 1},
                   "custom": [{"title": "3D rendering", "price": usd(5000), "added_days": 2}]},
        "faq": [{"question": "Do you travel?", "answer": "Within 50 miles."}],
        "requirements": [{"question": "Kitchen size?", "answer_type": "free_text", "mandatory": True}],
        "media": [GIG_IMAGES[seller]] if seller in GIG_IMAGES else [],
    }
    body.update(overrides)
    return body


@pytest.fixture
def catalogue(api):
    response = api.op("PUT", "/catalogue/categories/renovation", "olga", body=CATEGORY)
    assert response.status_code == 200, response.json
    return response.json


@pytest.fixture
def published_gig(api, catalogue, make_seller):
    """A published gig of seller dana."""
    make_seller("dana")
    created = api.post("/gigs", "dana", body=gig_body())
    assert created.status_code == 201, created.json
    published = api.post(f"/gigs/{created.json['id']}/publish", "dana")
    assert published.status_code == 200, published.json
    return published.json
