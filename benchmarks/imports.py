"""Figure 2: import time of app.py beside a bare Chalice + boto3 app (benchmarks/bare_app.py).

Each sample is a fresh interpreter that times only the import (time.perf_counter around
__import__, printed by the child), so interpreter start-up is excluded. Two modes:

* cached bytecode: a private PYTHONPYCACHEPREFIX (a temporary directory) is filled by a warm-up
  run first, so every module loads from .pyc -- the steady cost of what is imported;
* project from source: no prefix and PYTHONDONTWRITEBYTECODE=1 (how `make` runs, and the
  repository keeps no __pycache__): installed packages load their .pyc from the venv, the
  project's own modules are compiled on every start.

Nothing is written into the repository."""
from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from benchmarks import env
from benchmarks.report import heading, line, ms, progress, table

ROOT = Path(__file__).resolve().parent.parent
SECTION = "imports"
TARGETS = {"app.py": "app", "bare (benchmarks/bare_app.py)": "benchmarks.bare_app"}
# __import__ takes the C import path, which -X importtime reports (importlib.import_module does not
# report the top module itself).
CHILD = ("import time\n"
         "t = time.perf_counter()\n"
         "__import__({module!r})\n"
         "print(time.perf_counter() - t)\n")


def _child(module: str, extra_env: dict[str, str], *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *flags, "-c", CHILD.format(module=module)], cwd=ROOT,
                          env=env.child_environment(**extra_env), capture_output=True, text=True, check=True)


_IMPORTTIME = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S.*)$")


def _importtime(module: str, extra_env: dict[str, str]) -> list[tuple[str, int, int, int]]:
    """(module, self us, cumulative us, depth) from ``python -X importtime``."""
    stderr = _child(module, extra_env, "-X", "importtime").stderr
    rows = []
    for text in stderr.splitlines():
        m = _IMPORTTIME.match(text)
        if m:
            rows.append((m.group(4).strip(), int(m.group(1)), int(m.group(2)), (len(m.group(3)) - 1) // 2))
    return rows


def run(runs: int) -> dict:
    results: dict[str, dict[str, list[float]]] = defaultdict(dict)
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as cache:
        modes = {
            "cached bytecode": {"PYTHONPYCACHEPREFIX": cache, "PYTHONDONTWRITEBYTECODE": ""},
            "project from source": {"PYTHONDONTWRITEBYTECODE": "1"},
        }
        for module in TARGETS.values():  # fills the private cache
            _child(module, modes["cached bytecode"])
        progress(SECTION, f"bytecode cache warmed in {cache}")
        for mode, extra in modes.items():
            for label in TARGETS:
                results[mode][label] = []
            for _ in range(runs):  # the two apps alternate, so drift hits both alike
                for label, module in TARGETS.items():
                    results[mode][label].append(float(_child(module, extra).stdout.strip().splitlines()[-1]))
            progress(SECTION, f"{mode}: {runs} runs each, medians "
                     + ", ".join(f"{label.split()[0]} {ms(statistics.median(v))} ms"
                                 for label, v in results[mode].items()))
        progress(SECTION, "python -X importtime -c 'import app'")
        app_rows = _importtime("app", modes["cached bytecode"])
        bare_rows = _importtime("benchmarks.bare_app", modes["cached bytecode"])
    _print(runs, results, app_rows, bare_rows)
    return {"results": results}


def _top_level_self(rows) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for name, self_us, _, _ in rows:
        totals[name.split(".")[0]] += self_us
    return totals


def _print(runs, results, app_rows, bare_rows) -> None:
    heading(f"2. Import time: app.py vs a bare Chalice + boto3 app (median of {runs} fresh processes each)")
    line("Measured inside each child around the import only (interpreter start-up excluded).")
    line()
    rows = []
    for mode, by_target in results.items():
        app = statistics.median(by_target["app.py"])
        bare = statistics.median(by_target["bare (benchmarks/bare_app.py)"])
        rows.append([mode, ms(app), ms(bare), f"{app / bare:.2f}x", ms(app - bare),
                     f"{ms(min(by_target['app.py']))}-{ms(max(by_target['app.py']))}",
                     f"{ms(min(by_target['bare (benchmarks/bare_app.py)']))}-"
                     f"{ms(max(by_target['bare (benchmarks/bare_app.py)']))}"])
    table(["MODE", "APP MS", "BARE MS", "APP/BARE", "EXTRA MS", "APP RANGE", "BARE RANGE"], rows,
          right=(1, 2, 3, 4))

    line()
    line("python -X importtime -c 'import app' (cached bytecode): the 10 largest cumulative times")
    top = sorted(app_rows, key=lambda r: -r[2])[:10]
    table(["MODULE", "CUMULATIVE MS", "SELF MS", "DEPTH"],
          [[name, f"{cum / 1000:.1f}", f"{self_us / 1000:.1f}", depth] for name, self_us, cum, depth in top],
          right=(1, 2, 3))

    line()
    line("Self time summed by top-level package, app.py beside the bare app (12 largest for app.py):")
    app_pkg, bare_pkg = _top_level_self(app_rows), _top_level_self(bare_rows)
    rows = []
    for pkg, us in sorted(app_pkg.items(), key=lambda kv: -kv[1])[:12]:
        rows.append([pkg, f"{us / 1000:.1f}", f"{bare_pkg.get(pkg, 0) / 1000:.1f}",
                     sum(1 for r in app_rows if r[0].split(".")[0] == pkg)])
    table(["PACKAGE", "APP SELF MS", "BARE SELF MS", "MODULES (APP)"], rows, right=(1, 2, 3))
    line(f"Modules imported: app {len(app_rows)}, bare {len(bare_rows)} "
         f"(-X importtime totals: app {sum(r[1] for r in app_rows) / 1000:.0f} ms, "
         f"bare {sum(r[1] for r in bare_rows) / 1000:.0f} ms; importtime adds its own overhead).")
