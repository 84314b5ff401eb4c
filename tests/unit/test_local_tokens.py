"""`make token`: quick (no ClamAV: a token needs Python only) and right for the demo's users
(olga, the demo operator, gets the operators group without being told)."""
from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from chalicelib.handlers.identity import OPERATORS_GROUP
from local.demo import OPERATORS
from local.tokens import DEMO_OPERATORS, main

ROOT = Path(__file__).resolve().parents[2]


def _claims(token: str) -> dict:
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_a_demo_operator_gets_the_operators_group():
    assert "olga" in DEMO_OPERATORS and OPERATORS == list(DEMO_OPERATORS)
    assert _claims(main(["olga"]))["cognito:groups"] == [OPERATORS_GROUP]


def test_other_users_get_no_group_and_named_groups_win():
    assert "cognito:groups" not in _claims(main(["alice"]))
    assert _claims(main(["olga", "sellers"]))["cognito:groups"] == ["sellers"]
    assert _claims(main(["alice", OPERATORS_GROUP]))["cognito:groups"] == [OPERATORS_GROUP]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_make_token_does_not_install_clamav():
    """A dry run (-n: nothing is executed) lists what `make token` would run."""
    plan = subprocess.run(["make", "-n", "-C", str(ROOT), "token", "USER=olga"], capture_output=True,
                          text=True, check=True).stdout
    assert "-m local.tokens olga" in plan
    assert "clamav" not in plan.lower() and "apt-get" not in plan
