# How an accepted socket closes, cleanly or not (CLAUSES.md section K):
# 'close'(had_error) (K163), 'error' directly followed by 'close' and an
# unhandled 'error' ending the process (K164), a peer's reset (K165),
# destroy(err) (K166) and reset_and_destroy() (K167).
#
# What the peer saw is read from a plain-socket client's transcript: an
# orderly close is an EOF, a reset is ECONNRESET.
# Node: doc/api/net.md Event 'close', Event 'error', socket.destroy,
# socket.resetAndDestroy; lib/net.js Socket.prototype.resetAndDestroy.

from __future__ import annotations

import errno
import threading
from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import Connect, PlainClient

from ._net_helpers import Log, accept_one, names, raises_node_error

if TYPE_CHECKING:
    from nodeapi.net import NetModule, Server, Socket

pytestmark = pytest.mark.requires("net")




def record_ending(sock: Socket, log: Log) -> None:
    """Every event that can end a socket's life, in order."""
    sock.on("end", lambda: log.append(("end", None)))
    sock.on("finish", lambda: log.append(("finish", None)))
    sock.on("error", lambda err: log.append(("error", err)))
    sock.on("close", lambda had_error: log.append(("close", had_error)))


# ------------------------------------------------------------------- K163


@pytest.mark.clause("K163")
def test_an_orderly_close_has_no_error(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    log: Log = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        record_ending(sock, log)
        sock.resume()

    accept_one(net, runtime, connect, on_connection, lambda client: client.shutdown().read_until_eof().close()).wait()
    assert sorted(names(log)) == ["close", "end", "finish"]
    assert log[-1] == ("close", False)


# ------------------------------------------------------------ K164, K166


@pytest.mark.clause("K166", "K163", "K164")
def test_destroy_with_an_error_emits_it_then_close_and_the_peer_sees_an_orderly_end(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    boom = RuntimeError("destroyed on purpose")
    log: Log = []
    returned: list[tuple[bool, bool]] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        record_ending(sock, log)
        returned.append((sock.destroy(boom) is sock, sock.destroyed))

    transcript = accept_one(net, runtime, connect, on_connection).wait()
    assert returned == [(True, True)]
    assert log == [("error", boom), ("close", True)]
    # destroy() closes the descriptor: the peer gets a FIN, not a reset.
    assert transcript.eof
    assert transcript.error is None


@pytest.mark.clause("K166", "K163")
def test_destroy_without_an_error_closes_without_one(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    log: Log = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        record_ending(sock, log)
        sock.destroy()

    transcript = accept_one(net, runtime, connect, on_connection).wait()
    assert log == [("close", False)]
    assert transcript.eof
    assert transcript.error is None


@pytest.mark.clause("K164")
def test_an_unhandled_socket_error_ends_run_with_that_error(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    held: dict[str, Any] = {}
    clients: list[PlainClient] = []
    accepted = threading.Event()

    def main() -> None:
        server = held["server"] = net.create_server()

        def on_connection(sock: Socket) -> None:
            held["socket"] = sock
            accepted.set()

        server.on("connection", on_connection)

        def listening() -> None:
            address = server.address()
            assert isinstance(address, dict)
            clients.append(connect(address).call("wait", lambda raw: accepted.wait(5)).reset())

        server.listen(0, "127.0.0.1", listening)

    # No 'error' listener on the socket: the peer's reset is uncaught.
    with raises_node_error(Exception, "ECONNRESET") as info:
        runtime.run(main, timeout=5)
    assert getattr(info.value, "syscall", None) == "read"
    clients[0].wait()

    def clean_up() -> None:  # a second script in the same process
        held["server"].close()

    runtime.run(clean_up, timeout=5)
    assert held["socket"].destroyed


# ------------------------------------------------------------------- K165


@pytest.mark.clause("K165", "K163", "K164")
@pytest.mark.parametrize("reading", [True, False], ids=["data_listener", "no_consumer"])
def test_a_peer_reset_is_econnreset_then_close_with_error(
    net: NetModule, runtime: Runtime, connect: Connect, reading: bool
) -> None:
    # Without any consumer the socket still reads from the kernel (K154), so
    # it sees the reset too.
    log: Log = []
    ready = threading.Event()

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        record_ending(sock, log)
        if reading:
            sock.on("data", lambda chunk: None)
        ready.set()

    accept_one(
        net, runtime, connect, on_connection,
        lambda client: client.call("wait", lambda raw: ready.wait(5)).send(b"hi").sleep(0.05).reset(),
    ).wait()
    assert names(log) == ["error", "close"]
    err = log[0][1]
    assert isinstance(err, Exception)
    assert getattr(err, "code", None) == "ECONNRESET"
    assert getattr(err, "syscall", None) == "read"
    assert getattr(err, "errno", None) == -errno.ECONNRESET
    assert log[1] == ("close", True)


# ------------------------------------------------------------------- K167


@pytest.mark.clause("K167")
def test_reset_and_destroy_sends_a_reset(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    log: Log = []
    returned: list[tuple[bool, bool]] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        record_ending(sock, log)

        def on_data(chunk: bytes | str) -> None:
            returned.append((sock.reset_and_destroy() is sock, sock.destroyed))

        sock.on("data", on_data)

    transcript = accept_one(
        net, runtime, connect, on_connection, lambda client: client.send(b"x").read_until_eof().close()
    ).wait()
    assert returned == [(True, True)]
    assert log == [("close", False)]  # no 'error' on the side that reset
    assert transcript.error == "ECONNRESET"
    assert not transcript.eof


@pytest.mark.clause("K167")
def test_reset_and_destroy_after_destroy_is_quiet(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    # With no handle left it destroys the socket with ERR_SOCKET_CLOSED, but
    # the socket is already destroyed, so nothing more is emitted.
    log: Log = []
    returned: list[bool] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        record_ending(sock, log)
        sock.destroy()
        returned.append(sock.reset_and_destroy() is sock)

    transcript = accept_one(net, runtime, connect, on_connection).wait()
    assert returned == [True]
    assert log == [("close", False)]
    assert transcript.eof
    assert transcript.error is None


@pytest.mark.clause("K167")
@pytest.mark.requires("net-ipc")
def test_reset_and_destroy_on_an_ipc_socket_throws(
    net: NetModule, runtime: Runtime, connect: Connect, sock_path: str
) -> None:
    outcome: dict[str, Any] = {}

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        try:
            sock.reset_and_destroy()
        except TypeError as exc:
            outcome["error"] = exc
        outcome["destroyed"] = sock.destroyed
        sock.destroy()

    transcript = accept_one(net, runtime, connect, on_connection, path=sock_path).wait()
    assert getattr(outcome.get("error"), "code", None) == "ERR_INVALID_HANDLE_TYPE"
    assert outcome["destroyed"] is False  # the throw left it alone
    assert transcript.eof
