"""The TypeScript client a front end would generate (issue 13): types from the committed
docs/openapi.json by openapi-typescript, requests by openapi-fetch (versions pinned in
clients/typescript/package-lock.json, installed by `make clients` with `npm ci`).

clients/typescript/walk.ts walks a buyer's order (place, answer the requirements, the seller
delivers, accept) and must compile with strict tsc against the generated types: a document change
that breaks a client (a renamed field, a lost response schema, a path that moved) fails here. It
then runs against the local run, so the types also match what the server answers."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.clients.conftest import DOCUMENT, ROOT, printed, run

CLIENT = ROOT / "clients" / "typescript"
GENERATED = CLIENT / "generated" / "api.ts"
BIN = CLIENT / "node_modules" / ".bin"


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{path} is missing: `make clients` installs the npm packages (npm ci)")
    return str(path)


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: `make clients` installs it")
    return node


@pytest.fixture(scope="module")
def generated_types() -> str:
    """generated/api.ts from the committed document, as package.json's `generate` script makes it.

    --default-non-nullable false: openapi-typescript otherwise makes every property with a default
    required, request bodies included (`from_draft`, `quantity`...), though the document lists
    them as optional; the document names what an answer always carries in `required`."""
    GENERATED.unlink(missing_ok=True)
    result = run([_node(), _tool("openapi-typescript"), str(DOCUMENT), "--default-non-nullable", "false",
                  "--output", str(GENERATED)], cwd=CLIENT)
    assert result.returncode == 0 and GENERATED.exists(), printed(result)
    return GENERATED.read_text()


@pytest.fixture(scope="module")
def compiled(generated_types) -> subprocess.CompletedProcess[str]:
    """walk.ts compiled by tsc with clients/typescript/tsconfig.json (strict, noUncheckedIndexedAccess,
    exactOptionalPropertyTypes...) into dist/. The emitted JavaScript is what the run test runs."""
    shutil.rmtree(CLIENT / "dist", ignore_errors=True)
    return run([_node(), _tool("tsc"), "-p", str(CLIENT), "--pretty", "false"], cwd=CLIENT)


def test_types_cover_every_operation(generated_types):
    import json

    document = json.loads(DOCUMENT.read_text())
    ids = {op["operationId"] for item in document["paths"].values() for op in item.values()
           if isinstance(op, dict) and "operationId" in op}
    missing = sorted(i for i in ids if f"\n    {i}: {{" not in generated_types)
    assert not missing, f"operations without a type in generated/api.ts: {missing}"


def test_walk_compiles_with_strict_tsc(compiled):
    assert compiled.returncode == 0, printed(compiled)
    assert compiled.stdout.strip() == "" and compiled.stderr.strip() == "", printed(compiled)


BAD_PROGRAM = """\
import createClient from "openapi-fetch";
import type { paths } from "./api.js";

const client = createClient<paths>({ baseUrl: "http://127.0.0.1:8000" });
const placed = await client.POST("/orders", { body: { gig_id: "gig_1", tier: "platinum" } });
console.log(placed.data?.no_such_field);
await client.POST("/orders/{order_id}/acceptance", { params: { path: {} } });
"""


def test_a_program_that_misuses_the_api_does_not_compile(generated_types, tmp_path):
    """The check can fail: an unknown tier, a field no order has and a missing path parameter are
    each a compile error against the same generated types and compiler settings."""
    program = GENERATED.with_name("misuse.ts")
    config = GENERATED.with_name("tsconfig.misuse.json")
    program.write_text(BAD_PROGRAM)
    config.write_text('{"extends": "../tsconfig.json", "compilerOptions": {"noEmit": true, "rootDir": "."},'
                      ' "include": ["misuse.ts", "api.ts"]}')
    try:
        result = run([_node(), _tool("tsc"), "-p", str(config), "--pretty", "false"], cwd=CLIENT)
    finally:
        program.unlink()
        config.unlink()
    assert result.returncode != 0, printed(result)
    lines = {int(line.split("(", 1)[1].split(",", 1)[0]) for line in result.stdout.splitlines()
             if line.startswith("generated/misuse.ts(")}
    assert lines == {5, 6, 7}, printed(result)


def test_walk_runs_against_the_local_run(compiled, base_url):
    """The compiled walk against `make run`'s server and demo data: alice buys dana's gig."""
    assert compiled.returncode == 0, "walk.ts does not compile (see the compile test)"
    tokens = {user: run([sys.executable, "-m", "local.tokens", user], cwd=ROOT).stdout.strip()
              for user in ("alice", "dana")}
    env = {**os.environ, "MARKETPLACE_URL": base_url, "BUYER_TOKEN": tokens["alice"], "SELLER_TOKEN": tokens["dana"]}
    result = run([_node(), str(CLIENT / "dist" / "walk.js")], cwd=CLIENT, env=env)
    assert result.returncode == 0, printed(result)
    steps = [line.split(":", 1)[0] for line in result.stdout.splitlines()]
    assert steps == ["gig", "placed", "requirements answered", "delivered", "accepted", "completed", "walk done"], \
        printed(result)
