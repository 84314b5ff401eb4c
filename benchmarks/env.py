"""The environment every benchmark runs in: fake credentials and a region (as tests/conftest.py),
so nothing can reach real AWS, and no bytecode written into the repository."""
from __future__ import annotations

import os
import sys

from local.offline_env import SETTINGS as OFFLINE
from local.offline_env import UNSET, apply

SETTINGS = {**OFFLINE, "PYTHONDONTWRITEBYTECODE": "1"}


def configure() -> None:
    """Call before importing anything from the app."""
    sys.dont_write_bytecode = True
    apply()
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"


def child_environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(SETTINGS)
    env.update(extra)
    return env
