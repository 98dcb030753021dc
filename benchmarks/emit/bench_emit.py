"""emit() cost: the reference EventEmitter against pyee and a bare loop.

    python benchmarks/emit/bench_emit.py [--repeat 21] [--target 0.05] [--listener noop|count] [--cpu N]

For 1 and for 10 listeners on one event, three contenders call the same
listener functions with one argument (a 64-byte payload, as a 'data' event
would carry):

  * bare loop: ``for listener in listeners: listener(payload)``, the floor;
  * reference: ``reference.events.EventEmitter().emit("data", payload)``;
  * pyee:      ``pyee.EventEmitter().emit("data", payload)``;
  * minimal:   an emitter with none of the semantics, whose whole emit is
               ``for listener in self.events[name]: listener(*args)``. It is
               not a goal, it shows the floor: what any Python method
               ``emit(name, *args)`` costs before it does anything Node asks.

Each timing runs a contender's emit in a tight loop (the bound method is
looked up once, for both emitters alike) with the garbage collector off, as
timeit does. The contenders are interleaved within every repetition, in a
rotating order, so drift on a shared machine hits all of them alike. The
report gives the median per-emit time of each contender, and each ratio as
the median of the ratios taken within one repetition (paired, so a burst of
load from elsewhere cancels out instead of landing on one contender). Before timing, a counting pass checks
that every contender calls every listener exactly once per emit.

``--listener noop`` (the default) times listeners that do nothing, so the
ratios are pure dispatch overhead, the hardest case; ``--listener count``
gives each listener one attribute increment of work.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Run from a checkout without installing: the repository root holds `reference`.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pyee  # noqa: E402

from reference import events  # noqa: E402

PAYLOAD = b"x" * 64
EVENT = "data"
GOAL_VS_BARE = 1.5
GOAL_VS_PYEE = 0.5


class Counter:
    def __init__(self) -> None:
        self.calls = 0


def noop_listener() -> Callable[[bytes], None]:
    def listener(payload: bytes) -> None:
        pass

    return listener


def counting_listener(counter: Counter) -> Callable[[bytes], None]:
    def listener(payload: bytes) -> None:
        counter.calls += 1

    return listener


def make_listeners(count: int, kind: str) -> tuple[list[Callable[[bytes], None]], list[Counter]]:
    # A distinct function object per listener, as distinct handlers would be.
    counters = [Counter() for _ in range(count)]
    if kind == "noop":
        return [noop_listener() for _ in counters], counters
    return [counting_listener(counter) for counter in counters], counters


def bare_runner(listeners: list[Callable[[bytes], None]]) -> Callable[[int], None]:
    def run(loops: int) -> None:
        payload = PAYLOAD
        for _ in range(loops):
            for listener in listeners:
                listener(payload)

    return run


def emitter_runner(emit: Callable[..., bool]) -> Callable[[int], None]:
    def run(loops: int) -> None:
        payload = PAYLOAD
        for _ in range(loops):
            emit(EVENT, payload)

    return run


class MinimalEmitter:
    """The floor: a method call with ``*args``, one lookup, one loop; no semantics at all."""

    def __init__(self, listeners: list[Callable[[bytes], None]]) -> None:
        self.events = {EVENT: tuple(listeners)}

    def emit(self, name: str, *args: bytes) -> bool:
        for listener in self.events[name]:
            listener(*args)
        return True


def contenders(listeners: list[Callable[[bytes], None]]) -> dict[str, Callable[[int], None]]:
    reference = events.EventEmitter()
    other = pyee.EventEmitter()
    for listener in listeners:
        reference.on(EVENT, listener)
        other.on(EVENT, listener)
    return {
        "bare loop": bare_runner(listeners),
        "reference": emitter_runner(reference.emit),
        "pyee": emitter_runner(other.emit),
        "minimal": emitter_runner(MinimalEmitter(listeners).emit),
    }


def check_calls(count: int) -> None:
    listeners, counters = make_listeners(count, "count")
    for name, run in contenders(listeners).items():
        for counter in counters:
            counter.calls = 0
        run(3)
        calls = [counter.calls for counter in counters]
        if calls != [3] * count:
            raise SystemExit(f"{name} with {count} listener(s) called them {calls} times for 3 emits")


def timed(run: Callable[[int], None], loops: int) -> float:
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        run(loops)
        return (time.perf_counter_ns() - start) / loops
    finally:
        if gc_was_enabled:
            gc.enable()


def calibrate(run: Callable[[int], None], target: float) -> int:
    loops = 1000
    while True:
        start = time.perf_counter()
        run(loops)
        elapsed = time.perf_counter() - start
        if elapsed >= target / 4:
            return max(1000, int(loops * target / elapsed))
        loops *= 4


def measure(count: int, kind: str, repeat: int, target: float) -> dict[str, list[float]]:
    listeners, _ = make_listeners(count, kind)
    runs = contenders(listeners)
    # The slowest contender sets the loop count, so each timing is about `target` seconds long at most.
    loops = min(calibrate(run, target) for run in runs.values())
    for run in runs.values():
        run(loops // 10)  # warm up
    samples: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for rep in range(repeat):
        rotation = names[rep % len(names) :] + names[: rep % len(names)]
        for name in rotation:
            samples[name].append(timed(runs[name], loops))
    return samples


def paired_ratio(samples: dict[str, list[float]], numerator: str, denominator: str) -> float:
    return statistics.median(a / b for a, b in zip(samples[numerator], samples[denominator], strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=21, help="repetitions; the report gives medians (default 21)")
    parser.add_argument("--target", type=float, default=0.05, help="seconds per timing (default 0.05)")
    parser.add_argument("--listener", choices=["noop", "count"], default="noop", help="listener body (default noop)")
    parser.add_argument("--cpu", type=int, default=None, help="pin the process to this CPU")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})

    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"pyee {pyee_version()}, listener={args.listener}, {args.repeat} repetitions, "
        f"~{args.target:g} s per timing{'' if args.cpu is None else f', pinned to CPU {args.cpu}'}"
    )
    print()
    header = (
        f"{'listeners':>9}  {'bare loop':>10}  {'reference':>10}  {'pyee':>10}  {'minimal':>10}  "
        f"{'ref/bare':>8}  {'pyee/bare':>9}  {'ref/pyee':>8}  {'min/bare':>8}"
    )
    print(header)
    print("-" * len(header))
    verdicts = []
    for count in (1, 10):
        check_calls(count)
        samples = measure(count, args.listener, args.repeat, args.target)
        bare, ref, other, floor = (
            statistics.median(samples[name]) for name in ("bare loop", "reference", "pyee", "minimal")
        )
        ref_bare = paired_ratio(samples, "reference", "bare loop")
        pyee_bare = paired_ratio(samples, "pyee", "bare loop")
        ref_pyee = paired_ratio(samples, "reference", "pyee")
        floor_bare = paired_ratio(samples, "minimal", "bare loop")
        print(
            f"{count:>9}  {bare:>8.0f}ns  {ref:>8.0f}ns  {other:>8.0f}ns  {floor:>8.0f}ns  "
            f"{ref_bare:>7.2f}x  {pyee_bare:>8.2f}x  {ref_pyee:>7.2f}x  {floor_bare:>7.2f}x"
        )
        verdicts.append(
            f"{count:>2} listener(s): reference/bare {ref_bare:.2f} "
            f"({'meets' if ref_bare <= GOAL_VS_BARE else 'misses'} <= {GOAL_VS_BARE}), "
            f"reference/pyee {ref_pyee:.2f} "
            f"({'meets' if ref_pyee < GOAL_VS_PYEE else 'misses'} < {GOAL_VS_PYEE})"
        )
    print()
    print("per-emit medians; goals: reference at most 1.5x the bare loop and under half of pyee;")
    print("'minimal' is the floor of any emit(name, *args) method, not a contender")
    for verdict in verdicts:
        print(verdict)


def pyee_version() -> str:
    from importlib.metadata import version

    return version("pyee")


if __name__ == "__main__":
    main()
