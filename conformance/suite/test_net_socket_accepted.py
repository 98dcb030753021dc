# The accepted socket itself (CLAUSES.md section K): what a 'connection'
# listener is handed (K150), its ready_state as either side ends (K169), and
# how it keeps the process alive (K172).
#
# Node: lib/net.js onconnection() (`new Socket({handle, allowHalfOpen,
# pauseOnConnect, readable: true, writable: true, highWaterMark})`),
# Socket.prototype.readyState, Socket.prototype.ref/unref; doc/api/net.md.

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import Connect, PlainClient

from ._net_helpers import accept_one

if TYPE_CHECKING:
    from nodeapi.net import NetModule, Server, ServerOpts, Socket

pytestmark = pytest.mark.requires("net")



# ------------------------------------------------------------------- K150


@pytest.mark.clause("K150")
@pytest.mark.parametrize(
    "options",
    [{}, {"allow_half_open": True, "high_water_mark": 1024}],
    ids=["defaults", "half_open_1024"],
)
def test_an_accepted_connection_is_an_open_socket_with_the_servers_options(
    net: NetModule, runtime: Runtime, connect: Connect, options: ServerOpts
) -> None:
    seen: dict[str, Any] = {}

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        seen.update(
            is_socket=isinstance(sock, net.Socket),
            readable=sock.readable,
            writable=sock.writable,
            destroyed=sock.destroyed,
            allow_half_open=(sock.allow_half_open, server.allow_half_open),
            readable_high_water_mark=(sock.readable_high_water_mark, server.high_water_mark),
            writable_high_water_mark=(sock.writable_high_water_mark, server.high_water_mark),
            ended=(sock.readable_ended, sock.writable_ended, sock.writable_finished),
        )
        sock.destroy()

    accept_one(net, runtime, connect, on_connection, options=options).wait()
    half_open = options.get("allow_half_open", False)
    mark = seen["readable_high_water_mark"][1]
    assert seen == {
        "is_socket": True,
        "readable": True,
        "writable": True,
        "destroyed": False,
        "allow_half_open": (half_open, half_open),
        "readable_high_water_mark": (mark, mark),
        "writable_high_water_mark": (mark, mark),
        "ended": (False, False, False),
    }
    if "high_water_mark" in options:
        assert mark == options["high_water_mark"]


@pytest.mark.clause("K150")
def test_an_accepted_socket_destroys_itself_once_both_sides_have_ended(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    # autoDestroy: true. With allow_half_open the server ends its side itself;
    # once the peer's FIN has been read too, the socket is destroyed and
    # emits 'close' without anyone calling destroy().
    seen: list[tuple[str, object]] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        sock.on("end", lambda: seen.append(("end", sock.destroyed)))
        sock.on("finish", lambda: seen.append(("finish", sock.destroyed)))
        sock.on("close", lambda had_error: seen.append(("close", (had_error, sock.destroyed))))
        sock.resume()
        sock.end(b"bye")

    client = accept_one(
        net, runtime, connect, on_connection,
        lambda client: client.read_until_eof().shutdown(),
        options={"allow_half_open": True},
    )
    assert client.wait().received == b"bye"
    assert sorted(name for name, _ in seen[:2]) == ["end", "finish"]
    assert seen[:2] == [(name, False) for name, _ in seen[:2]]
    assert seen[2:] == [("close", (False, True))]


# ------------------------------------------------------------------- K169


@pytest.mark.clause("K169")
def test_ready_state_is_write_only_after_the_peers_end(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    states: dict[str, str] = {}

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        states["connection"] = sock.ready_state

        def on_end() -> None:
            states["end"] = sock.ready_state
            sock.end()
            states["both ended"] = sock.ready_state

        sock.on("end", on_end)
        sock.on("close", lambda had_error: states.setdefault("close", sock.ready_state))
        sock.resume()

    client = accept_one(
        net, runtime, connect, on_connection,
        lambda client: client.shutdown().read_until_eof(),
        options={"allow_half_open": True},
    )
    assert client.wait().eof
    assert states == {"connection": "open", "end": "writeOnly", "both ended": "closed", "close": "closed"}


@pytest.mark.clause("K169")
def test_ready_state_is_read_only_after_the_sockets_own_end(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    states: dict[str, str] = {}
    received: list[bytes | str] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        sock.on("data", received.append)
        sock.on("end", lambda: states.setdefault("end", sock.ready_state))
        sock.end(b"bye")
        states["after end()"] = sock.ready_state
        sock.on("finish", lambda: states.setdefault("finish", sock.ready_state))

    # The client reads the server's FIN, then still sends, then ends its side.
    client = accept_one(
        net, runtime, connect, on_connection,
        lambda client: client.read_until_eof().send(b"more").shutdown(),
        options={"allow_half_open": True},
    )
    assert client.wait().received == b"bye"
    assert states == {"after end()": "readOnly", "finish": "readOnly", "end": "closed"}
    assert b"".join(chunk for chunk in received if isinstance(chunk, bytes)) == b"more"


@pytest.mark.clause("K169")
def test_ready_state_is_closed_after_destroy(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    states: list[str] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        states.append(sock.ready_state)
        sock.destroy()
        states.append(sock.ready_state)

    accept_one(net, runtime, connect, on_connection).wait()
    assert states == ["open", "closed"]


# ------------------------------------------------------------------- K172


@pytest.mark.clause("K172")
def test_ref_and_unref_return_the_socket(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    returned: list[bool] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        returned.extend([sock.unref() is sock, sock.unref() is sock, sock.ref() is sock, sock.ref() is sock])
        sock.destroy()

    accept_one(net, runtime, connect, on_connection).wait()
    assert returned == [True, True, True, True]


@pytest.mark.clause("K172")
def test_an_open_socket_keeps_run_going_when_the_server_is_unrefd(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    # The server is unref'd (and still listening) as soon as the client is in;
    # only the accepted socket is left to keep the process alive until the
    # client speaks, a while later.
    received: list[bytes | str] = []
    closed: list[bool] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        server.unref()
        sock.on("data", received.append)

        def on_close(had_error: bool) -> None:
            closed.append(had_error)
            server.close()

        sock.on("close", on_close)

    client = accept_one(
        net, runtime, connect, on_connection,
        lambda client: client.sleep(0.3).send(b"late").shutdown().read_until_eof(),
        close_server=False,
    )
    assert client.wait().eof
    assert received == [b"late"]
    assert closed == [False]


@pytest.mark.clause("K172")
def test_an_unrefd_socket_does_not_keep_run_going(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    held: list[Socket] = []
    done = threading.Event()

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        held.append(sock)
        sock.unref()

    # The client waits for its end, which only the second script below sends.
    client = accept_one(
        net, runtime, connect, on_connection,
        lambda client: client.read_until_eof().call("done", lambda raw: done.set()).close(),
        timeout=3,
    )
    [sock] = held
    assert not sock.destroyed  # run() returned with the socket still open
    assert not done.is_set()

    def finish() -> None:  # a second script in the same process
        assert sock.ref() is sock  # ref'd again, it keeps run() going until closed
        sock.end()

    runtime.run(finish, timeout=5)
    assert client.wait().eof
    assert sock.destroyed
