"""The composition root (chalicelib/root.py): one runtime, built by the root, with every kind
registered there and nowhere else; payments fail closed outside the local run and the tests."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.config import Settings
from chalicelib.domain.deadlines import DeadlineKind
from chalicelib.domain.errors import Unavailable
from chalicelib.root import build_runtime, registrations
from chalicelib.services import accounts, files, orders
from chalicelib.services.payments import LocalPayments, PaymentsUnavailable, port_for
from chalicelib.services.runtime import DuplicateRegistration, Registrations

PROJECT = Path(__file__).resolve().parents[2]


# -- one home per timer kind ---------------------------------------------------------------------
def test_every_deadline_kind_has_exactly_one_home():
    """``registrations()`` refuses a kind registered twice, so building it proves "at most once";
    the map's keys being every DeadlineKind proves "at least once"."""
    timers = registrations().timers
    assert sorted(timers) == sorted(DeadlineKind)
    assert timers[DeadlineKind.ORDER_AUTO_COMPLETE] is orders.fire_timer
    assert timers[DeadlineKind.AVAILABILITY_END] is accounts.fire_availability_deadline
    assert timers[DeadlineKind.FILE_SCAN] is files.fire_scan_deadline
    assert build_runtime(Settings()).timers == timers


def test_a_kind_registered_twice_is_refused():
    r = Registrations().timer(DeadlineKind.FILE_SCAN, files.fire_scan_deadline)
    with pytest.raises(DuplicateRegistration):
        r.timer(DeadlineKind.FILE_SCAN, files.fire_scan_deadline)
    r.thread_kind("conversation", lambda thread_id, user_id: True)
    with pytest.raises(DuplicateRegistration):
        r.stream_kind("conversation", lambda stream_id, user_id: True)


def test_a_thread_kind_is_a_stream_kind_files_attach_to():
    built = registrations()
    assert set(built.thread_kinds) == {"conversation", "order"}
    assert all(built.stream_kinds[kind] is check for kind, check in built.thread_kinds.items())


# -- nothing registered by importing -------------------------------------------------------------
IMPORT_EVERYTHING = """
import importlib, inspect, json, pkgutil, sys
import chalicelib.handlers, chalicelib.services
for package in (chalicelib.services, chalicelib.handlers):
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
from chalicelib.services import runtime
registries = sorted(  # module-level dicts holding functions: a registry filled at import
    f"{name}.{attr}" for name, module in sys.modules.items() if name.startswith("chalicelib.services")
    for attr, value in vars(module).items()
    if not attr.startswith("__") and isinstance(value, dict) and value
    and any(inspect.isroutine(v) for v in value.values()))
try:
    runtime.current()
    current = "installed"
except runtime.NoRuntime:
    current = "none"
print(json.dumps({"installed": runtime.installed() is not None, "current": current, "registries": registries}))
"""


def test_importing_the_services_and_handlers_registers_nothing():
    """In a fresh interpreter: every service and handler module imported, and yet no runtime is
    installed and no module holds a filled registry; only the root (app.py, local/run.py, the
    tests) installs one."""
    done = subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING], cwd=PROJECT, capture_output=True,
                          text=True, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"installed": False, "current": "none", "registries": []}


# -- payments fail closed outside the local run and the tests ------------------------------------
@pytest.mark.parametrize("stage", ["local", "test", "Local"])
def test_local_payments_are_for_the_local_run_and_the_tests(stage):
    assert isinstance(port_for("", stage), LocalPayments)
    assert isinstance(port_for("local", stage), LocalPayments)
    assert isinstance(build_runtime(Settings(stage=stage)).payments, LocalPayments)


@pytest.mark.parametrize("stage, provider", [("dev", ""), ("prod", ""), ("prod", "local"), ("dev", "stripe"),
                                             ("local", "nonsense")])
def test_a_deployed_stage_without_a_processor_fails_closed(stage, provider):
    port = build_runtime(Settings(stage=stage, payments=provider)).payments
    assert isinstance(port, PaymentsUnavailable)
    with pytest.raises(Unavailable) as refused:
        port.charge(order_id="ord_1", buyer_id="u_bob", amount=10000)
    assert refused.value.code == "payments_unavailable"
