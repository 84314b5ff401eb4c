"""Tokens for local use: JWTs shaped like Cognito ID tokens. Chalice local (and the test client)
read the claims without checking the signature; in AWS only Cognito's own tokens pass.

``python -m local.tokens USERNAME [GROUP ...]`` (``make token USER=...``): a demo user named
without groups gets the groups the demo gives them (olga is an operator)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import time
import uuid

from chalicelib.handlers.identity import OPERATORS_GROUP

DEV_SECRET = b"local-development-only"
# The demo's operators (local/demo.py seeds them; `make run` prints their tokens).
DEMO_OPERATORS = ("olga",)
_NAMESPACE = uuid.UUID("6b1f8f8e-5c3b-4f0e-9d51-0d7c3a2f4e11")


def user_id_for(username: str) -> str:
    """A stable Cognito-like ``sub`` per demo username."""
    return str(uuid.uuid5(_NAMESPACE, username))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def make_token(username: str, groups: tuple[str, ...] = (), sub: str | None = None, hours: int = 12) -> str:
    now = int(time.time())
    claims = {
        "sub": sub or user_id_for(username),
        "cognito:username": username,
        "email": f"{username}@example.test",
        "token_use": "id",
        "iat": now,
        "exp": now + hours * 3600,
    }
    if groups:
        claims["cognito:groups"] = list(groups)
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    sig = _b64(hmac.new(DEV_SECRET, f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{sig}"


def demo_groups(username: str) -> tuple[str, ...]:
    """The groups a demo user has in the demo: operators for the demo operators, none otherwise."""
    return (OPERATORS_GROUP,) if username in DEMO_OPERATORS else ()


def main(argv: list[str]) -> str:
    if not argv:
        sys.exit("usage: python -m local.tokens USERNAME [GROUP ...]")
    username, groups = argv[0], tuple(argv[1:])
    return make_token(username, groups or demo_groups(username))


if __name__ == "__main__":
    print(main(sys.argv[1:]))
