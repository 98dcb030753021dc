# python -m conformance.bridge install [--force]   npm ci the pinned runtimes
# python -m conformance.bridge where               where they are (or are not)
# python -m conformance.bridge bench [KIND ...]    per-call cost of the bridge
# python -m conformance.bridge expectations KIND REPORT.json
#     compare expectations/KIND.toml with a run made with --report-all
#     --conformance-report=REPORT.json: failures without an entry, entries
#     whose test now passes (each needs a look, and a reason naming the clause)

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from ._errors import BridgeError
from ._install import PACKAGES, binary, install, install_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.bridge", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    install_command = commands.add_parser("install", help="install the pinned Node, Bun and Deno (npm ci)")
    install_command.add_argument("--force", action="store_true", help="reinstall even if installed")
    commands.add_parser("where", help="print where the runtimes are installed")
    bench_command = commands.add_parser("bench", help="measure the cost of a call through the bridge")
    bench_command.add_argument("kinds", nargs="*", default=list(PACKAGES), help="runtimes (default: all)")
    bench_command.add_argument("-n", type=int, default=5000, help="calls per measurement")
    check_command = commands.add_parser("expectations", help="compare an expectations file with a --report-all run")
    check_command.add_argument("kind", choices=list(PACKAGES))
    check_command.add_argument("report", help="JSON written by pytest --impl=KIND --report-all --conformance-report=...")
    args = parser.parse_args(argv)
    if args.command == "expectations":
        return check_expectations(args.kind, args.report)
    if args.command == "bench":
        return bench(args.kinds, args.n)
    if args.command == "install":
        try:
            install(force=args.force)
        except BridgeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0
    print(install_dir())
    missing = 0
    for kind in PACKAGES:
        found = binary(kind)
        missing += found is None
        print(f"  {kind}: {found or 'not installed'}")
    return 1 if missing else 0


def bench(kinds: list[str], n: int) -> int:
    """Microseconds per round trip: a Python call into JS, and JS calling a Python listener."""
    from ._implementation import _factory

    for kind in kinds:
        impl = _factory(kind, None)
        started = time.perf_counter()
        runtime = impl.start()
        runtime.close()
        runtime = impl.start()  # a reused child, as most tests get
        startup = time.perf_counter() - started
        emitter = runtime.events.EventEmitter()
        emitter.on("tick", lambda: None)
        identity = runtime.evaluate("(value) => value")
        payload = {"local_address": "127.0.0.1", "port": 8124, "data": b"x" * 64, "list": list(range(8))}
        timings: dict[str, float] = {}
        calls: list[tuple[str, Callable[[], object]]] = [
            ("python -> js (listener_count)", lambda: emitter.listener_count("tick")),
            ("python -> js -> python (emit)", lambda: emitter.emit("tick")),
            ("python -> js, dict of 4 (identity)", lambda: identity(payload)),
        ]
        for label, call in calls:
            for _ in range(min(n, 200)):
                call()
            begin = time.perf_counter()
            for _ in range(n):
                call()
            timings[label] = (time.perf_counter() - begin) / n * 1e6
        runtime.close()
        print(f"{impl.name} {impl.version} (start, close, start again: {startup * 1e3:.1f} ms)")
        for label, micros in timings.items():
            print(f"  {label:38s} {micros:7.1f} us")
    return 0


def check_expectations(kind: str, report_path: str) -> int:
    import json
    from pathlib import Path

    from .._expectations import load_expected_failures
    from ._implementation import EXPECTATIONS

    listed: dict[str, str] = {}
    for name in (f"{kind}.toml", f"{kind}-wildcard.toml"):
        path = EXPECTATIONS / name
        if path.exists():
            listed.update({key: entry.reason for key, entry in load_expected_failures(path).items()})
    report = json.loads(Path(report_path).read_text("utf-8"))
    outcomes = {t["test"]: t for t in report["tests"] if t["implementation"] == kind}
    failing = {key for key, t in outcomes.items() if t["outcome"] in ("fail", "error")}
    missing = sorted(failing - set(listed))
    fixed = sorted(key for key in listed if key in outcomes and outcomes[key]["outcome"] == "pass")
    for key in missing:
        t = outcomes[key]
        lines = [line for line in (t["error"] or "").splitlines() if line.startswith("E ")]
        print(f"no entry   {key}  [{', '.join(t['clauses'])}]  {lines[0].strip() if lines else ''}"[:240])
    for key in fixed:
        print(f"now passes {key}  ({listed[key][:80]})")
    not_run = sorted(key for key in listed if key not in outcomes)
    if not_run:
        print(f"{len(not_run)} entries not in this report (skipped, or not collected): first {not_run[0]}")
    print(f"{kind}: {len(failing)} failing, {len(listed)} listed, {len(missing)} without an entry, {len(fixed)} fixed")
    return 1 if missing or fixed else 0


if __name__ == "__main__":
    sys.exit(main())
