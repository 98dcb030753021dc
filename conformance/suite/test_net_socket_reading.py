# Reading from an accepted socket (CLAUSES.md section K): it reads from the
# kernel at once and buffers until something consumes the data (K154), 'data'
# hands bytes or, after set_encoding, str, and a flowing socket without a
# 'data' listener drops what it reads (K156), pipe() (K161), pause()/resume()
# (K162).
#
# Node: doc/api/net.md Event 'data', socket.setEncoding, socket.pause/resume,
# the net.createServer echo example; doc/api/stream.md Two reading modes,
# readable.setEncoding, readable.pipe; lib/net.js Socket (read(0) on an
# accepted handle unless pauseOnConnect).

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import Connect, PlainClient

from ._net_helpers import LOOPBACK, Log, accept_one, poll_until, port_of

if TYPE_CHECKING:
    from nodeapi.net import NetModule, PipeOptions, Server, Socket

pytestmark = pytest.mark.requires("net")



def joined(chunks: list[bytes | str]) -> bytes:
    assert all(isinstance(chunk, bytes) for chunk in chunks), f"'data' gave {chunks!r}"
    return b"".join(chunk for chunk in chunks if isinstance(chunk, bytes))


def wait_for(event: threading.Event) -> Callable[[object], None]:
    """A client step that waits until the server side sets ``event``."""

    def step(raw: object) -> None:
        if not event.wait(5):
            raise AssertionError("the server never signalled the client")

    return step


# ------------------------------------------------------------------- K154


@pytest.mark.clause("K154")
@pytest.mark.parametrize("consumer", ["data listener", "pipe"])
def test_data_read_before_anything_consumes_it_is_buffered_not_lost(
    net: NetModule, runtime: Runtime, connect: Connect, consumer: str
) -> None:
    seen: dict[str, Any] = {}
    received: list[bytes | str] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        seen["flowing at connection"] = sock.readable_flowing

        def consume() -> None:
            # Read from the kernel already (bytes_read counts it), held in the buffer.
            seen["before consuming"] = (sock.bytes_read, sock.readable_length, sock.readable_flowing)
            if consumer == "pipe":
                sock.pipe(sock)  # echo what was buffered back to the client
            else:
                sock.on("data", received.append)
                sock.on("end", sock.end)

        poll_until(runtime, lambda: sock.readable_length == 11, lambda: runtime.set_timeout(consume, 50))

    client = accept_one(
        net, runtime, connect, on_connection,
        lambda client: client.send(b"hello world").shutdown().read_until_eof().close(),
        options={"allow_half_open": True},
    )
    transcript = client.wait()
    assert seen == {"flowing at connection": None, "before consuming": (11, 11, None)}
    if consumer == "pipe":
        assert transcript.received == b"hello world"
    else:
        assert joined(received) == b"hello world"
    assert transcript.eof


# ------------------------------------------------------------------- K156


@pytest.mark.clause("K156")
def test_data_is_bytes_by_default(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    received: list[bytes | str] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        sock.on("data", received.append)

    accept_one(net, runtime, connect, on_connection, lambda client: client.send(b"\x00\xff\xc3").close()).wait()
    assert joined(received) == b"\x00\xff\xc3"


@pytest.mark.clause("K156")
def test_set_encoding_makes_data_str_and_keeps_a_split_character_whole(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    # "é" is b"\xc3\xa9" in UTF-8; the client sends its two bytes apart, and the
    # stream's decoder holds the first until the second arrives (stream.md
    # readable.setEncoding).
    received: list[bytes | str] = []
    returned: list[bool] = []
    first_read = threading.Event()

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        returned.append(sock.set_encoding("utf8") is sock)

        def on_data(chunk: bytes | str) -> None:
            received.append(chunk)
            first_read.set()

        sock.on("data", on_data)

    accept_one(
        net, runtime, connect, on_connection,
        lambda client: client.send(b"a\xc3").call("wait", wait_for(first_read)).send(b"\xa9b").close(),
    ).wait()
    assert returned == [True]
    assert all(isinstance(chunk, str) for chunk in received), received
    assert "".join(chunk for chunk in received if isinstance(chunk, str)) == "a\u00e9b"
    assert received[0] == "a"  # the lone lead byte was held back, not decoded


@pytest.mark.clause("K156")
def test_a_flowing_socket_without_a_data_listener_loses_what_it_reads(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    received: list[bytes | str] = []
    listening = threading.Event()

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        sock.resume()  # flowing, with nobody listening

        def attach() -> None:
            sock.on("data", received.append)
            listening.set()  # only now does the client send what must arrive

        poll_until(runtime, lambda: sock.bytes_read == 4, lambda: runtime.set_timeout(attach, 20))

    accept_one(
        net, runtime, connect, on_connection,
        lambda client: client.send(b"lost").call("wait", wait_for(listening)).send(b"kept").close(),
    ).wait()
    assert joined(received) == b"kept"


# ------------------------------------------------------------------- K161


@pytest.mark.clause("K161")
@pytest.mark.parametrize("size", [64, 1 << 20], ids=["64B", "1MiB"])
def test_pipe_to_itself_is_an_echo_server(net: NetModule, runtime: Runtime, connect: Connect, size: int) -> None:
    # The net.createServer example: socket.pipe(socket).
    message = bytes(range(256)) * (size // 256) if size >= 256 else b"e" * size
    returned: list[bool] = []
    closed: list[bool] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        returned.append(sock.pipe(sock) is sock)
        sock.on("close", closed.append)

    def steps(client: PlainClient) -> None:
        # In 64 KiB rounds, so neither side's buffers have to hold it all.
        chunk = 1 << 16
        for start in range(0, len(message), chunk):
            piece = message[start : start + chunk]
            client.send(piece).read_exactly(len(piece))
        client.shutdown().read_until_eof().close()

    transcript = accept_one(net, runtime, connect, on_connection, steps, timeout=10).wait()
    assert returned == [True]
    assert transcript.received == message
    assert transcript.eof
    assert closed == [False]


@pytest.mark.clause("K161")
@pytest.mark.parametrize(("options", "ends"), [(None, True), ({"end": True}, True), ({"end": False}, False)])
def test_pipe_ends_the_destination_when_the_source_ends(
    net: NetModule, runtime: Runtime, connect: Connect, options: PipeOptions | None, ends: bool
) -> None:
    # With allow_half_open nothing but pipe() ends the writable side when the
    # client's FIN arrives; {'end': False} leaves it open (stream.md readable.pipe).
    log: Log = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        if options is None:
            sock.pipe(sock)
        else:
            sock.pipe(sock, options)

        def after_end() -> None:
            log.append(("writable_ended after 'end'", sock.writable_ended))
            if not sock.writable_ended:
                sock.end(b"[ended by the test]")

        sock.on("end", lambda: runtime.set_timeout(after_end, 100))
        sock.on("close", lambda had_error: log.append(("close", had_error)))

    transcript = accept_one(
        net, runtime, connect, on_connection,
        lambda client: client.send(b"ping").read_exactly(4).shutdown().read_until_eof().close(),
        options={"allow_half_open": True},
    ).wait()
    if ends:  # ended by pipe(), so closed as soon as the FIN is out
        assert log == [("close", False), ("writable_ended after 'end'", True)]
    else:
        assert log == [("writable_ended after 'end'", False), ("close", False)]
    assert transcript.received == (b"ping" if ends else b"ping[ended by the test]")
    assert transcript.eof


@pytest.mark.clause("K161")
def test_pipe_between_two_connections_returns_the_destination(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    # A one-way relay: what the first client sends reaches the second; the
    # first client's FIN ends the second connection.
    returned: list[bool] = []
    clients: dict[str, PlainClient] = {}
    closed: list[bool] = []
    piped = threading.Event()

    def main() -> None:
        sockets: list[Socket] = []
        server = net.create_server({"allow_half_open": True})

        def on_connection(sock: Socket) -> None:
            sockets.append(sock)
            sock.on("close", closed.append)
            if len(sockets) == 1:  # the sender; now let the receiver in
                clients["receiver"] = connect((LOOPBACK, port_of(server))).read_until_eof().close()
                return
            sender, receiver = sockets
            server.close()
            returned.append(sender.pipe(receiver) is receiver)
            sender.on("end", sender.end)
            receiver.resume()  # to see the receiving client's FIN
            piped.set()

        server.on("connection", on_connection)

        def listening() -> None:
            clients["sender"] = (
                connect((LOOPBACK, port_of(server)))
                .call("wait", wait_for(piped))
                .send(b"relayed")
                .shutdown()
                .read_until_eof()
                .close()
            )

        server.listen(0, LOOPBACK, listening)

    runtime.run(main, timeout=5)
    assert returned == [True]
    receiver = clients["receiver"].wait()
    assert receiver.received == b"relayed"
    assert receiver.eof
    assert clients["sender"].wait().eof
    assert closed == [False, False]


# ------------------------------------------------------------------- K162


@pytest.mark.clause("K162")
def test_pause_stops_data_and_resume_restarts_it(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    log: Log = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        log.append(("pause returned the socket", sock.pause() is sock))
        log.append(("paused", (sock.is_paused(), sock.readable_flowing)))
        def on_data(chunk: bytes | str) -> None:
            log.append(("data", chunk))
            sock.end()

        # A 'data' listener added after an explicit pause() does not resume it.
        sock.on("data", on_data)

        def resume() -> None:
            log.append(("before resume", (sock.readable_length, sock.is_paused())))
            log.append(("resume returned the socket", sock.resume() is sock))
            log.append(("resumed", (sock.is_paused(), sock.readable_flowing)))

        poll_until(runtime, lambda: sock.readable_length == 6, lambda: runtime.set_timeout(resume, 50))

    accept_one(net, runtime, connect, on_connection, lambda client: client.send(b"paused").read_until_eof().close())
    assert log == [
        ("pause returned the socket", True),
        ("paused", (True, False)),
        ("before resume", (6, True)),
        ("resume returned the socket", True),
        ("resumed", (False, True)),
        ("data", b"paused"),
    ]
