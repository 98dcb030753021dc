# Per-socket settings of an accepted socket (CLAUSES.md section K): the idle
# timeout (K170), Nagle (K230) and TCP keep-alive (K231).
#
# What set_no_delay/set_keep_alive did is asked of the kernel, on the
# runtime's own descriptor of the connection (the `kernel` probe), never of
# the implementation.
# Node: doc/api/net.md socket.setTimeout, socket.timeout, Event 'timeout',
# socket.setNoDelay, socket.setKeepAlive; lib/net.js.

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import Connect, KernelSocket, KernelView, PlainClient

from ._net_helpers import Log, accept_one, port_of

if TYPE_CHECKING:
    from nodeapi.net import NetModule, Server, Socket

pytestmark = pytest.mark.requires("net")



# ------------------------------------------------------------------- K170


@pytest.mark.clause("K170")
def test_set_timeout_emits_timeout_after_idling_and_leaves_the_socket_open(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    log: Log = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        log.append(("timeout before", sock.timeout))
        returned = sock.set_timeout(100, lambda: log.append(("callback", None)))
        log.append(("set_timeout returned the socket", returned is sock))
        log.append(("timeout after", sock.timeout))

        def later() -> None:
            log.append(("50 ms later", (sock.destroyed, sock.ready_state)))
            sock.destroy()

        def on_timeout() -> None:
            log.append(("timeout", (sock.destroyed, sock.ready_state)))
            runtime.set_timeout(later, 50)

        sock.on("timeout", on_timeout)

    accept_one(net, runtime, connect, on_connection).wait()
    assert log == [
        ("timeout before", None),
        ("set_timeout returned the socket", True),
        ("timeout after", 100),
        ("callback", None),  # the callback is a once('timeout') listener, added first
        ("timeout", (False, "open")),
        ("50 ms later", (False, "open")),
    ]


@pytest.mark.clause("K170")
def test_set_timeout_zero_disables_it(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    log: Log = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        sock.on("timeout", lambda: log.append(("timeout", None)))
        sock.set_timeout(100)
        sock.set_timeout(0)
        log.append(("timeout", sock.timeout))
        runtime.set_timeout(sock.destroy, 300)

    accept_one(net, runtime, connect, on_connection).wait()
    assert log == [("timeout", 0)]


@pytest.mark.clause("K170")
def test_received_data_restarts_the_idle_timer(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    # Five bytes 100 ms apart against a 500 ms timeout: 'timeout' comes only
    # after the last of them (generous margins: the machine may be busy).
    log: list[str] = []
    armed = threading.Event()

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        sock.set_timeout(500)
        sock.on("data", lambda chunk: log.append("data"))

        def on_timeout() -> None:
            log.append("timeout")
            sock.destroy()

        sock.on("timeout", on_timeout)
        armed.set()

    def steps(client: PlainClient) -> None:
        client.call("wait", lambda raw: armed.wait(5))
        for _ in range(5):
            client.sleep(0.1).send(b"x")
        client.read_until_eof().close()

    started = time.monotonic()
    accept_one(net, runtime, connect, on_connection, steps).wait()
    assert log == ["data"] * 5 + ["timeout"]
    assert time.monotonic() - started >= 0.5 + 0.4  # idle only after the last byte


# ---------------------------------------------------------- K230, K231


def option_values(
    net: NetModule,
    runtime: Runtime,
    connect: Connect,
    kernel: KernelView,
    configure: Callable[[Socket], list[bool]],
    options: list[tuple[str, int, int]],
) -> tuple[list[bool], dict[str, int]]:
    """Run ``configure`` on an accepted TCP socket (it returns whether each
    call returned the socket), then read ``options`` (name, level, option) of
    that connection from the kernel."""
    returned: list[bool] = []
    values: dict[str, int] = {}

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        returned.extend(configure(sock))
        conn = accepted_in_kernel(kernel, port_of(server), client)
        for name, level, option in options:
            value = kernel.getsockopt(conn, level, option)
            assert isinstance(value, int)
            values[name] = value
        sock.destroy()

    accept_one(net, runtime, connect, on_connection).wait()
    return returned, values


def accepted_in_kernel(kernel: KernelView, server_port: int, client: PlainClient) -> KernelSocket:
    client.wait_connected()
    deadline = time.monotonic() + 2
    while client.transcript.local_port is None and time.monotonic() < deadline:
        time.sleep(0.001)  # the probe thread notes its port just after connecting
    assert client.transcript.local_port is not None
    return kernel.connection(local_port=server_port, remote_port=client.transcript.local_port)


NODELAY = ("TCP_NODELAY", socket.IPPROTO_TCP, socket.TCP_NODELAY)
KEEPALIVE = ("SO_KEEPALIVE", socket.SOL_SOCKET, socket.SO_KEEPALIVE)


@pytest.mark.clause("K230")
@pytest.mark.parametrize(
    ("calls", "expected"),
    [([()], 1), ([(True,)], 1), ([(True,), (False,)], 0), ([(False,)], 0)],
    ids=["no_argument", "true", "true_then_false", "false"],
)
def test_set_no_delay_sets_tcp_nodelay(
    net: NetModule, runtime: Runtime, connect: Connect, kernel: KernelView, calls: list[tuple[bool, ...]], expected: int
) -> None:
    def configure(sock: Socket) -> list[bool]:
        return [(sock.set_no_delay(*args) is sock) for args in calls]

    returned, values = option_values(net, runtime, connect, kernel, configure, [NODELAY])
    assert returned == [True] * len(calls)
    assert bool(values["TCP_NODELAY"]) == bool(expected)


def keepalive_options() -> list[tuple[str, int, int]]:
    if not all(hasattr(socket, name) for name in ("TCP_KEEPIDLE", "TCP_KEEPCNT", "TCP_KEEPINTVL")):
        pytest.skip("this platform has no TCP_KEEPIDLE/TCP_KEEPCNT/TCP_KEEPINTVL")
    return [
        KEEPALIVE,
        ("TCP_KEEPIDLE", socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
        ("TCP_KEEPCNT", socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
        ("TCP_KEEPINTVL", socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
    ]


def system_keepalive_idle() -> int:
    with socket.socket() as fresh:
        return int(fresh.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE))


@pytest.mark.clause("K231")
def test_set_keep_alive_with_a_delay_sets_the_probe_timing(
    net: NetModule, runtime: Runtime, connect: Connect, kernel: KernelView
) -> None:
    # net.md: enabling sets SO_KEEPALIVE=1, TCP_KEEPIDLE=initialDelay,
    # TCP_KEEPCNT=10, TCP_KEEPINTVL=1 (the delay in ms, the option in seconds).
    options = keepalive_options()
    returned, values = option_values(
        net, runtime, connect, kernel, lambda sock: [sock.set_keep_alive(True, 5000) is sock], options
    )
    assert returned == [True]
    assert values == {"SO_KEEPALIVE": 1, "TCP_KEEPIDLE": 5, "TCP_KEEPCNT": 10, "TCP_KEEPINTVL": 1}


@pytest.mark.clause("K231")
@pytest.mark.parametrize(
    ("calls", "keepalive", "idle"),
    [
        ([(True,)], 1, None),
        ([(True, 999)], 1, None),  # ~~(999 / 1000) == 0 seconds: left alone
        ([(True, 2500)], 1, 2),
        ([(True, 5000), (True, 0)], 1, 5),  # 0 leaves the previous setting
        ([(True, 5000), (False,)], 0, 5),
        ([(False, 9000)], 0, None),
    ],
    ids=["no_delay", "under_a_second", "whole_seconds", "zero_keeps_previous", "disabled", "disabled_with_delay"],
)
def test_set_keep_alive_sets_so_keepalive_and_tcp_keepidle(
    net: NetModule,
    runtime: Runtime,
    connect: Connect,
    kernel: KernelView,
    calls: list[tuple[Any, ...]],
    keepalive: int,
    idle: int | None,
) -> None:
    options = keepalive_options()[:2]

    def configure(sock: Socket) -> list[bool]:
        return [(sock.set_keep_alive(*args) is sock) for args in calls]

    returned, values = option_values(net, runtime, connect, kernel, configure, options)
    assert returned == [True] * len(calls)
    assert bool(values["SO_KEEPALIVE"]) == bool(keepalive)
    assert values["TCP_KEEPIDLE"] == (idle if idle is not None else system_keepalive_idle())
