"""The suite's wall time: the reference against Node 24 through the bridge.

    python benchmarks/suite/bench.py [--runs 3] [--impl reference --impl node] [-- PYTEST ARGS]

Runs the whole conformance suite once per implementation per run, serially
(no xdist, so the number is the cost of one implementation, not of the
machine's cores), interleaving the implementations and rotating their order,
and reports the median wall time of each and its ratio to the first. Goal of
issue 4: Node through the bridge within 3x of the reference.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time


def run_suite(impl: str, extra: list[str]) -> tuple[float, str]:
    with tempfile.TemporaryDirectory(prefix="nnc-suite-bench-") as cwd:
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", f"--impl={impl}", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *extra],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        elapsed = time.perf_counter() - start
    summary = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
    if result.returncode != 0:
        raise SystemExit(f"the suite failed on {impl}: {summary}\n{result.stdout[-3000:]}")
    return elapsed, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--impl", action="append", help="implementations (default: reference, node)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args()
    impls = args.impl or ["reference", "node"]

    times: dict[str, list[float]] = {impl: [] for impl in impls}
    summaries: dict[str, str] = {}
    for run in range(args.runs):
        order = impls[run % len(impls) :] + impls[: run % len(impls)]
        for impl in order:
            elapsed, summaries[impl] = run_suite(impl, args.pytest_args)
            times[impl].append(elapsed)
            print(f"  run {run + 1}  {impl:<12} {elapsed:7.1f} s  {summaries[impl]}", file=sys.stderr)

    base = statistics.median(times[impls[0]])
    print(f"conformance suite wall time, serial, median of {args.runs} runs")
    for impl in impls:
        median = statistics.median(times[impl])
        print(f"{impl:<12} {median:7.1f} s  {median / base:5.2f}x  ({summaries[impl]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
