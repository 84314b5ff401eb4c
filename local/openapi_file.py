"""Writes (--write) or checks (--check) docs/openapi.json against the generated document."""
from __future__ import annotations

import json
import sys
from pathlib import Path

PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def render() -> str:
    import app  # noqa: F401  (registers every route)
    from chalicelib.openapi import build

    return json.dumps(build(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    text = render()
    if "--write" in sys.argv:
        PATH.write_text(text)
        print(f"wrote {PATH}")
    elif PATH.exists() and PATH.read_text() == text:
        print("docs/openapi.json is up to date")
    else:
        sys.exit("docs/openapi.json is stale: run `make openapi`")
