"""`make bench`: python -m benchmarks.run [--only routes imports sweeper scan orders order_sweep buyer_requests
milestones contact_details standing] [--runs N]
[--sellers N --due N] [--live N N --order-due N]

Prints a report (stdout) and progress lines (stderr) as it goes. Asserts nothing about time."""
from __future__ import annotations

import argparse
import platform
import sys
import time

from benchmarks import env

env.configure()  # before anything from the app is imported

from benchmarks import calls  # noqa: E402
from benchmarks.report import heading, line, progress  # noqa: E402

SECTIONS = ("routes", "imports", "sweeper", "scan", "orders", "order_sweep", "buyer_requests", "milestones",
            "contact_details", "standing")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per import measurement")
    parser.add_argument("--sellers", type=int, default=200, help="sellers with availability periods (sweeper)")
    parser.add_argument("--due", type=int, default=20, help="of which have a deadline due (sweeper)")
    parser.add_argument("--live", type=int, nargs="+", default=[1_000, 50_000],
                        help="live orders in the table, one sweep per size (order_sweep)")
    parser.add_argument("--order-due", type=int, default=100, help="of which are due (order_sweep)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    # Before the app creates any botocore client, so every client gets the counting hook.
    calls.install()
    heading("Marketplace API benchmarks")
    line(f"python {platform.python_version()} on {platform.platform()}; sections: {', '.join(args.only)}")
    for name in args.only:
        progress("bench", f"section {name} starting")
        t = time.perf_counter()
        if name == "routes":
            from benchmarks import routes
            routes.run()
        elif name == "imports":
            from benchmarks import imports
            imports.run(args.runs)
        elif name == "sweeper":
            from benchmarks import sweep
            sweep.run(args.sellers, args.due)
        elif name == "scan":
            from benchmarks import scan
            scan.run()
        elif name == "orders":
            from benchmarks import order_routes
            order_routes.run()
        elif name == "buyer_requests":
            from benchmarks import request_routes
            request_routes.run()
        elif name == "order_sweep":
            from benchmarks import order_sweep
            order_sweep.run(args.live, args.order_due)
        elif name == "milestones":
            from benchmarks import milestone_routes
            milestone_routes.run()
        elif name == "contact_details":
            from benchmarks import contact_details
            contact_details.run()
        elif name == "standing":
            from benchmarks import standing
            standing.run()
        progress("bench", f"section {name} done in {time.perf_counter() - t:.1f}s")
    line()
    line(f"Total bench time: {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
