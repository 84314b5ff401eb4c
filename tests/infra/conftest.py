"""One synthesis of the stack per test session (packaging the Chalice app is the slow part)."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
INFRA_DIR = REPO_ROOT / "infra"
STAGE = "prod"  # the stage real users get: what these tests prove holds there
ALLOWED_ORIGINS = ["https://app.example.com", "http://localhost:3000"]

# jsii prints a banner on every start under Node 20; it is noise in test output.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


def load_file(name: str, path: Path) -> ModuleType:
    """Import a module by path: ``tests/infra`` is itself importable as ``infra`` under pytest's
    rootdir-relative imports, so ``import infra.stacks...`` cannot be relied on."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class Synth:
    stack: Any
    template: Any  # aws_cdk.assertions.Template
    json: dict[str, Any]
    path: Path  # the synthesized template, written for cfn-lint
    module: ModuleType  # infra/stacks/marketplace.py
    stage: str = STAGE
    allowed_origins: list[str] | None = None

    def resources(self, type_: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.json["Resources"].items() if v["Type"] == type_}

    def logical_id(self, construct: Any) -> str:
        return self.stack.get_logical_id(construct.node.default_child)


@pytest.fixture(scope="session")
def stack_module() -> ModuleType:
    return load_file("marketplace_infra_stack", INFRA_DIR / "stacks" / "marketplace.py")


@pytest.fixture(scope="session")
def gateway_responses() -> ModuleType:
    return load_file(
        "marketplace_gateway_responses", REPO_ROOT / "chalicelib" / "gateway_responses.py"
    )


@pytest.fixture(scope="session")
def synth(stack_module: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Synth:
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    workdir = tmp_path_factory.mktemp("infra-synth")
    app = cdk.App(outdir=str(workdir / "cdk.out"), context={"allowed_origins": ALLOWED_ORIGINS})
    stack = stack_module.MarketplaceStack(app, STAGE, source_dir=str(REPO_ROOT))
    template = Template.from_stack(stack)
    as_json = template.to_json()
    path = workdir / "template.json"
    path.write_text(json.dumps(as_json, indent=1))
    return Synth(
        stack=stack,
        template=template,
        json=as_json,
        path=path,
        module=stack_module,
        allowed_origins=ALLOWED_ORIGINS,
    )


STUB_APP = '''
import os
from chalice import Chalice, CognitoUserPoolAuthorizer, Rate

app = Chalice(app_name="marketplace")
users = CognitoUserPoolAuthorizer(
    "StubUsers", provider_arns=[os.environ.get("USER_POOL_ARN", "{placeholder}")]
)


@app.route("/me", authorizer=users)
def me():
    return {{}}


@app.schedule(Rate(1, unit=Rate.MINUTES))
def sweep(event):
    return None


@app.on_sqs_message(queue={queue})
def scan(event):
    return None
'''


@pytest.fixture(scope="session")
def synth_stub(
    stack_module: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], dict[str, Any]]:
    """Synthesize the stack around a tiny stand-in app (no dependencies, so no download) that
    has what app.py may not have yet: an SQS consumer. ``queue`` is the Python expression the
    stand-in passes to ``on_sqs_message``. Returns the template."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    def build(queue: str) -> dict[str, Any]:
        source = tmp_path_factory.mktemp("stub-app")
        (source / ".chalice").mkdir()
        (source / ".chalice" / "config.json").write_text(
            json.dumps({"version": "2.0", "app_name": "marketplace", "stages": {}})
        )
        (source / "requirements.txt").write_text("")
        (source / "chalicelib").mkdir()
        shutil.copy(REPO_ROOT / "chalicelib" / "gateway_responses.py", source / "chalicelib")
        (source / "app.py").write_text(
            STUB_APP.format(queue=queue, placeholder="arn:aws:cognito-idp:us-east-1:0:userpool/x")
        )
        app = cdk.App(outdir=str(source / "cdk.out"))
        stack = stack_module.MarketplaceStack(app, STAGE, source_dir=str(source))
        return Template.from_stack(stack).to_json()

    return build
