# python -m conformance.bridge install [--force]   npm ci the pinned runtimes
# python -m conformance.bridge where               where they are (or are not)
# python -m conformance.bridge bench [KIND ...]    per-call cost of the bridge
#
# The expected-failure files (expectations/KIND.toml) are kept in step with
# the suite by the kit's own command:
#     python -m conformance.expectations REPORT.json --impl KIND -o expectations/KIND.toml --check

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
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
