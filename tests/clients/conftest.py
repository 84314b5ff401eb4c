"""What front-end developers build on: clients generated from the committed OpenAPI document
(TypeScript with openapi-typescript + openapi-fetch, Python with openapi-python-client), and the
docs page in a browser. `make clients` installs the npm packages and Chromium these need.

The local run (`python -m local.run`, as `make run` serves it) is the contract suite's fixture:
one process per session, on free ports of 127.0.0.1."""
from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from tests.contract.conftest import base_url, local_server  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "openapi.json"
# Nothing here is judged on speed; this only turns a hung tool into a failure instead of a stuck run.
HUNG_AFTER = 600


def run(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Runs a tool to its end; its exit status and everything it printed are the caller's to judge."""
    return subprocess.run(list(command), cwd=cwd, env=env, capture_output=True, text=True, timeout=HUNG_AFTER,
                          check=False)


def printed(result: subprocess.CompletedProcess[str]) -> str:
    return f"$ {' '.join(map(str, result.args))}\n(exit {result.returncode})\n{result.stdout}{result.stderr}"
