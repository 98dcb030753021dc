# mypy: enable-error-code="deprecated"
# Type-level cases for the server side of net.Socket (stubs/nodeapi/net.pyi): write/end call shapes
# and their callbacks, chain methods, properties, per-event listener types. Never run (see
# check_events.py for how these files work).
from __future__ import annotations

from typing_extensions import Never, assert_type

from nodeapi.events import EventEmitter, EventsModule
from nodeapi.net import AddressInfo, NetModule, Server, Socket


def written(error: Exception | None) -> None: ...


def no_parameters() -> None: ...


def takes_int(value: int) -> None: ...


def write_shapes(socket: Socket) -> None:
    # write(data[, encoding][, callback]) (K157)
    assert_type(socket.write(b"hello\r\n"), bool)
    assert_type(socket.write("hello\r\n"), bool)
    assert_type(socket.write(bytearray(b"x")), bool)
    assert_type(socket.write(memoryview(b"x")), bool)
    assert_type(socket.write("aGk=", "base64"), bool)
    assert_type(socket.write("hi", "utf8", written), bool)
    assert_type(socket.write("hi", None, written), bool)
    assert_type(socket.write(b"hi", written), bool)
    assert_type(socket.write(b"hi", lambda err: None), bool)
    socket.write(42)  # type: ignore[call-overload]
    socket.write(None)  # type: ignore[call-overload]
    socket.write(b"hi", no_parameters)  # type: ignore[arg-type]
    socket.write(b"hi", "utf8", written, None)  # type: ignore[call-overload]


def end_shapes(socket: Socket) -> None:
    # end([data[, encoding]][, callback]) (K158): returns the socket.
    assert_type(socket.end(), Socket)
    assert_type(socket.end(written), Socket)
    assert_type(socket.end(b"bye"), Socket)
    assert_type(socket.end("bye", written), Socket)
    assert_type(socket.end("Ynll", "base64"), Socket)
    assert_type(socket.end("bye", "utf8", written), Socket)
    socket.end(42)  # type: ignore[call-overload]
    socket.end(no_parameters)  # type: ignore[arg-type]


def pipe_returns_the_destination(socket: Socket, other: Socket) -> None:
    # K161: src.pipe(dest) returns dest; the echo server is socket.pipe(socket).
    assert_type(socket.pipe(socket), Socket)
    assert_type(socket.pipe(other, {"end": False}), Socket)
    socket.pipe(other, {"end_": False})  # type: ignore[arg-type]
    socket.pipe("not a stream")  # type: ignore[type-var]


def chain_methods(socket: Socket) -> None:
    assert_type(socket.pause().resume(), Socket)
    assert_type(socket.set_encoding("utf8"), Socket)
    assert_type(socket.set_encoding(), Socket)
    assert_type(socket.set_timeout(1000), Socket)
    assert_type(socket.set_timeout(0, no_parameters), Socket)
    assert_type(socket.set_no_delay(), Socket)
    assert_type(socket.set_no_delay(False), Socket)
    assert_type(socket.set_keep_alive(True, 1000), Socket)
    assert_type(socket.ref().unref(), Socket)
    assert_type(socket.destroy(), Socket)
    assert_type(socket.destroy(ValueError("boom")), Socket)
    assert_type(socket.reset_and_destroy(), Socket)
    assert_type(socket.on("data", print).once("end", no_parameters), Socket)
    socket.set_timeout(1000, takes_int)  # type: ignore[arg-type]
    socket.destroy("not an error")  # type: ignore[arg-type]


def properties(socket: Socket) -> None:
    assert_type(socket.is_paused(), bool)
    assert_type(socket.destroyed, bool)
    assert_type(socket.timeout, float | None)
    assert_type(socket.local_address, str | None)
    assert_type(socket.local_port, int | None)
    assert_type(socket.local_family, str | None)
    assert_type(socket.remote_address, str | None)
    assert_type(socket.remote_port, int | None)
    assert_type(socket.remote_family, str | None)
    assert_type(socket.bytes_read, int)
    assert_type(socket.bytes_written, int)
    assert_type(socket.ready_state, str)
    assert_type(socket.readable, bool)
    assert_type(socket.writable, bool)
    assert_type(socket.readable_flowing, bool | None)
    assert_type(socket.readable_length, int)
    assert_type(socket.writable_length, int)
    assert_type(socket.readable_high_water_mark, int)
    assert_type(socket.writable_high_water_mark, int)
    assert_type(socket.readable_ended, bool)
    assert_type(socket.writable_ended, bool)
    assert_type(socket.writable_finished, bool)
    assert_type(socket.allow_half_open, bool)
    assert_type(socket.server, Server | None)
    socket.destroyed = True  # type: ignore[misc]
    socket.bytes_read = 0  # type: ignore[misc]


def address(socket: Socket) -> None:
    # {port, family, address} for TCP; {} for an IPC socket (K168).
    info = socket.address()
    assert_type(info, AddressInfo | dict[str, Never])
    assert_type(info["port"], int)  # reading a key of {} raises KeyError, as it should


def a_socket_is_an_event_emitter(socket: Socket, events: EventsModule) -> None:
    emitter: EventEmitter = socket
    events.once(socket, "end")


def constructor(net: NetModule) -> None:
    assert_type(net.Socket(), Socket)
    assert_type(net.Socket({"allow_half_open": True}), Socket)
    net.Socket({"allowHalfOpen": True})  # type: ignore[arg-type]


def event_specific_listeners(socket: Socket) -> None:
    def on_data(data: bytes | str) -> None: ...

    def on_close(had_error: bool) -> None: ...

    assert_type(socket.on("data", on_data), Socket)
    assert_type(socket.on("data", lambda chunk: chunk.upper()), Socket)
    assert_type(socket.on("end", no_parameters), Socket)
    assert_type(socket.on("finish", no_parameters), Socket)
    assert_type(socket.on("close", on_close), Socket)
    assert_type(socket.on("close", lambda had_error: print(not had_error)), Socket)
    assert_type(socket.on("error", lambda err: print(err.args)), Socket)
    assert_type(socket.on("drain", no_parameters), Socket)
    assert_type(socket.on("timeout", lambda: socket.end()), Socket)
    assert_type(socket.on("readable", no_parameters), Socket)  # an undocumented event: the fallback


def mismatched_listeners(socket: Socket) -> None:
    def only_bytes(data: bytes) -> None: ...

    # 'data' is a str after set_encoding() (K156): a listener must take both.
    socket.on("data", only_bytes)  # type: ignore[deprecated]
    socket.on("data", no_parameters)  # type: ignore[deprecated]
    socket.once("close", no_parameters)  # type: ignore[deprecated]
    socket.on("end", takes_int)  # type: ignore[deprecated]
    socket.on("timeout", lambda: socket.no_such_method())  # type: ignore[attr-defined]


def emit_arguments(socket: Socket) -> None:
    assert_type(socket.emit("data", b"x"), bool)
    assert_type(socket.emit("close", False), bool)
    assert_type(socket.emit("error", OSError()), bool)
    socket.emit("close")  # type: ignore[deprecated]
    socket.emit("data", 1)  # type: ignore[deprecated]
