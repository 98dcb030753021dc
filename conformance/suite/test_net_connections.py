# Connections (CLAUSES.md section I): max_connections and the 'drop' event,
# the meaning of max_connections = 0 (changed in Node 21), get_connections and
# when the count goes down.
#
# A dropped connection is observed from the client's side too: a plain-socket
# client that is accepted by the kernel, then closed by the server without a
# byte, sees an orderly EOF (not a reset, not data).
# Node: lib/net.js onconnection (the maxConnections check, the 'drop' data),
# Server.prototype.getConnections, Socket.prototype._destroy (_connections--);
# doc/api/net.md server.maxConnections, Event 'drop', server.getConnections().

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import Connect, PlainClient

from ._net_helpers import LOOPBACK, listen_loopback, port_of

if TYPE_CHECKING:
    from nodeapi.net import NetModule, Server, Socket

pytestmark = pytest.mark.requires("net")



def count_now(server: Server, into: list[tuple[object, object]]) -> None:
    """``server.get_connections`` recording ``(err, count)``."""
    server.get_connections(lambda err, count: into.append((err, count)))


# ------------------------------------------------------- max_connections


@pytest.mark.clause("I132")
def test_max_connections_is_settable_and_none_means_no_limit(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    accepted: list[Socket] = []
    dropped: list[object] = []
    clients: list[PlainClient] = []
    seen: list[object] = []

    def main() -> None:
        server = net.create_server()
        seen.append(server.max_connections)
        server.max_connections = 2
        seen.append(server.max_connections)
        server.max_connections = None
        seen.append(server.max_connections)

        def on_connection(sock: Socket) -> None:
            accepted.append(sock)
            if len(accepted) == 3:  # three at once: no limit
                for open_sock in accepted:
                    open_sock.end()
                server.close()

        server.on("connection", on_connection)
        server.on("drop", lambda *args: dropped.append(args))
        listen_loopback(
            server,
            lambda port: clients.extend(connect((LOOPBACK, port)).read_until_eof().close() for _ in range(3)),
        )

    runtime.run(main, timeout=5)
    assert seen == [None, 2, None]
    assert len(accepted) == 3 and dropped == []
    assert all(client.wait().eof for client in clients)


def drop_the_second(
    net: NetModule, runtime: Runtime, connect: Connect, limit: int = 1
) -> tuple[list[tuple[Any, ...]], PlainClient, PlainClient, list[tuple[object, object]], int, int]:
    """With ``max_connections = limit`` (1), hold one client and connect a
    second. Returns what 'drop' got, both clients, get_connections right after
    the drop, the number of 'connection' events and the server's port."""
    drops: list[tuple[Any, ...]] = []
    clients: dict[str, PlainClient] = {}
    counts: list[tuple[object, object]] = []
    accepted: list[Socket] = []
    ports: list[int] = []

    def main() -> None:
        server = net.create_server()
        server.max_connections = limit

        def on_connection(sock: Socket) -> None:
            accepted.append(sock)
            clients["second"] = connect((LOOPBACK, port_of(server)), name="second").read_until_eof()

        def on_drop(*args: object) -> None:
            drops.append(args)
            count_now(server, counts)
            for sock in accepted:
                sock.end()
            server.close()

        server.on("connection", on_connection)
        server.on("drop", on_drop)
        def listening(port: int) -> None:
            ports.append(port)
            clients["first"] = connect((LOOPBACK, port), name="first").read_until_eof().close()

        listen_loopback(server, listening)

    runtime.run(main, timeout=5)
    return drops, clients["first"], clients["second"], counts, len(accepted), ports[0]


@pytest.mark.clause("I133", "I136")
def test_a_connection_over_the_limit_is_dropped(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    drops, first, second, counts, accepted, _ = drop_the_second(net, runtime, connect)
    assert accepted == 1  # 'drop' instead of 'connection'
    assert len(drops) == 1
    # The dropped client was accepted by the kernel, then closed in order:
    # EOF with no data, not a reset (Linux).
    dropped = second.wait()
    assert dropped.connect_error is None
    assert dropped.received == b"" and dropped.eof and dropped.error is None
    assert first.wait().eof
    # The dropped connection never counted (I136).
    assert counts == [(None, 1)]


@pytest.mark.clause("I135")
def test_drop_data_of_a_tcp_server(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    drops, _, second, _, _, port = drop_the_second(net, runtime, connect)
    [(data,)] = drops
    assert isinstance(data, dict)
    assert data == {
        "local_address": LOOPBACK,
        "local_port": port,
        "local_family": "IPv4",
        "remote_address": LOOPBACK,
        "remote_port": second.wait().local_port,
        "remote_family": "IPv4",
    }


@pytest.mark.clause("I135", "I133")
@pytest.mark.requires("net-ipc")
def test_an_ipc_server_drops_without_data(net: NetModule, runtime: Runtime, connect: Connect, sock_path: str) -> None:
    drops: list[tuple[Any, ...]] = []
    clients: list[PlainClient] = []
    accepted: list[Socket] = []

    def main() -> None:
        server = net.create_server()
        server.max_connections = 1

        def on_connection(sock: Socket) -> None:
            accepted.append(sock)
            clients.append(connect(sock_path, name="second").read_until_eof())

        def on_drop(*args: object) -> None:
            drops.append(args)
            for sock in accepted:
                sock.end()
            server.close()

        server.on("connection", on_connection)
        server.on("drop", on_drop)
        server.listen(sock_path, lambda: clients.append(connect(sock_path, name="first").read_until_eof().close()))

    runtime.run(main, timeout=5)
    assert drops == [()]  # Node emits 'drop' with no argument for a pipe
    assert len(accepted) == 1
    first, second = clients
    assert first.wait().eof
    dropped = second.wait()
    assert dropped.received == b"" and dropped.eof and dropped.error is None


@pytest.mark.clause("I136")
def test_a_freed_slot_takes_the_next_client(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    events: list[str] = []
    clients: list[PlainClient] = []

    def main() -> None:
        server = net.create_server()
        server.max_connections = 1

        def on_connection(sock: Socket) -> None:
            events.append("connection")
            if len(clients) == 1:
                # The first client: a second one arrives while it is open.
                clients.append(connect((LOOPBACK, port_of(server)), name="dropped").read_until_eof())
                sock.on("close", lambda had_error: events.append("first closed"))

                def on_drop(*args: object) -> None:
                    events.append("drop")
                    sock.destroy()  # frees the slot at once

                    def third() -> None:
                        clients.append(connect((LOOPBACK, port_of(server)), name="third").read_until_eof().close())

                    runtime.set_timeout(third, 20)

                server.once("drop", on_drop)
            else:
                sock.end(b"welcome")
                server.close()

        server.on("connection", on_connection)
        listen_loopback(server, lambda port: clients.append(connect((LOOPBACK, port), name="first").read_until_eof()))

    runtime.run(main, timeout=5)
    assert events == ["connection", "drop", "first closed", "connection"]
    first, dropped, third = (client.wait() for client in clients)
    assert dropped.received == b"" and dropped.eof
    assert third.received == b"welcome" and third.eof


@pytest.mark.clause("I134")
@pytest.mark.node_version(">=21")
def test_max_connections_zero_drops_every_connection(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    accepted: list[Socket] = []
    drops: list[object] = []
    clients: list[PlainClient] = []

    def main() -> None:
        server = net.create_server(accepted.append)
        server.max_connections = 0

        def on_drop(*args: object) -> None:
            drops.append(args)
            if len(drops) == 2:
                server.close()

        server.on("drop", on_drop)
        listen_loopback(
            server, lambda port: clients.extend(connect((LOOPBACK, port)).read_until_eof() for _ in range(2))
        )

    runtime.run(main, timeout=5)
    assert accepted == [] and len(drops) == 2
    assert all(client.wait().eof for client in clients)


@pytest.mark.clause("I134")
@pytest.mark.node_version("<21")
def test_max_connections_zero_means_no_limit_before_node_21(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    accepted: list[Socket] = []
    drops: list[object] = []
    clients: list[PlainClient] = []

    def main() -> None:
        server = net.create_server()
        server.max_connections = 0

        def on_connection(sock: Socket) -> None:
            accepted.append(sock)
            if len(accepted) == 2:
                for open_sock in accepted:
                    open_sock.end()
                server.close()

        server.on("connection", on_connection)
        server.on("drop", lambda *args: drops.append(args))
        listen_loopback(
            server, lambda port: clients.extend(connect((LOOPBACK, port)).read_until_eof().close() for _ in range(2))
        )

    runtime.run(main, timeout=5)
    assert len(accepted) == 2 and drops == []


# ------------------------------------------------------- get_connections


@pytest.mark.clause("I137")
def test_get_connections_before_listen(net: NetModule, runtime: Runtime) -> None:
    order: list[object] = []

    def main() -> None:
        server = net.create_server()
        returned = server.get_connections(lambda err, count: order.append((err, count)))
        order.append(returned is server)
        # Called through process.nextTick: after the caller, before a later tick.
        runtime.next_tick(lambda: order.append("next tick"))

    runtime.run(main, timeout=5)
    assert order == [True, (None, 0), "next tick"]


@pytest.mark.clause("I137", "I138")
def test_get_connections_counts_open_connections_and_destroy_lowers_it_at_once(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    counts: list[tuple[object, object]] = []
    clients: list[PlainClient] = []

    def main() -> None:
        accepted: list[Socket] = []

        def on_connection(sock: Socket) -> None:
            accepted.append(sock)
            if len(accepted) < 2:
                return
            count_now(server, counts)  # two open
            accepted[0].destroy()
            count_now(server, counts)  # already one: destroy() released the slot
            accepted[1].end()

            def last_closed(had_error: bool) -> None:
                count_now(server, counts)
                server.close()

            accepted[1].on("close", last_closed)

        server = net.create_server(on_connection)
        listen_loopback(
            server, lambda port: clients.extend(connect((LOOPBACK, port)).read_until_eof().close() for _ in range(2))
        )

    runtime.run(main, timeout=5)
    assert counts == [(None, 2), (None, 1), (None, 0)]
    assert all(client.wait().eof for client in clients)
