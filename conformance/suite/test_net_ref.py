# server.ref() / server.unref() (CLAUSES.md section L): whether a listening
# server keeps the process alive.
#
# "The process would exit" is run() returning: run(main) runs the loop until
# no ref'd handle is left (CONFORMANCE.md 1.5), so a run that returns while
# the server still listens (kernel view) shows an unref'd server; one that
# only returns after an unref'd timer closed the server shows a ref'd one.
# Every run is bounded, and an unref'd server is closed by a second run so
# nothing outlives the test.
# Node: lib/net.js Server.prototype.ref/unref, setupListenHandle (_unref);
# test-net-server-unref.js, test-net-server-unref-persistent.js.

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import Connect, KernelView, PlainClient

from ._net_helpers import LOOPBACK, listen_loopback, port_of

if TYPE_CHECKING:
    from nodeapi.net import NetModule, Server, Socket

pytestmark = pytest.mark.requires("net")


# A run that should return at once gets this long before it fails with TimeoutError.
PROMPT = 3.0


def close_later(runtime: Runtime, server: Server, closed: list[str], ms: float = 150) -> None:
    """Close ``server`` from an unref'd timer: it fires only if something else
    (the server) keeps the loop running that long."""

    def fire() -> None:
        closed.append("closed by the timer")
        server.close()

    runtime.set_timeout(fire, ms).unref()


def close_in_a_second_run(runtime: Runtime, server: Server) -> None:
    runtime.run(server.close, timeout=5)


@pytest.mark.clause("L174")
def test_an_unrefd_listening_server_lets_run_return(net: NetModule, runtime: Runtime, kernel: KernelView) -> None:
    servers: list[Server] = []
    returned: list[bool] = []

    def main() -> None:
        server = net.create_server()
        servers.append(server)
        # Loopback, not the wildcard: the lookup keeps the loop alive until the
        # bind, then the unref'd handle does not.
        server.listen(0, LOOPBACK)
        returned.append(server.unref() is server)
        server.unref()  # idempotent

    runtime.run(main, timeout=PROMPT)
    server = servers[0]
    try:
        # run() returned while the server still listens.
        assert returned == [True]
        assert server.listening is True
        assert kernel.listener(port=port_of(server)).state == "LISTEN"
    finally:
        close_in_a_second_run(runtime, server)


@pytest.mark.clause("L174", "L177")
def test_ref_makes_it_keep_the_process_alive_again(net: NetModule, runtime: Runtime) -> None:
    closed: list[str] = []
    returned: list[bool] = []
    servers: list[Server] = []

    def main() -> None:
        server = net.create_server()
        servers.append(server)
        server.listen(0, LOOPBACK)
        server.unref()
        returned.append(server.ref() is server)
        server.ref()  # idempotent: one unref() later still lets go (the next test)
        close_later(runtime, server, closed)

    runtime.run(main, timeout=5)
    try:
        assert returned == [True]
        assert closed == ["closed by the timer"]
        assert servers[0].listening is False
    finally:
        if servers[0].listening:
            close_in_a_second_run(runtime, servers[0])


@pytest.mark.clause("L174")
def test_one_unref_undoes_several_refs(net: NetModule, runtime: Runtime) -> None:
    servers: list[Server] = []

    def main() -> None:
        server = net.create_server()
        servers.append(server)
        server.listen(0, LOOPBACK)
        server.ref()
        server.ref()
        server.unref()  # not a counter: a flag, as for any handle

    runtime.run(main, timeout=PROMPT)
    try:
        assert servers[0].listening is True
    finally:
        close_in_a_second_run(runtime, servers[0])


@pytest.mark.clause("L175")
def test_unref_before_listen_is_applied_when_it_listens(
    net: NetModule, runtime: Runtime, kernel: KernelView
) -> None:
    servers: list[Server] = []
    events: list[str] = []

    def main() -> None:
        server = net.create_server()
        servers.append(server)
        server.unref()
        # With a host the bind waits for a lookup, which keeps the loop alive
        # until the (unref'd) handle exists.
        server.listen(0, LOOPBACK, lambda: events.append("listening"))

    runtime.run(main, timeout=PROMPT)
    server = servers[0]
    try:
        assert events == ["listening"]
        assert server.listening is True
        assert kernel.listener(port=port_of(server)).state == "LISTEN"
    finally:
        close_in_a_second_run(runtime, server)


@pytest.mark.clause("L175")
@pytest.mark.parametrize("when", ["before-listen", "after-listen"])
def test_ref_after_an_early_unref_keeps_the_process_alive(net: NetModule, runtime: Runtime, when: str) -> None:
    closed: list[str] = []
    servers: list[Server] = []

    def main() -> None:
        server = net.create_server()
        servers.append(server)
        server.unref()
        if when == "before-listen":
            server.ref()
        server.listen(0, LOOPBACK)
        if when == "after-listen":
            server.ref()
        close_later(runtime, server, closed)

    runtime.run(main, timeout=5)
    try:
        assert closed == ["closed by the timer"]
    finally:
        if servers[0].listening:
            close_in_a_second_run(runtime, servers[0])


@pytest.mark.clause("L176")
def test_an_accepted_socket_keeps_the_process_alive_without_the_server(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    servers: list[Server] = []
    events: list[Any] = []
    clients: list[PlainClient] = []

    def main() -> None:
        def on_connection(sock: Socket) -> None:
            # From here on only the accepted socket is ref'd.
            server.unref()
            events.append("connection")
            sock.on("data", lambda data: events.append(data))
            sock.on("end", sock.end)
            sock.on("close", lambda had_error: events.append("socket close"))

        server = net.create_server(on_connection)
        servers.append(server)
        listen_loopback(
            server,
            lambda port: clients.append(connect((LOOPBACK, port)).sleep(0.3).send(b"late").shutdown().read_until_eof()),
        )

    runtime.run(main, timeout=5)
    server = servers[0]
    try:
        # run() waited for the socket: its late data and its close came in it.
        assert events == ["connection", b"late", "socket close"]
        assert clients[0].wait().eof
        assert server.listening is True
    finally:
        close_in_a_second_run(runtime, server)


@pytest.mark.clause("L177")
def test_a_server_that_never_listened_holds_nothing(net: NetModule, runtime: Runtime) -> None:
    servers: list[Server] = []

    def main() -> None:
        server = net.create_server(lambda sock: None)
        server.on("listening", lambda: None)
        servers.append(server)

    runtime.run(main, timeout=PROMPT)
    assert servers[0].listening is False


@pytest.mark.clause("L177")
def test_a_listening_server_keeps_the_process_alive(net: NetModule, runtime: Runtime) -> None:
    closed: list[str] = []

    def main() -> None:
        server = net.create_server()
        server.listen(0, LOOPBACK)
        close_later(runtime, server, closed)

    runtime.run(main, timeout=5)
    assert closed == ["closed by the timer"]
