"""The runtime as a process: crashes, hangs, timeouts, leftovers, inherited descriptors, orphans.

Every test here bounds itself: short run() timeouts, and the bridge's own
grace period (3 s) for a child that does not answer.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from typing import Any

import pytest

from conformance.bridge import BridgeImplementation, BridgeRuntime, RuntimeCrashed


def _gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(")")[-1].split()[0] == "Z":
                    return True  # dead, waiting to be reaped by its parent
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_pid_is_the_child_and_close_ends_it(bridge_impl: BridgeImplementation) -> None:
    rt = bridge_impl.start()
    pid = rt.pid
    assert pid != os.getpid() and os.path.exists(f"/proc/{pid}")
    rt.events.EventEmitter.default_max_listeners = 11  # module state changed: not reusable
    assert rt.close() == []
    assert _gone(pid)


def test_a_child_left_as_it_started_serves_the_next_test_with_nothing_of_the_last(
    bridge_impl: BridgeImplementation,
) -> None:
    first = bridge_impl.start()
    emitter = first.events.EventEmitter()
    emitter.on("x", print)
    assert first.net is not None
    server = first.net.create_server()
    first.run(lambda: server.listen(0, "127.0.0.1", server.close), timeout=5)
    assert first.close() == []
    assert first._session.not_reused is None
    second = bridge_impl.start()
    try:
        assert second.pid == first.pid
        with pytest.raises(RuntimeError, match="closed"):
            emitter.emit("x")  # the last test's proxies do not reach the next test
        assert second.events.EventEmitter.default_max_listeners == 10
    finally:
        second.close()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("require('events').defaultMaxListeners = 3", "module state"),
        ("require('net').Server.prototype.extra = 1", "+extra"),
        ("globalThis.leftover = 1", "+leftover"),
        ("process.emitWarning('once per process', 'DeprecationWarning', 'DEP9999')", "warn"),
        ("process.nextTick(() => {})", None),
    ],
)
def test_a_child_that_changed_is_not_reused(bridge_impl: BridgeImplementation, change: str, reason: str | None) -> None:
    rt = bridge_impl.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rt.evaluate(change)
    rt.close()
    if reason is None:
        assert rt._session.not_reused is None
    else:
        assert rt._session.not_reused is not None and reason in rt._session.not_reused
        assert _gone(rt.pid)


def test_an_unrefd_timer_makes_a_child_unreusable(rt: BridgeRuntime) -> None:
    rt.set_timeout(print, 60_000).unref()
    assert rt.close() == ["Timeout(60000 ms) (unref'd)"]
    assert "Timeout" in (rt._session.not_reused or "")


def test_a_queued_callback_into_python_makes_a_child_unreusable(rt: BridgeRuntime) -> None:
    called: list[int] = []
    rt.next_tick(called.append, 1)
    rt.close()
    assert called == [] and "queues were not empty" in (rt._session.not_reused or "")


def test_a_crash_fails_with_the_runtimes_stderr_and_the_next_runtime_is_fresh(
    bridge_impl: BridgeImplementation,
) -> None:
    rt = bridge_impl.start()
    try:
        rt.evaluate("setTimeout(() => { process.stderr.write('crash-marker\\n'); process.exit(7); }, 1)")
        with pytest.raises(RuntimeCrashed) as info:
            rt.run(lambda: None, timeout=5)
        assert "crash-marker" in info.value.stderr and "status 7" in str(info.value)
        with pytest.raises(RuntimeCrashed):
            rt.events.EventEmitter()
    finally:
        assert rt.close() == []
    fresh = bridge_impl.start()
    try:
        assert fresh.pid != rt.pid
        assert fresh.events.EventEmitter().emit("x") is False
    finally:
        fresh.close()


def test_a_crash_inside_a_synchronous_call_is_reported(rt: BridgeRuntime) -> None:
    with pytest.raises(RuntimeCrashed) as info:
        rt.evaluate("(process.stderr.write('sync-marker\\n'), process.exit(3))")
    assert "sync-marker" in info.value.stderr


def test_a_timeout_names_what_is_alive(rt: BridgeRuntime) -> None:
    assert rt.net is not None
    server = rt.net.create_server()
    started = time.monotonic()
    with pytest.raises(TimeoutError) as info:
        rt.run(lambda: (server.listen(0, "127.0.0.1"), rt.set_timeout(lambda: None, 60_000)), timeout=0.5)
    assert time.monotonic() - started < 5
    message = str(info.value)
    assert "Server(127.0.0.1:" in message and "Timeout(60000 ms)" in message
    alive = rt.close()
    assert any(item.startswith("Server(127.0.0.1:") for item in alive)


def test_a_runtime_stuck_in_javascript_is_killed_after_the_grace_period(rt: BridgeRuntime) -> None:
    started = time.monotonic()
    rt.evaluate("setTimeout(() => { for (;;) {} }, 1)")
    with pytest.raises(TimeoutError, match="stuck in JavaScript"):
        rt.run(lambda: None, timeout=0.5)
    assert time.monotonic() - started < 10
    assert _gone(rt.pid)


def test_run_may_be_called_again_after_a_timeout(rt: BridgeRuntime) -> None:
    timer = rt.set_timeout(lambda: None, 60_000)
    with pytest.raises(TimeoutError):
        rt.run(lambda: None, timeout=0.3)
    fired: list[int] = []

    def main() -> None:
        rt.clear_timeout(timer)
        rt.set_timeout(lambda: fired.append(1), 1)

    rt.run(main, timeout=5)
    assert fired == [1]
    assert rt.close() == []


def test_close_reports_unrefd_servers_too(rt: BridgeRuntime) -> None:
    assert rt.net is not None
    server = rt.net.create_server()
    rt.run(lambda: server.listen(0, "127.0.0.1", server.unref), timeout=5)
    alive = rt.close()
    assert len(alive) == 1 and alive[0].startswith("Server(127.0.0.1:"), alive


def test_an_inherited_descriptor_can_be_listened_on(bridge_impl: BridgeImplementation) -> None:
    if "net-fd" not in bridge_impl.features:
        pytest.skip(f"{bridge_impl.name} does not declare net-fd")
    rt = bridge_impl.start()
    try:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            sock.listen()
            port = sock.getsockname()[1]
            fd = rt.inherit_fd(sock)
        assert os.path.exists(f"/proc/{rt.pid}/fd/{fd}")
        assert rt.net is not None
        def on_connection(conn: Any) -> None:
            conn.end(b"hi")
            server.close()

        server = rt.net.create_server(on_connection)
        got: list[bytes] = []

        def connect() -> None:
            # In a thread: the runtime must be free to accept while we wait.
            with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
                got.append(client.recv(10))

        client = threading.Thread(target=connect)
        rt.run(lambda: server.listen({"fd": fd}, client.start), timeout=5)
        client.join(5)
        assert got == [b"hi"]
    finally:
        assert rt.close() == []


def test_inherit_fd_after_use(bridge_impl: BridgeImplementation, rt: BridgeRuntime) -> None:
    pid = rt.pid
    rt.events.EventEmitter()
    with socket.socket() as sock:
        if bridge_impl.name != "deno":
            with pytest.raises(RuntimeError, match="before"):
                rt.inherit_fd(sock)  # a new child would be needed, and this one was used
            return
        fd = rt.inherit_fd(sock)  # Deno takes it itself (pidfd_getfd): same process
        inode = os.fstat(sock.fileno()).st_ino
    assert rt.pid == pid and os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]"


_ORPHAN_SCRIPT = """
import sys, time
from conformance.bridge import {factory}
rt = {factory}().start()
rt.evaluate("1")
if sys.argv[1] == "loop":
    server = rt.net.create_server()
    def main():
        server.listen(0, "127.0.0.1", lambda: print(rt.pid, flush=True))
    rt.run(main, timeout=60)
else:
    print(rt.pid, flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("phase", ["serving", "loop"])
def test_no_child_outlives_a_killed_parent(bridge_impl: BridgeImplementation, phase: str) -> None:
    factory = f"{bridge_impl.name}_implementation"
    script = textwrap.dedent(_ORPHAN_SCRIPT.format(factory=factory))
    parent = subprocess.Popen([sys.executable, "-c", script, phase], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert os.path.exists(f"/proc/{child}")
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        if parent.stdout is not None:
            parent.stdout.close()
    assert _gone(child, within=5), f"runtime {child} outlived its parent ({phase})"
