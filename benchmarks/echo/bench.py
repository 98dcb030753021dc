"""Echo ping-pong: the reference against raw asyncio/uvloop Protocols and Node 24.

    python benchmarks/echo/bench.py [--runs 3] [--measure 3] [--node PATH]

Builds the C load generator (loadgen.c) with the machine's cc, then for each
message size (64 B, 4 KiB) and each run, starts every contender in turn
(interleaved, so drift in the machine hits all of them alike), pinned to core
0, and drives it from the load generator pinned to core 1: 50 connections,
one message in flight on each. Reports medians of the runs and the ratios the
issue asks for. Every server binds 127.0.0.1 port 0 and is stopped by the
harness; the load generator stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SERVERS = HERE / "servers"
CONNECTIONS = 50
SIZES = (64, 4096)


def build_loadgen(workdir: Path) -> Path:
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise SystemExit("a C compiler (cc or gcc) is needed to build the load generator")
    binary = workdir / "loadgen"
    subprocess.run([cc, "-O2", "-o", str(binary), str(HERE / "loadgen.c")], check=True)
    return binary


def find_node(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    try:
        from conformance.bridge._install import binary
    except ImportError:
        return os.environ.get("NODE24")
    found = binary("node")
    return str(found) if found is not None else os.environ.get("NODE24")


def contenders(node: str | None) -> dict[str, list[str]]:
    python = sys.executable
    found = {
        "raw asyncio Protocol": [python, str(SERVERS / "raw_protocol.py")],
        "raw asyncio Buffered": [python, str(SERVERS / "raw_protocol.py"), "--buffered"],
        "reference (asyncio)": [python, str(SERVERS / "reference_echo.py")],
        "raw uvloop Protocol": [python, str(SERVERS / "raw_protocol.py"), "--uvloop"],
        "reference (uvloop)": [python, str(SERVERS / "reference_echo.py"), "--uvloop"],
    }
    if node:
        found["Node 24 c.pipe(c)"] = [node, str(SERVERS / "node_echo.cjs")]
    return found


def pinned(core: int, argv: list[str]) -> list[str]:
    return ["taskset", "-c", str(core), *argv] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else argv


def measure(server: list[str], loadgen: Path, size: int, warmup: float, seconds: float) -> float:
    proc = subprocess.Popen(pinned(0, server), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.isdigit():
            raise RuntimeError(f"{server}: did not print its port: {line!r} {proc.stderr.read() if proc.stderr else ''}")
        result = subprocess.run(
            pinned(1, [str(loadgen), "127.0.0.1", line, str(CONNECTIONS), str(size), str(warmup), str(seconds)]),
            capture_output=True,
            text=True,
            timeout=warmup + seconds + 30,
        )
        if result.returncode != 0:
            raise RuntimeError(f"load generator failed against {server}: {result.stderr.strip()}")
        return float(json.loads(result.stdout)["rate"])
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--measure", type=float, default=3.0)
    parser.add_argument("--node", help="Node 24 binary (default: the one `python -m conformance.bridge install` installed, or $NODE24)")
    args = parser.parse_args()

    node = find_node(args.node)
    servers = contenders(node)
    with tempfile.TemporaryDirectory(prefix="nnc-echo-") as tmp:
        loadgen = build_loadgen(Path(tmp))
        rates: dict[tuple[int, str], list[float]] = {}
        for size in SIZES:
            for run in range(args.runs):
                # Interleave contenders; rotate the order each run.
                names = list(servers)
                names = names[run % len(names) :] + names[: run % len(names)]
                for name in names:
                    rate = measure(servers[name], loadgen, size, args.warmup, args.measure)
                    rates.setdefault((size, name), []).append(rate)
                    print(f"  {size:>5} B  run {run + 1}  {name:<24} {rate:>10.0f} msg/s", file=sys.stderr)
                    time.sleep(0.2)

    print(f"echo ping-pong, {CONNECTIONS} connections, medians of {args.runs} runs of {args.measure:g} s")
    print(f"{'contender':<24} " + " ".join(f"{str(size) + ' B msg/s':>14}" for size in SIZES))
    medians = {key: statistics.median(values) for key, values in rates.items()}
    for name in servers:
        print(f"{name:<24} " + " ".join(f"{medians[(size, name)]:>14.0f}" for size in SIZES))
    print()
    goals = [
        ("reference (asyncio)", "raw asyncio Protocol", 0.9),
        # Not the goal, the honest one: the baseline that reads the way the reference does.
        ("reference (asyncio)", "raw asyncio Buffered", 0.9),
        ("reference (uvloop)", "Node 24 c.pipe(c)", 1.0),
    ]
    for subject, baseline, goal in goals:
        if baseline not in servers:
            print(f"{subject} / {baseline}: skipped ({baseline} not available; pass --node)")
            continue
        for size in SIZES:
            ratio = medians[(size, subject)] / medians[(size, baseline)]
            verdict = "meets" if ratio >= goal else "MISSES"
            print(f"{subject} / {baseline} at {size} B: {ratio:.2f}x ({verdict} the goal of >= {goal}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
