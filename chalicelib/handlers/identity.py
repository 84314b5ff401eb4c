"""Who is calling. In AWS, API Gateway's Cognito authorizer has verified the token and passes its
claims in the request context; the app reads the user id and groups from there and nowhere else.
(Locally Chalice decodes the JWT without checking its signature, so authorization decisions live
in the app and are tested with crafted identities.)"""
from __future__ import annotations

from dataclasses import dataclass, field

OPERATORS_GROUP = "operators"


@dataclass(frozen=True)
class Identity:
    user_id: str
    username: str
    email: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_operator(self) -> bool:
        return OPERATORS_GROUP in self.groups


def _parse_groups(raw) -> frozenset[str]:
    # API Gateway hands list claims over as text, e.g. "[operators sellers]" or "operators,x".
    if raw is None:
        return frozenset()
    if isinstance(raw, (list, tuple)):
        return frozenset(str(g) for g in raw)
    text = str(raw).strip().strip("[]")
    return frozenset(part for part in text.replace(",", " ").split() if part)


def identity_from_context(context: dict | None) -> Identity | None:
    return identity_from_claims(((context or {}).get("authorizer") or {}).get("claims") or {})


def identity_from_claims(claims: dict) -> Identity | None:
    """The caller a (verified) token's claims name: the authorizer's, or tokens.py's for WebSockets."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        return None
    username = claims.get("cognito:username") or claims.get("username") or sub
    return Identity(user_id=sub, username=str(username), email=claims.get("email"),
                    groups=_parse_groups(claims.get("cognito:groups")))
