# The peer's FIN on an accepted socket (CLAUSES.md section K): 'end', the
# automatic end of the writable side without allow_half_open (K151), a write
# after it (K152), the writable side kept open with allow_half_open (K153), and
# 'end' waiting until the readable side has been consumed (K155).
#
# Node: doc/api/net.md Event 'end', net.createServer allowHalfOpen;
# lib/internal/streams/readable.js endReadableNT (queues endWritableNT after
# emit('end') when allowHalfOpen is false); lib/net.js writeAfterFIN.

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conformance import Runtime
from conformance.probes import Connect, KernelView, PlainClient

from ._net_helpers import Log, accept_one, names, poll_until

if TYPE_CHECKING:
    from nodeapi.net import NetModule, Server, Socket

pytestmark = pytest.mark.requires("net")




# ------------------------------------------------------------------- K151


@pytest.mark.clause("K151")
def test_without_allow_half_open_the_socket_ends_after_the_end_listeners(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    log: Log = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        def on_end() -> None:
            log.append(("end", (sock.ready_state, sock.writable, sock.writable_ended)))
            # Written synchronously inside 'end': still ours to send.
            sock.write(b"late reply", lambda err: log.append(("write callback", err)))
            log.append(("after write", sock.writable_ended))

        sock.on("data", lambda chunk: log.append(("data", chunk)))
        sock.on("end", on_end)
        sock.on("finish", lambda: log.append(("finish", sock.writable_ended)))
        sock.on("close", lambda had_error: log.append(("close", had_error)))

    client = accept_one(
        net, runtime, connect, on_connection,
        lambda client: client.send(b"x").shutdown().read_until_eof().close(),
    )
    transcript = client.wait()
    assert transcript.received == b"late reply"
    assert transcript.eof
    assert log[:3] == [("data", b"x"), ("end", ("writeOnly", True, False)), ("after write", False)]
    # The write completes before the socket finishes, then it closes cleanly.
    assert log[3:] == [("write callback", None), ("finish", True), ("close", False)]


@pytest.mark.clause("K151")
def test_the_automatic_end_comes_after_next_ticks_queued_by_end_listeners(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    # readable.js endReadableNT: emit('end'), then process.nextTick(endWritableNT):
    # a tick queued by an 'end' listener runs before it.
    seen: list[tuple[str, bool]] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        def on_end() -> None:
            def tick() -> None:
                seen.append(("tick", sock.writable_ended))
                sock.write(b"from a tick")

            runtime.next_tick(tick)

        sock.on("end", on_end)
        sock.resume()

    client = accept_one(net, runtime, connect, on_connection, lambda client: client.shutdown().read_until_eof().close())
    transcript = client.wait()
    assert seen == [("tick", False)]
    assert transcript.received == b"from a tick"
    assert transcript.eof


# ------------------------------------------------------------------- K152


@pytest.mark.clause("K152")
def test_a_write_after_the_automatic_end_fails_with_epipe(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    # Once the socket has closed after the peer's FIN, a write is refused:
    # False, EPIPE to the callback; the socket is (still) destroyed, and a
    # destroyed socket emits no further 'error'.
    log: Log = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        def late_write() -> None:
            log.append(("write", sock.write(b"too late", lambda err: log.append(("callback", err)))))
            log.append(("destroyed", sock.destroyed))

        sock.on("error", lambda err: log.append(("error", err)))
        sock.on("close", lambda had_error: runtime.set_timeout(late_write, 10))
        sock.resume()

    client = accept_one(net, runtime, connect, on_connection, lambda client: client.shutdown().read_until_eof().close())
    transcript = client.wait()
    assert transcript.received == b""
    assert names(log) == ["write", "destroyed", "callback"]
    assert log[0] == ("write", False)
    assert log[1] == ("destroyed", True)
    err = log[2][1]
    assert isinstance(err, Exception) and getattr(err, "code", None) == "EPIPE"


@pytest.mark.clause("K152")
def test_a_write_after_the_automatic_end_destroys_a_socket_not_yet_closed(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    # In 'finish' the writable side has ended but the socket is not destroyed
    # yet: the refused write destroys it with the EPIPE error, which reaches
    # the callback first and then 'error' (stream.md writable.write: the
    # callback is called before 'error'), then 'close'(True).
    log: Log = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        def on_finish() -> None:
            log.append(("finish", sock.destroyed))
            log.append(("write", sock.write(b"too late", lambda err: log.append(("callback", err)))))

        sock.on("finish", on_finish)
        sock.on("error", lambda err: log.append(("error", err)))
        sock.on("close", lambda had_error: log.append(("close", had_error)))
        sock.resume()

    client = accept_one(net, runtime, connect, on_connection, lambda client: client.shutdown().read_until_eof().close())
    client.wait()
    assert names(log) == ["finish", "write", "callback", "error", "close"]
    assert log[0] == ("finish", False)
    assert log[1] == ("write", False)
    err = log[2][1]
    assert isinstance(err, Exception) and getattr(err, "code", None) == "EPIPE"
    assert log[3][1] is err
    assert log[4] == ("close", True)


# ------------------------------------------------------------------- K153


@pytest.mark.clause("K153")
def test_with_allow_half_open_the_socket_stays_writable_until_end(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    log: Log = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        def later() -> None:
            log.append(("later", (sock.ready_state, sock.writable, sock.writable_ended)))
            log.append(("write", sock.write(b"still ")))
            returned = sock.end(b"writing", lambda err: log.append(("end callback", err)))
            log.append(("end returned the socket", returned is sock))

        def on_end() -> None:
            log.append(("end", (sock.ready_state, sock.writable)))
            runtime.set_timeout(later, 50)

        sock.on("end", on_end)
        sock.on("close", lambda had_error: log.append(("close", had_error)))
        sock.resume()

    client = accept_one(
        net, runtime, connect, on_connection,
        lambda client: client.shutdown().read_until_eof().close(),
        options={"allow_half_open": True},
    )
    transcript = client.wait()
    assert transcript.received == b"still writing"
    assert transcript.eof
    assert log == [
        ("end", ("writeOnly", True)),
        ("later", ("writeOnly", True, False)),
        ("write", True),
        ("end returned the socket", True),
        ("end callback", None),
        ("close", False),
    ]


# ------------------------------------------------------------------- K155


def peer_has_ended(kernel: KernelView, sock: Socket, client: PlainClient) -> bool:
    """The kernel holds the client's FIN for the runtime's socket (CLOSE_WAIT)."""
    if client.transcript.local_port is None:
        return False  # the probe thread has not noted its port yet
    assert sock.local_port is not None
    conn = kernel.connection(local_port=sock.local_port, remote_port=client.transcript.local_port)
    return conn.state == "CLOSE_WAIT"


@pytest.mark.clause("K155")
def test_a_socket_that_is_never_read_never_sees_end(
    net: NetModule, runtime: Runtime, connect: Connect, kernel: KernelView
) -> None:
    log: Log = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        sock.on("end", lambda: log.append(("end", None)))
        sock.on("close", lambda had_error: log.append(("close", had_error)))

        def look() -> None:
            log.append(("state", (sock.readable_length, sock.readable_ended, sock.ready_state, sock.destroyed)))
            sock.destroy()  # nothing would ever close it otherwise

        # Once the FIN is in the kernel and the bytes are in the socket's
        # buffer, give the loop ample time to read the FIN as well.
        poll_until(
            runtime,
            lambda: sock.readable_length == 3 and peer_has_ended(kernel, sock, client),
            lambda: runtime.set_timeout(look, 100),
        )

    client = accept_one(net, runtime, connect, on_connection, lambda client: client.send(b"bye").shutdown().read_until_eof())
    assert client.wait().eof
    assert log == [("state", (3, False, "open", False)), ("close", False)]


@pytest.mark.clause("K155", "K154")
def test_end_follows_once_the_buffered_data_is_consumed(
    net: NetModule, runtime: Runtime, connect: Connect, kernel: KernelView
) -> None:
    log: Log = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        sock.on("end", lambda: log.append(("end", None)))
        sock.on("close", lambda had_error: log.append(("close", had_error)))

        def consume() -> None:
            log.append(("before consuming", names(log)))
            sock.on("data", lambda chunk: log.append(("data", chunk)))

        poll_until(
            runtime,
            lambda: sock.readable_length == 3 and peer_has_ended(kernel, sock, client),
            lambda: runtime.set_timeout(consume, 100),
        )

    client = accept_one(net, runtime, connect, on_connection, lambda client: client.send(b"bye").shutdown().read_until_eof())
    assert client.wait().eof
    assert log == [("before consuming", []), ("data", b"bye"), ("end", None), ("close", False)]
