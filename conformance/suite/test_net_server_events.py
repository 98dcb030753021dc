# Server lifecycle and events (CLAUSES.md section C): what each server event
# carries, when 'listening' and 'close' come, that an 'error' is not followed
# by 'close', what an exception in a 'connection' listener does, the
# `listening` flag, socket.server, and listener order.
# Node: lib/net.js (emitListeningNT, _emitCloseIfDrained, onconnection);
# doc/api/net.md "Class: net.Server" events.

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import Connect, PlainClient

from ._net_helpers import LOOPBACK, listen_loopback, record

if TYPE_CHECKING:
    from nodeapi.net import NetModule, Socket

pytestmark = pytest.mark.requires("net")



# ------------------------------------------------------- event arguments


@pytest.mark.clause("C62")
def test_listening_connection_and_close_arguments(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    logs: list[list[tuple[str, tuple[Any, ...]]]] = []
    clients: list[PlainClient] = []

    def main() -> None:
        server = net.create_server()
        logs.append(record(server, "listening", "connection", "close"))

        def on_connection(sock: Socket) -> None:
            sock.destroy()
            server.close()

        server.on("connection", on_connection)
        listen_loopback(server, lambda port: clients.append(connect((LOOPBACK, port)).read_until_eof()))

    runtime.run(main, timeout=5)
    clients[0].wait()
    [log] = logs
    assert [name for name, _ in log] == ["listening", "connection", "close"]
    listening, connection, close = (args for _, args in log)
    assert listening == ()
    assert len(connection) == 1 and isinstance(connection[0], net.Socket)
    assert close == ()


@pytest.mark.clause("C62")
def test_error_carries_one_exception(net: NetModule, runtime: Runtime) -> None:
    logs: list[list[tuple[str, tuple[Any, ...]]]] = []

    def main() -> None:
        first = net.create_server()
        second = net.create_server()
        log = record(second, "error")
        logs.append(log)
        second.on("error", lambda err: first.close())
        listen_loopback(first, lambda port: second.listen(port, LOOPBACK))

    runtime.run(main, timeout=5)
    [[(name, args)]] = logs
    assert name == "error"
    assert len(args) == 1 and isinstance(args[0], Exception)


@pytest.mark.clause("C62")
@pytest.mark.node_version(">=21")
def test_drop_carries_one_data_dict_for_tcp(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    # max_connections = 0 drops every connection from Node 21 on (clause I134).
    logs: list[list[tuple[str, tuple[Any, ...]]]] = []
    clients: list[PlainClient] = []

    def main() -> None:
        server = net.create_server()
        server.max_connections = 0
        logs.append(record(server, "drop", "connection"))
        server.on("drop", lambda *args: server.close())
        listen_loopback(server, lambda port: clients.append(connect((LOOPBACK, port)).read_until_eof()))

    runtime.run(main, timeout=5)
    clients[0].wait()
    [[(name, args)]] = logs
    assert name == "drop"
    assert len(args) == 1 and isinstance(args[0], dict)


# ------------------------------------------------------ 'listening' timing


@pytest.mark.clause("C63")
@pytest.mark.binds_wildcard
def test_listening_is_emitted_on_the_next_tick(net: NetModule, runtime: Runtime) -> None:
    order: list[str] = []

    def main() -> None:
        server = net.create_server()

        def on_listening() -> None:
            order.append("listening")
            server.close()

        runtime.next_tick(order.append, "tick queued before listen()")
        server.listen(0, on_listening)
        runtime.next_tick(order.append, "tick queued after listen()")
        order.append("listen() returned")

    runtime.run(main, timeout=5)
    # emitListeningNT is itself a process.nextTick callback, queued inside listen().
    assert order == ["listen() returned", "tick queued before listen()", "listening", "tick queued after listen()"]


@pytest.mark.clause("C63")
@pytest.mark.binds_wildcard
def test_close_right_after_listen_skips_listening(net: NetModule, runtime: Runtime) -> None:
    logs: list[list[tuple[str, tuple[Any, ...]]]] = []
    callbacks: list[str] = []

    def main() -> None:
        server = net.create_server()
        logs.append(record(server, "listening", "error", "close"))
        server.listen(0, lambda: callbacks.append("listen callback"))
        server.close()

    runtime.run(main, timeout=5)
    assert logs == [[("close", ())]]
    assert callbacks == []


# ------------------------------------------------- 'error' and 'close'


@pytest.mark.clause("C64")
def test_an_error_is_not_followed_by_close(net: NetModule, runtime: Runtime) -> None:
    snapshots: list[list[str]] = []

    def main() -> None:
        first = net.create_server()
        second = net.create_server()
        log = record(second, "error", "close")

        def look_later() -> None:
            snapshots.append([name for name, _ in log])
            second.close()  # only close() brings 'close'
            second.on("close", lambda: snapshots.append([name for name, _ in log]))
            first.close()

        second.on("error", lambda err: runtime.set_timeout(look_later, 100))
        listen_loopback(first, lambda port: second.listen(port, LOOPBACK))

    runtime.run(main, timeout=5)
    assert snapshots == [["error"], ["error", "close"]]


@pytest.mark.clause("C65")
def test_close_waits_for_accepted_connections_to_end(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    order: list[str] = []
    clients: list[PlainClient] = []

    def main() -> None:
        server = net.create_server()
        server.on("close", lambda: order.append("server close"))

        def on_connection(sock: Socket) -> None:
            server.close()
            order.append("close() called")
            sock.on("end", lambda: order.append("socket end"))
            sock.resume()
            runtime.set_timeout(lambda: order.append("100 ms later"), 100)

        server.on("connection", on_connection)
        # The client ends its side only after 300 ms; the socket then ends too
        # (allow_half_open is off), and only then may the server close.
        listen_loopback(
            server, lambda port: clients.append(connect((LOOPBACK, port)).sleep(0.3).shutdown().read_until_eof())
        )

    runtime.run(main, timeout=5)
    assert clients[0].wait().eof
    assert order == ["close() called", "100 ms later", "socket end", "server close"]


# ------------------------------------------ exceptions in listeners


@pytest.mark.clause("C66")
def test_an_exception_in_a_connection_listener_is_uncaught(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    boom = RuntimeError("thrown by a connection listener")
    held: dict[str, Any] = {}
    counts: list[int] = []

    def main() -> None:
        def on_connection(sock: Socket) -> None:
            held["socket"] = sock
            raise boom

        server = held["server"] = net.create_server(on_connection)
        listen_loopback(server, lambda port: connect((LOOPBACK, port)).read_until_eof())

    with pytest.raises(RuntimeError) as info:
        runtime.run(main, timeout=5)
    assert info.value is boom

    def second_script() -> None:
        # The process lives on (as with an 'uncaughtException' handler): the
        # socket was counted before 'connection' was emitted, and stays counted.
        def counted(err: Exception | None, count: int) -> None:
            counts.append(count)
            held["socket"].destroy()
            held["server"].close()

        held["server"].get_connections(counted)

    runtime.run(second_script, timeout=5)
    assert counts == [1]


# -------------------------------------------------- the listening flag


@pytest.mark.clause("C68")
@pytest.mark.binds_wildcard
def test_listening_flag_through_the_lifecycle(net: NetModule, runtime: Runtime) -> None:
    seen: dict[str, bool] = {}

    def main() -> None:
        server = net.create_server()
        seen["before listen"] = server.listening
        server.listen(0)  # no host: bound synchronously
        seen["right after listen(0)"] = server.listening
        server.close()
        seen["right after close()"] = server.listening

        def in_callback() -> None:
            seen["in the listen callback"] = server.listening
            server.close()
            seen["after the second close()"] = server.listening

        # With a host the bind waits for the lookup.
        server.listen(0, LOOPBACK, in_callback)
        seen["right after listen(0, host)"] = server.listening

    runtime.run(main, timeout=5)
    assert seen == {
        "before listen": False,
        "right after listen(0)": True,
        "right after close()": False,
        "right after listen(0, host)": False,
        "in the listen callback": True,
        "after the second close()": False,
    }


@pytest.mark.clause("C68")
def test_listening_flag_is_false_after_a_listen_error(net: NetModule, runtime: Runtime) -> None:
    seen: list[bool] = []

    def main() -> None:
        first = net.create_server()
        second = net.create_server()

        def on_error(err: Exception) -> None:
            seen.append(second.listening)
            first.close()

        second.on("error", on_error)

        def listening(port: int) -> None:
            second.listen(port)  # no host: the bind itself fails, synchronously inside listen()
            seen.append(second.listening)

        listen_loopback(first, listening)

    runtime.run(main, timeout=5)
    assert seen == [False, False]


@pytest.mark.clause("C68")
@pytest.mark.requires("net-ipc")
def test_listening_flag_is_true_right_after_listen_on_a_path(net: NetModule, runtime: Runtime, sock_path: str) -> None:
    seen: list[bool] = []

    def main() -> None:
        server = net.create_server()
        server.listen(sock_path)
        seen.append(server.listening)
        server.close()
        seen.append(server.listening)

    runtime.run(main, timeout=5)
    assert seen == [True, False]


# ---------------------------------------------------------- socket.server


@pytest.mark.clause("C69")
def test_accepted_socket_knows_its_server(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    seen: list[bool] = []
    clients: list[PlainClient] = []

    def main() -> None:
        server = net.create_server()

        def on_connection(sock: Socket) -> None:
            seen.append(sock.server is server)
            sock.destroy()
            server.close()

        server.on("connection", on_connection)
        listen_loopback(server, lambda port: clients.append(connect((LOOPBACK, port)).read_until_eof()))

    runtime.run(main, timeout=5)
    clients[0].wait()
    assert seen == [True]


@pytest.mark.clause("C69")
def test_a_socket_not_accepted_by_a_server_has_no_server(net: NetModule, runtime: Runtime) -> None:
    sock = net.Socket()
    try:
        assert sock.server is None
    finally:
        runtime.run(sock.destroy, timeout=5)


# ---------------------------------------------------------- listener order


@pytest.mark.clause("C70")
def test_listening_listener_added_before_listen_runs_before_the_callback(net: NetModule, runtime: Runtime) -> None:
    order: list[str] = []

    def main() -> None:
        server = net.create_server()

        def callback() -> None:
            order.append("listen callback")
            server.close()

        server.on("listening", lambda: order.append("on('listening')"))
        server.listen(0, LOOPBACK, callback)
        server.on("listening", lambda: order.append("on('listening') after listen()"))

    runtime.run(main, timeout=5)
    assert order == ["on('listening')", "listen callback", "on('listening') after listen()"]


@pytest.mark.clause("C70")
def test_the_constructor_connection_listener_runs_first(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    order: list[str] = []
    clients: list[PlainClient] = []

    def main() -> None:
        def first(sock: Socket) -> None:
            order.append("create_server listener")

        server = net.create_server(first)

        def later(sock: Socket) -> None:
            order.append("on('connection')")
            sock.destroy()
            server.close()

        server.on("connection", later)
        listen_loopback(server, lambda port: clients.append(connect((LOOPBACK, port)).read_until_eof()))

    runtime.run(main, timeout=5)
    clients[0].wait()
    assert order == ["create_server listener", "on('connection')"]
