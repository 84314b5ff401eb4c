"""Tokens for local use: JWTs shaped like Cognito ID tokens. Chalice local (and the test client)
read the claims without checking the signature; in AWS only Cognito's own tokens pass."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import time
import uuid

DEV_SECRET = b"local-development-only"
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


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m local.tokens USERNAME [GROUP ...]")
    print(make_token(sys.argv[1], tuple(sys.argv[2:])))
