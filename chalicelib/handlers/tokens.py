"""Who opens a WebSocket. REST routes get their caller from API Gateway's Cognito authorizer
(identity.py); a WebSocket API has no Cognito authorizer, so ``$connect`` checks the same Cognito
ID token itself: signature against the user pool's published keys (JWKS, fetched once per container
and again for a key id it does not know), issuer, ``token_use`` and expiry (against the real time:
the test clock never extends a token). In the local run and the tests (stages ``local`` and ``test``)
the claims are read without a signature check, exactly as Chalice's local server does for REST
routes; any other stage verifies."""
from __future__ import annotations

import base64
import json
import time
import urllib.request
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from chalicelib.config import settings
from chalicelib.handlers.identity import Identity, identity_from_claims
from chalicelib.services.payments import LOCAL_STAGES

JwksFetcher = Callable[[str], dict[str, Any]]


class InvalidToken(ValueError):
    pass


def issuer_of(user_pool_arn: str) -> str:
    """``arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>`` → the pool's token issuer."""
    parts = user_pool_arn.split(":")
    if len(parts) != 6 or not parts[5].startswith("userpool/"):
        raise ValueError(f"not a user pool ARN: {user_pool_arn!r}")
    return f"https://cognito-idp.{parts[3]}.amazonaws.com/{parts[5].removeprefix('userpool/')}"


def _fetch_jwks(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - an https URL we build
        return json.loads(response.read())


class CognitoVerifier:
    def __init__(self, issuer: str, fetch: JwksFetcher = _fetch_jwks) -> None:
        self.issuer = issuer
        self._fetch = fetch
        self._keys: Any = None

    def _key_set(self, refresh: bool = False) -> Any:
        from joserfc.jwk import KeySet

        if self._keys is None or refresh:
            self._keys = KeySet.import_key_set(self._fetch(f"{self.issuer}/.well-known/jwks.json"))  # type: ignore[arg-type]
        return self._keys

    def claims(self, token: str, now: float) -> dict[str, Any]:
        from joserfc import jwt
        from joserfc.errors import InvalidKeyIdError, JoseError

        try:
            try:
                decoded = jwt.decode(token, self._key_set(), algorithms=["RS256"])
            except InvalidKeyIdError:  # a key id the cached set lacks: Cognito rotated its keys
                decoded = jwt.decode(token, self._key_set(refresh=True), algorithms=["RS256"])
            registry = jwt.JWTClaimsRegistry(now=int(now), iss={"essential": True, "value": self.issuer},
                                             token_use={"essential": True, "value": "id"},
                                             exp={"essential": True}, sub={"essential": True})
            registry.validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise InvalidToken(str(error) or type(error).__name__) from None
        return dict(decoded.claims)


def unverified_claims(token: str, now: float) -> dict[str, Any]:
    """The local run's and the tests' tokens (local/tokens.py): claims read, signature not checked."""
    try:
        body = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (IndexError, ValueError) as error:
        raise InvalidToken("malformed token") from error
    if not isinstance(claims, dict) or not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= now:
        raise InvalidToken("expired or without an expiry")
    return claims


@lru_cache(maxsize=1)
def _verifier() -> CognitoVerifier:
    return CognitoVerifier(issuer_of(settings().user_pool_arn))


def identity_from_token(token: str, now: Callable[[], float] = time.time) -> Identity:
    """The caller a bearer token names, or InvalidToken."""
    token = token.removeprefix("Bearer ").strip()
    if not token:
        raise InvalidToken("no token")
    if settings().stage.strip().lower() in LOCAL_STAGES:
        claims = unverified_claims(token, now())
    else:
        claims = _verifier().claims(token, now())
    identity = identity_from_claims(claims)
    if identity is None:
        raise InvalidToken("the token names no user")
    return identity
