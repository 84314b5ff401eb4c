"""The live channel's pure parts: the frame is the feed entry; connections lapse with API Gateway's
two hours; and $connect's token check (handlers/tokens.py): Cognito ID tokens verified against the
pool's keys (signed here with a key made in the test), local tokens read as Chalice local reads them."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from chalicelib.domain.live import CONNECTION_TTL, Connection, frame
from chalicelib.domain.notifications import Notification
from chalicelib.handlers.tokens import CognitoVerifier, InvalidToken, issuer_of, unverified_claims
from local.tokens import make_token

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
POOL_ARN = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC"
ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC"


def test_the_frame_is_the_unread_feed_entry() -> None:
    entry = Notification(id="evt_1", user_id="u1", kind="order.placed", summary="New order", stream="order:o1", at=NOW,
                         event="order.place", target_kind="order", target_id="o1")
    assert frame(entry) == {"type": "notification", "notification": {
        "id": "evt_1", "kind": "order.placed", "event": "order.place", "summary": "New order", "stream": "order:o1",
        "link": {"kind": "order", "id": "o1", "path": "/orders/o1"},
        "at": "2026-12-02T09:00:00.000000Z", "read_at": None, "read": False}}


def test_a_connection_lives_as_long_as_api_gateway_keeps_it() -> None:
    connection = Connection.open("c1", "u1", NOW)
    assert connection.expires_at == NOW + CONNECTION_TTL == NOW + timedelta(hours=2)
    assert connection.is_open(NOW + CONNECTION_TTL - timedelta(seconds=1))
    assert not connection.is_open(NOW + CONNECTION_TTL)


def test_the_issuer_comes_from_the_pool_arn() -> None:
    assert issuer_of(POOL_ARN) == ISSUER
    with pytest.raises(ValueError):
        issuer_of("arn:aws:s3:::bucket")


class Pool:
    """A user pool's signing keys and JWKS, as Cognito publishes them."""

    def __init__(self) -> None:
        self.keys = [RSAKey.generate_key(2048, parameters={"kid": "k1"})]
        self.fetches = 0

    def jwks(self, url: str) -> dict:
        assert url == f"{ISSUER}/.well-known/jwks.json"
        self.fetches += 1
        return {"keys": [k.as_dict(private=False) for k in self.keys]}

    def token(self, key: RSAKey | None = None, **overrides) -> str:
        key = key or self.keys[0]
        claims = {"sub": "u-1", "cognito:username": "dana", "iss": ISSUER, "token_use": "id",
                  "exp": int(time.time()) + 3600, "iat": int(time.time()), **overrides}
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def test_a_cognito_id_token_is_verified() -> None:
    pool = Pool()
    verifier = CognitoVerifier(ISSUER, fetch=pool.jwks)
    claims = verifier.claims(pool.token(), time.time())
    assert claims["sub"] == "u-1" and claims["cognito:username"] == "dana"
    verifier.claims(pool.token(), time.time())
    assert pool.fetches == 1  # the keys are fetched once per container


@pytest.mark.parametrize("overrides", [
    {"iss": "https://cognito-idp.eu-west-1.amazonaws.com/another"},
    {"token_use": "access"},
    {"exp": 1},
    {"sub": None},
])
def test_a_token_that_is_not_this_pools_id_token_is_refused(overrides: dict) -> None:
    pool = Pool()
    claims = {k: v for k, v in overrides.items() if v is not None}
    token = pool.token(**claims) if "sub" not in overrides else _without_sub(pool)
    with pytest.raises(InvalidToken):
        CognitoVerifier(ISSUER, fetch=pool.jwks).claims(token, time.time())


def _without_sub(pool: Pool) -> str:
    key = pool.keys[0]
    claims = {"iss": ISSUER, "token_use": "id", "exp": int(time.time()) + 3600}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def test_a_forged_signature_is_refused() -> None:
    pool = Pool()
    forger = RSAKey.generate_key(2048, parameters={"kid": "k1"})  # same key id, another key
    with pytest.raises(InvalidToken):
        CognitoVerifier(ISSUER, fetch=pool.jwks).claims(pool.token(key=forger), time.time())
    with pytest.raises(InvalidToken):
        CognitoVerifier(ISSUER, fetch=pool.jwks).claims(make_token("dana"), time.time())  # HS256, local


def test_rotated_keys_are_fetched_again() -> None:
    pool = Pool()
    verifier = CognitoVerifier(ISSUER, fetch=pool.jwks)
    verifier.claims(pool.token(), time.time())
    pool.keys.append(RSAKey.generate_key(2048, parameters={"kid": "k2"}))
    assert verifier.claims(pool.token(key=pool.keys[1]), time.time())["sub"] == "u-1"
    assert pool.fetches == 2


def test_local_tokens_are_read_without_a_signature_but_must_not_be_expired() -> None:
    assert unverified_claims(make_token("dana"), time.time())["cognito:username"] == "dana"
    with pytest.raises(InvalidToken):
        unverified_claims(make_token("dana", hours=-1), time.time())
    for junk in ("", "abc", "a.b.c", "a.bm90anNvbg.c"):
        with pytest.raises(InvalidToken):
            unverified_claims(junk, time.time())
