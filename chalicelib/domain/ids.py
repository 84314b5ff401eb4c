"""Random, non-sequential identifiers (never guessable from one another)."""
from __future__ import annotations

import secrets

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def new_id(prefix: str) -> str:
    """``gig_4k7q...``: a prefix that says what it is plus 20 random base32 chars (100 bits)."""
    return prefix + "_" + "".join(secrets.choice(_ALPHABET) for _ in range(20))
