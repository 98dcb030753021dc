"""Shared by the reference's net tests: a fresh Process on each loop, checked
for leaks from outside (the kit's own /proc probe) when the test ends."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from conformance.probes import open_sockets
from reference._process import Process, set_current_process


@pytest.fixture(params=["asyncio", "uvloop"])
def process(request: pytest.FixtureRequest) -> Iterator[Process]:
    """A fresh reference process on each loop; it must end with nothing open."""
    factory = None
    if request.param == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        factory = uvloop.new_event_loop
    proc = Process(factory)
    before = set(open_sockets(os.getpid()))  # after the loop made its own self-pipe
    previous = set_current_process(proc)
    try:
        yield proc
        leaked = set(open_sockets(os.getpid())) - before
        alive = proc.close()
        assert not alive, f"still alive: {alive}"
        assert not leaked, f"socket descriptors left open: {leaked}"
    finally:
        proc.close()
        set_current_process(previous)
