# server.close([callback]) (CLAUSES.md section G): what stops at once and what
# waits, when 'close' and the callback come and with what, closing a server
# that is not running (or twice, or with a non-function), and closing while a
# host lookup is still pending.
#
# "Stops accepting" is asked of a plain-socket client that connects after
# close() returned; "keeps existing connections" of a client that goes on
# talking; "nothing was bound" of the kernel.
# Node: lib/net.js Server.prototype.close, _emitCloseIfDrained, emitCloseNT,
# lookupAndListen (_listeningId); doc/api/net.md server.close().

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import Connect, KernelView, PlainClient

from ._net_helpers import LOOPBACK, held_port, listen_loopback, names, port_of, record

if TYPE_CHECKING:
    from nodeapi.net import NetModule, Server, Socket

pytestmark = pytest.mark.requires("net")



def code_of(err: object) -> object:
    """What a close callback got: None, or the error's code (a plain Error's)."""
    if err is None:
        return None
    assert isinstance(err, Exception) and not isinstance(err, (TypeError, ValueError, OSError)), err
    return getattr(err, "code", err)



# ------------------------------------------------- what stops, what stays


@pytest.mark.clause("G113", "G115")
def test_close_stops_accepting_and_keeps_the_open_connection(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    seen: dict[str, Any] = {}
    clients: dict[str, PlainClient] = {}
    logs: list[list[tuple[str, tuple[Any, ...]]]] = []

    def main() -> None:
        def on_connection(sock: Socket) -> None:
            port = port_of(server)
            server.close()
            # Synchronously after close(), with a connection still open (G115).
            seen["listening"] = server.listening
            seen["address"] = server.address()
            # A client that arrives after close() returned is refused.
            late = clients["late"] = connect((LOOPBACK, port), name="late")
            late.wait_connected()
            sock.on("data", lambda data: sock.end(b"still here: " + data if isinstance(data, bytes) else b""))

        server = net.create_server(on_connection)
        logs.append(record(server, "close"))
        listen_loopback(
            server, lambda port: clients.update(first=connect((LOOPBACK, port)).send(b"ping").read_until_eof().close())
        )

    runtime.run(main, timeout=5)
    assert clients["late"].wait().connect_error == "ECONNREFUSED"
    first = clients["first"].wait()
    assert first.received == b"still here: ping"
    assert first.eof and first.error is None
    assert seen == {"listening": False, "address": None}
    assert names(logs[0]) == ["close"]


@pytest.mark.clause("G114")
@pytest.mark.parametrize("listening", [True, False], ids=["listening", "not-listening"])
def test_close_returns_the_server(net: NetModule, runtime: Runtime, listening: bool) -> None:
    returned: list[bool] = []

    def main() -> None:
        server = net.create_server()
        if listening:
            server.listen(0, LOOPBACK)
        returned.append(server.close() is server)

    runtime.run(main, timeout=5)
    assert returned == [True]


@pytest.mark.clause("G122", "G113")
def test_close_never_ends_an_open_connection(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    order: list[str] = []
    seen: dict[str, Any] = {}
    clients: list[PlainClient] = []

    def main() -> None:
        def on_connection(sock: Socket) -> None:
            server.close(lambda err: order.append("close callback"))

            def on_data(data: bytes | str) -> None:
                # The client waited 0.3 s after close() before it wrote: the
                # connection was left alone, and the server did not close.
                seen["ready_state"] = sock.ready_state
                order.append("data")
                sock.end(b"bye")

            sock.on("data", on_data)
            sock.on("close", lambda had_error: order.append("socket close"))

        server = net.create_server(on_connection)
        server.on("close", lambda: order.append("close"))
        listen_loopback(
            server, lambda port: clients.append(connect((LOOPBACK, port)).read_for(0.3).send(b"hi").read_until_eof().close())
        )

    runtime.run(main, timeout=5)
    transcript = clients[0].wait()
    assert transcript.received == b"bye" and transcript.eof
    assert seen == {"ready_state": "open"}
    # 'close' and its callback wait for the connection; the server's 'close'
    # and the socket's own 'close' may come in either order (G121).
    assert order[0] == "data"
    assert sorted(order[1:]) == ["close", "close callback", "socket close"]
    assert order.index("close") < order.index("close callback")


@pytest.mark.clause("G121", "G113")
def test_destroying_the_last_connection_lets_the_server_close(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    counts: list[tuple[object, object]] = []
    order: list[str] = []
    clients: list[PlainClient] = []

    def main() -> None:
        def on_connection(sock: Socket) -> None:
            server.close()

            def later() -> None:
                order.append("destroy")
                sock.destroy()
                # The slot is released inside destroy(), before the socket's 'close'.
                server.get_connections(lambda err, count: counts.append((err, count)))

            runtime.set_timeout(later, 50)
            sock.on("close", lambda had_error: order.append("socket close"))

        server = net.create_server(on_connection)
        server.on("close", lambda: order.append("close"))
        listen_loopback(server, lambda port: clients.append(connect((LOOPBACK, port)).read_until_eof()))

    runtime.run(main, timeout=5)
    assert clients[0].wait().eof
    assert counts == [(None, 0)]
    assert order[0] == "destroy"
    assert sorted(order[1:]) == ["close", "socket close"]  # in an order Node leaves undefined


# ------------------------------------------------- 'close' and the callback


@pytest.mark.clause("G116")
def test_the_callback_gets_none_on_success(net: NetModule, runtime: Runtime) -> None:
    results: list[tuple[Any, ...]] = []

    def main() -> None:
        server = net.create_server()
        server.listen(0, LOOPBACK, lambda: server.close(lambda *args: results.append(args)))

    runtime.run(main, timeout=5)
    # Node calls it with no argument; the binding passes None (CONFORMANCE.md 1.4).
    assert results == [(None,)]


@pytest.mark.clause("G116")
def test_the_callback_is_a_once_close_listener(net: NetModule, runtime: Runtime) -> None:
    order: list[str] = []
    counts: list[int] = []

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            server.on("close", lambda: order.append("before"))
            server.close(lambda err: order.append("callback"))
            server.on("close", lambda: order.append("after"))
            counts.append(server.listener_count("close"))

            def closed() -> None:
                counts.append(server.listener_count("close"))

            server.on("close", closed)

        server.listen(0, LOOPBACK, listening)

    runtime.run(main, timeout=5)
    # In registration order among the 'close' listeners, and gone once called.
    assert order == ["before", "callback", "after"]
    assert counts == [3, 3]


@pytest.mark.clause("G117")
@pytest.mark.parametrize("listening", [True, False], ids=["listening", "not-listening"])
def test_close_is_emitted_on_a_later_tick(net: NetModule, runtime: Runtime, listening: bool) -> None:
    order: list[str] = []

    def main() -> None:
        server = net.create_server()

        def close_now() -> None:
            server.on("close", lambda: order.append("close"))
            server.close(lambda err: order.append("callback"))
            order.append("close() returned")
            # emitCloseNT is queued with process.nextTick inside close():
            # it runs before a tick queued after close() returned.
            runtime.next_tick(lambda: order.append("next tick"))

        if listening:
            server.listen(0, LOOPBACK, close_now)
        else:
            close_now()

    runtime.run(main, timeout=5)
    assert order == ["close() returned", "close", "callback", "next tick"]


@pytest.mark.clause("G118")
def test_close_of_a_server_that_never_listened(net: NetModule, runtime: Runtime) -> None:
    results: list[object] = []
    logs: list[list[tuple[str, tuple[Any, ...]]]] = []

    def main() -> None:
        server = net.create_server()
        logs.append(record(server, "close", "error"))
        server.close(lambda err: results.append(code_of(err)))

    runtime.run(main, timeout=5)
    assert results == ["ERR_SERVER_NOT_RUNNING"]
    assert logs[0] == [("close", ())]


@pytest.mark.clause("G118")
def test_close_of_a_server_already_closed(net: NetModule, runtime: Runtime) -> None:
    results: list[object] = []
    logs: list[list[tuple[str, tuple[Any, ...]]]] = []

    def main() -> None:
        server = net.create_server()

        def closed(err: Exception | None) -> None:
            results.append(code_of(err))
            logs.append(record(server, "close", "error"))
            server.close(lambda err: results.append(code_of(err)))

        server.listen(0, LOOPBACK, lambda: server.close(closed))

    runtime.run(main, timeout=5)
    assert results == [None, "ERR_SERVER_NOT_RUNNING"]
    assert logs[0] == [("close", ())]


@pytest.mark.clause("G118")
def test_close_after_a_failed_listen(net: NetModule, runtime: Runtime) -> None:
    results: list[object] = []
    order: list[str] = []
    with held_port() as port:

        def main() -> None:
            server = net.create_server()

            def on_error(err: Exception) -> None:
                order.append(f"error {getattr(err, 'code', err)}")
                server.close(lambda err: results.append(code_of(err)))

            server.on("error", on_error)
            server.on("close", lambda: order.append("close"))
            server.listen(port, LOOPBACK)

        runtime.run(main, timeout=5)
    assert order == ["error EADDRINUSE", "close"]
    assert results == ["ERR_SERVER_NOT_RUNNING"]


@pytest.mark.clause("G119")
def test_close_twice_emits_close_twice(net: NetModule, runtime: Runtime) -> None:
    order: list[object] = []

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            server.on("close", lambda: order.append("close"))
            server.close(lambda err: order.append(("first", code_of(err))))
            server.close(lambda err: order.append(("second", code_of(err))))

        server.listen(0, LOOPBACK, listening)

    runtime.run(main, timeout=5)
    # Both callbacks are 'close' listeners by the first emission; the second
    # close() queues a second 'close' of its own.
    assert order == ["close", ("first", None), ("second", "ERR_SERVER_NOT_RUNNING"), "close"]


@pytest.mark.clause("G120")
@pytest.mark.parametrize("argument", ["bad argument", 42, {}], ids=repr)
def test_a_callback_that_is_not_a_function_is_ignored(net: NetModule, runtime: Runtime, argument: object) -> None:
    logs: list[list[tuple[str, tuple[Any, ...]]]] = []
    returned: list[bool] = []

    def main() -> None:
        server = net.create_server()
        logs.append(record(server, "close", "error", "listening"))

        def listening() -> None:
            close: Callable[..., Server] = server.close
            returned.append(close(argument) is server)
            # Not added as a listener: only 'close' itself happens.
            returned.append(server.listener_count("close") == 1)

        server.listen(0, LOOPBACK, listening)

    runtime.run(main, timeout=5)
    assert returned == [True, True]
    assert names(logs[0]) == ["listening", "close"]


# ------------------------------------------------ a pending host lookup


@pytest.mark.clause("G124")
def test_close_during_a_lookup_cancels_the_bind(net: NetModule, runtime: Runtime, kernel: KernelView) -> None:
    logs: list[list[tuple[str, tuple[Any, ...]]]] = []
    results: list[object] = []
    after: dict[str, Any] = {}

    def main() -> None:
        server = net.create_server()
        logs.append(record(server, "listening", "error", "close"))
        server.listen(0, "localhost")
        # Nothing is bound yet, so the callback gets ERR_SERVER_NOT_RUNNING.
        server.close(lambda err: results.append(code_of(err)))

        def look() -> None:
            # Well after the lookup would have finished: still nothing bound.
            after.update(listening=server.listening, address=server.address(), listeners=kernel.listeners())

        runtime.set_timeout(look, 200)

    runtime.run(main, timeout=5)
    assert names(logs[0]) == ["close"]
    assert results == ["ERR_SERVER_NOT_RUNNING"]
    assert after == {"listening": False, "address": None, "listeners": []}


@pytest.mark.clause("G125", "G124")
def test_listen_after_close_during_a_lookup_binds_only_the_new_one(
    net: NetModule, runtime: Runtime, kernel: KernelView
) -> None:
    order: list[str] = []
    listeners: list[int] = []

    def main() -> None:
        server = net.create_server()
        server.on("close", lambda: order.append("close"))
        server.listen(0, "localhost", lambda: order.append("first callback"))
        server.close()
        # close() invalidated the first lookup; only this bind happens. (The
        # first callback stays a 'listening' listener, D73, so it runs too.)

        def second() -> None:
            order.append("listening")
            listeners.append(len([s for s in kernel.listeners() if s.local_port == port_of(server)]))

            def close_later() -> None:
                # Give the first lookup time to come back: it must not bind.
                listeners.append(len(kernel.listeners()))
                server.close()

            runtime.set_timeout(close_later, 150)

        server.listen(0, "localhost", second)

    runtime.run(main, timeout=5)
    assert order == ["close", "first callback", "listening", "close"]
    assert listeners == [1, 1]
