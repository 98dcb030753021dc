# Writing to an accepted socket (CLAUSES.md section K): write()'s return value,
# 'drain' and the callback (K157), end() (K158), writes after one's own end
# (K159), end(cb) on a destroyed socket (K160), and the byte counters (K171).
#
# Node: doc/api/net.md socket.write, Event 'drain', socket.end,
# socket.bytesRead/bytesWritten; doc/api/stream.md writable.write ("the
# callback is called asynchronously and before 'error' is emitted"),
# writable.end, Event 'finish'; lib/internal/streams/writable.js end()
# (ERR_STREAM_DESTROYED, ERR_STREAM_WRITE_AFTER_END).

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import Connect, PlainClient

from ._net_helpers import Log, accept_one, names

if TYPE_CHECKING:
    from nodeapi.net import NetModule, Server, Socket

pytestmark = pytest.mark.requires("net")




def code_of(value: object) -> str | None:
    assert isinstance(value, Exception), f"expected an error, got {value!r}"
    return getattr(value, "code", None)


# ------------------------------------------------------------------- K157


@pytest.mark.clause("K157")
def test_write_returns_true_when_the_kernel_takes_the_data(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    # A reading peer and empty buffers: each write is flushed to the kernel at
    # once, even one larger than the high-water mark.
    log: Log = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        log.append(("small", sock.write(b"abc", lambda err: log.append(("small callback", err)))))
        log.append(("str", sock.write("\u00e9", lambda err: log.append(("str callback", err)))))
        log.append(("large", sock.write(b"L" * 4096, lambda err: log.append(("large callback", err)))))
        sock.end()

    transcript = accept_one(
        net, runtime, connect, on_connection, options={"high_water_mark": 1024}
    ).wait()
    assert log[:3] == [("small", True), ("str", True), ("large", True)]
    assert log[3:] == [("small callback", None), ("str callback", None), ("large callback", None)]
    assert transcript.received == b"abc\xc3\xa9" + b"L" * 4096  # str is sent as UTF-8


@pytest.mark.clause("K157")
@pytest.mark.parametrize(
    ("args", "sent"),
    [
        (("6869", "hex"), b"hi"),
        (("aGk=", "base64"), b"hi"),
        (("h\u00e9", "latin1"), b"h\xe9"),
        (("h\u00e9", "utf8"), b"h\xc3\xa9"),
        (("h\u00e9", None), b"h\xc3\xa9"),
    ],
    ids=["hex", "base64", "latin1", "utf8", "none"],
)
def test_write_encodes_a_str_with_the_given_encoding(
    net: NetModule, runtime: Runtime, connect: Connect, args: tuple[str, str | None], sent: bytes
) -> None:
    callbacks: list[object] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        sock.write(args[0], args[1], callbacks.append)
        sock.end()

    transcript = accept_one(net, runtime, connect, on_connection).wait()
    assert transcript.received == sent
    assert callbacks == [None]


@pytest.mark.clause("K157")
def test_write_returns_false_when_data_queues_and_drain_follows(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    # The client does not read until the server has seen write() return False:
    # the kernel's buffers fill, and the rest queues in the socket.
    log: Log = []
    total = 0
    queued = threading.Event()
    chunk = b"q" * (1 << 16)

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        nonlocal total
        callbacks: list[object] = []
        writes = 0
        while writes < 2000:  # 128 MiB at most: far above any socket buffer
            writes += 1
            total += len(chunk)
            if not sock.write(chunk, callbacks.append):
                break
        log.append(("write returned False", (writes < 2000, sock.writable_length > 0)))
        queued.set()

        def on_drain() -> None:
            log.append(("drain", sock.writable_length))
            sock.end(lambda err: log.append(("callbacks", (len(callbacks) == writes, set(callbacks)))))

        sock.on("drain", on_drain)

    transcript = accept_one(
        net, runtime, connect, on_connection,
        lambda client: client.call("wait", lambda raw: queued.wait(5)).read_until_eof().close(),
        options={"high_water_mark": 1024},
        timeout=10,
    ).wait()
    assert log == [("write returned False", (True, True)), ("drain", 0), ("callbacks", (True, {None}))]
    assert len(transcript.received) == total
    assert transcript.eof


# ------------------------------------------------------------------- K158


@pytest.mark.clause("K158")
@pytest.mark.parametrize(
    ("args", "sent"),
    [((), b""), ((b"bye",), b"bye"), (("6279", "hex"), b"by")],
    ids=["nothing", "data", "data_encoding"],
)
def test_end_sends_fin_returns_the_socket_and_calls_back_once_finished(
    net: NetModule, runtime: Runtime, connect: Connect, args: tuple[Any, ...], sent: bytes
) -> None:
    log: Log = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        sock.on("finish", lambda: log.append(("finish", None)))
        def callback(err: Exception | None) -> None:
            log.append(("callback", (err, sock.writable_finished)))

        if len(args) == 2:
            returned = sock.end(args[0], args[1], callback)
        elif args:
            returned = sock.end(args[0], callback)
        else:
            returned = sock.end(callback)
        log.append(("returned the socket", returned is sock))
        sock.resume()

    # The client sees the FIN with the connection still open for its own data.
    transcript = accept_one(
        net, runtime, connect, on_connection,
        lambda client: client.read_until_eof().send(b"after").close(),
        options={"allow_half_open": True},
    ).wait()
    assert transcript.received == sent
    assert transcript.eof
    assert transcript.error is None
    assert log[0] == ("returned the socket", True)
    assert sorted(names(log[1:])) == ["callback", "finish"]
    assert ("callback", (None, True)) in log


# ------------------------------------------------------------------- K159


@pytest.mark.clause("K159")
def test_a_write_after_ones_own_end_fails_and_is_an_error(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    log: Log = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        sock.on("error", lambda err: log.append(("error", err)))
        sock.on("finish", lambda: log.append(("finish", None)))
        sock.on("close", lambda had_error: log.append(("close", had_error)))
        sock.end(b"a")
        log.append(("write", sock.write(b"b", lambda err: log.append(("callback", err)))))

    transcript = accept_one(net, runtime, connect, on_connection).wait()
    # The callback first, then 'error' with the same error, then 'close'(True).
    assert names(log) == ["write", "callback", "error", "close"]
    assert log[0] == ("write", False)
    err = log[1][1]
    assert code_of(err) == "ERR_STREAM_WRITE_AFTER_END"
    assert log[2][1] is err
    assert log[3] == ("close", True)
    assert transcript.eof


# ------------------------------------------------------------------- K160


def end_then_destroy(sock: Socket, callback: Callable[[Exception | None], object]) -> None:
    sock.end(b"data", callback)  # still pending when destroy() comes
    sock.destroy()


def destroy_with_error_then_end(sock: Socket, callback: Callable[[Exception | None], object]) -> None:
    sock.on("error", lambda err: None)
    sock.destroy(RuntimeError("destroyed on purpose"))
    sock.end(callback)


def end_destroy_end(sock: Socket, callback: Callable[[Exception | None], object]) -> None:
    sock.end()
    sock.destroy()
    sock.end(callback)


@pytest.mark.clause("K160")
@pytest.mark.parametrize("sequence", [end_then_destroy, destroy_with_error_then_end, end_destroy_end], ids=lambda f: f.__name__)
def test_end_callback_on_a_destroyed_socket_gets_err_stream_destroyed(
    net: NetModule,
    runtime: Runtime,
    connect: Connect,
    sequence: Callable[[Socket, Callable[[Exception | None], object]], None],
) -> None:
    callbacks: list[Exception | None] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        sequence(sock, callbacks.append)

    accept_one(net, runtime, connect, on_connection).wait()
    assert len(callbacks) == 1
    assert code_of(callbacks[0]) == "ERR_STREAM_DESTROYED"


# ------------------------------------------------------------------- K171


@pytest.mark.clause("K171")
def test_byte_counters_count_bytes_and_survive_destroy(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    counts: dict[str, tuple[int, int]] = {}

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        counts["connection"] = (sock.bytes_read, sock.bytes_written)

        def written(err: Exception | None) -> None:
            counts["written"] = (sock.bytes_read, sock.bytes_written)
            sock.destroy()
            counts["destroyed"] = (sock.bytes_read, sock.bytes_written)
            sock.on("close", lambda had_error: counts.setdefault("closed", (sock.bytes_read, sock.bytes_written)))

        def on_data(chunk: bytes | str) -> None:
            if sock.bytes_read < 5:
                return  # the five bytes came in more than one read
            counts["data"] = (sock.bytes_read, sock.bytes_written)
            sock.write("\u00e9")  # two bytes in UTF-8
            sock.write(b"xyz", written)

        sock.on("data", on_data)

    transcript = accept_one(
        net, runtime, connect, on_connection, lambda client: client.send(b"hello").read_until_eof().close()
    ).wait()
    assert transcript.received == b"\xc3\xa9xyz"
    assert counts == {
        "connection": (0, 0),
        "data": (5, 0),
        "written": (5, 5),
        "destroyed": (5, 5),
        "closed": (5, 5),
    }
