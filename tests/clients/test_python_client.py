"""The Python client openapi-python-client generates from the committed docs/openapi.json drops no
operation (issue 13: two models of one name once made it skip `POST /orders/{id}/progress-updates`
and `/revision-requests`).

The generator says what it skipped only in what it prints ("Warning(s) encountered while
generating. Client was generated, but some pieces may be missing" and a reason per endpoint), and
exits 0 all the same: the output is read, and every operationId of the document must have its
module, sending that operation's method to that operation's path. The package must import, and its
functions answer from the local run.

openapi-python-client is pinned in requirements-dev.txt: its version ranges fit this venv's pins,
and the generated code imports httpx and attrs, which it brings; a second venv would need them too."""
from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from openapi_python_client.strings import snake_case

from tests.clients.conftest import DOCUMENT, printed, run

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "marketplace_api_client"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
METHOD = re.compile(r'"method": "(\w+)"')
URL = re.compile(r'"url": f?"([^"]+)"')


def generate(document: Path, into: Path) -> tuple[Path, str]:
    """Generates the client package into ``into``/PACKAGE; returns it and what the generator printed
    (its exit status is checked here: it fails only when it generated nothing)."""
    # Its post-generation hooks run `ruff` from PATH: this venv's (pinned) one.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    package = into / PACKAGE
    result = run([str(GENERATOR), "generate", "--path", str(document), "--output-path", str(package),
                  "--meta", "none"], cwd=into, env=env)
    assert result.returncode == 0, printed(result)
    return package, result.stdout + result.stderr


def complaints(output: str) -> list[str]:
    """Everything the generator printed besides its one line of progress: a clean run prints only
    `Generating <path>`; warnings, skipped endpoints and failed hooks are all other lines."""
    return [line for line in output.splitlines() if line.strip() and not line.startswith("Generating ")]


def documented(document: dict) -> dict[str, tuple[str, str]]:
    """operationId (as the generator names its module) -> (method, path with its parameters blanked)."""
    return {snake_case(op["operationId"]): (method, re.sub(r"{[^}]*}", "{}", path))
            for path, item in document["paths"].items() for method, op in item.items() if method in HTTP_METHODS}


def generated(package: Path) -> dict[str, tuple[str, str]]:
    """Module name -> (method, path) for every endpoint module under api/, read from its source."""
    found = {}
    for module in sorted((package / "api").rglob("*.py")):
        if module.name == "__init__.py":
            continue
        source = module.read_text()
        method, url = METHOD.search(source), URL.search(source)
        assert method and url, f"{module}: no method or url in _get_kwargs"
        found[module.stem] = (method.group(1), re.sub(r"{[^}]*}", "{}", url.group(1)))
    return found


def dropped(document: dict, package: Path) -> list[str]:
    expected, actual = documented(document), generated(package)
    return sorted(f"{name}: {method.upper()} {path}" for name, (method, path) in expected.items()
                  if actual.get(name) != (method, path))


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> tuple[Path, str]:
    return generate(DOCUMENT, tmp_path_factory.mktemp("python-client"))


@pytest.fixture(scope="module")
def imported(client) -> Iterator[object]:
    package, _ = client
    sys.path.insert(0, str(package.parent))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(package.parent))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_generator_prints_no_warning(client):
    _, output = client
    assert complaints(output) == [], output


def test_every_operation_has_its_function(client):
    package, _ = client
    document = json.loads(DOCUMENT.read_text())
    assert dropped(document, package) == []
    assert len(generated(package)) == len(documented(document))


def test_generated_package_imports(imported):
    modules = list(pkgutil.walk_packages(imported.__path__, f"{PACKAGE}."))  # type: ignore[attr-defined]
    endpoints = 0
    for info in modules:
        module = importlib.import_module(info.name)
        if ".api." in info.name and not info.ispkg:
            endpoints += 1
            assert all(callable(getattr(module, f, None)) for f in ("sync", "sync_detailed", "asyncio")), info.name
    assert endpoints == len(documented(json.loads(DOCUMENT.read_text())))


def test_generated_functions_answer_from_the_local_run(imported, base_url):
    """Two calls through the generated client: the public health check, and alice's orders."""
    from local.tokens import make_token

    health = importlib.import_module(f"{PACKAGE}.api.meta.health")
    list_orders = importlib.import_module(f"{PACKAGE}.api.orders.list_orders")
    public = imported.Client(base_url=base_url)  # type: ignore[attr-defined]
    assert health.sync(client=public).status == "ok"
    alice = imported.AuthenticatedClient(base_url=base_url, token=make_token("alice"), prefix="")  # type: ignore[attr-defined]
    page = list_orders.sync(client=alice)
    assert page is not None and len(page.items) >= 2, page  # the demo's two orders from dana


BROKEN = {
    "openapi": "3.1.0",
    "info": {"title": "Broken", "version": "1"},
    "paths": {
        "/things": {"get": {"operationId": "list_things", "responses": {"200": {
            "description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}}}}},
        "/things/{thing_id}": {"post": {
            "operationId": "change_thing",
            "parameters": [{"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Missing"}}}},
            "responses": {"200": {"description": "ok"}}}},
    },
    "components": {"schemas": {}},
}


def test_a_dropped_operation_is_caught(tmp_path):
    """The checks can fail: an operation the generator cannot build (its body names a schema that
    does not exist) is skipped with exit status 0; both its warning and its missing module show."""
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(BROKEN))
    package, output = generate(path, tmp_path)
    assert "WARNING parsing POST /things/{thing_id} within default. Endpoint will not be generated." \
        in complaints(output), output
    assert dropped(BROKEN, package) == ["change_thing: POST /things/{}"]
