# net.Socket, the server side: a Duplex over one accepted connection
# (lib/net.js Socket), and the handle under it (Node's TCPWrap/PipeWrap).
#
# The handle, _Connection, is an asyncio Protocol: the loop's own transport
# does the I/O (uvloop's C transport on uvloop), and the Protocol callbacks
# are Node's stream-handle callbacks (onStreamRead, write completion,
# shutdown). Its life:
#
#   RAW        the accepted socket object only (a pause_on_connect socket
#              stays here until something reads or writes: nothing at all is
#              read from the kernel, as Node's readStop() promises);
#   ATTACHING  loop.connect_accepted_socket() is creating the transport;
#              writes and a shutdown wait in the handle until it is there;
#   OPEN       the transport is attached;
#   CLOSING    close() or reset() was called; connection_lost() will say when
#              the descriptor is gone;
#   CLOSED     the close callback ran (Node's 'close' event).
#
# Speed: the echo path (data in, 'data' out, write() back) must cost little
# more than a bare Protocol that echoes. Two flags, _fast_read and
# _fast_write, say "nothing unusual is going on" (flowing, nothing buffered,
# no timeout, nothing in flight...); while they hold, a chunk goes from the
# transport to the 'data' listeners and from write() to the transport with
# no stream bookkeeping. Any change of state clears them; the slow path,
# which is Node's full logic (_stream.Duplex), sets them again.

from __future__ import annotations

import asyncio
import asyncio.selector_events
import errno as _errno
import math
import os
import socket as _socket
import struct
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Never, Self, cast

from .._errors import NodeError, NodeSystemError, NodeTypeError, system_error
from .._process import Handle, Process
from ..events._capture import listener_returned
from ._stream import Duplex, ErrorCallback
from ._types import AddressInfo
from ._validators import err_invalid_arg_value, is_number, js_to_int32, js_truthy, validate_function, validate_number

if TYPE_CHECKING:
    from ._server import Server

__all__ = ["Socket"]

# stream.getDefaultHighWaterMark() in Node 24 (64 KiB since Node 22).
DEFAULT_HIGH_WATER_MARK = 65536
# lib/internal/timers.js TIMEOUT_MAX
_TIMEOUT_MAX = 2**31 - 1

_RAW, _ATTACHING, _OPEN, _CLOSING, _CLOSED = range(5)


def _family_name(family: int) -> str:
    return "IPv6" if family == _socket.AF_INET6 else "IPv4"


def address_info(sock: _socket.socket, peer: bool) -> AddressInfo:
    """getsockname/getpeername as Node reports it: {address, family, port}."""
    name = sock.getpeername() if peer else sock.getsockname()
    return {"address": name[0], "family": _family_name(sock.family), "port": name[1]}


def errno_exception(error: OSError, syscall: str) -> NodeSystemError:
    """Node's ErrnoException for an OSError: code, errno (negative), syscall."""
    number = error.errno if isinstance(error.errno, int) else _errno.EIO
    return system_error(number, syscall)


class _Connection(Handle):
    """The stream handle of one accepted connection (see connection_handle() for the concrete classes)."""

    def __init__(self, process: Process, sock: _socket.socket) -> None:
        Handle.__init__(self, process)
        self.sock = sock
        self.is_tcp = sock.family != _socket.AF_UNIX
        self.owner: Socket | None = None
        self.state = _RAW
        self.transport: asyncio.Transport | None = None
        self.reading = False  # Node's handle.reading: the stream wants data
        self.read_stopped = False  # pause_reading() is in effect on the transport
        self.stash: list[bytes | None] = []  # data that arrived while not reading
        self.pending_writes: list[bytes] = []  # written before the transport existed
        self.shutdown_callback: Callable[[Exception | None], None] | None = None
        self.close_callback: Callable[[], None] | None = None
        self.resetting = False
        self.attach_started = False
        self.attach_task: asyncio.Task[Any] | None = None
        self._activate()

    # -- the handle API the Socket uses

    def attach(self) -> None:
        """Create the transport (once): the socket starts reading and writing."""
        if self.state != _RAW:
            return
        self.state = _ATTACHING
        self.attach_task = self._process.loop.create_task(self._attach())
        self.attach_task.add_done_callback(self._attached)

    async def _attach(self) -> None:
        self.attach_started = True
        await self._process.loop.connect_accepted_socket(lambda: cast(asyncio.Protocol, self), self.sock)

    def _attached(self, task: asyncio.Task[Any]) -> None:
        self.attach_task = None
        if task.cancelled():
            return
        error = task.exception()
        if error is not None and self.state != _CLOSED:
            # The transport could not be made: the handle is dead (its socket
            # too, if connect_accepted_socket failed before taking it).
            self.sock.close()
            self.state = _CLOSING
            self._closed(error if isinstance(error, OSError) else OSError(_errno.EBADF, str(error)))

    def read_start(self) -> None:
        self.reading = True
        state = self.state
        if state == _RAW:
            self.attach()
        elif state == _OPEN:
            if self.stash:
                self._process.loop.call_soon(self._replay_stash)
            elif self.read_stopped:
                self.read_stopped = False
                self.transport.resume_reading()  # type: ignore[union-attr]

    def read_stop(self) -> None:
        self.reading = False
        if self.state == _OPEN and not self.read_stopped:
            self.read_stopped = True
            self.transport.pause_reading()  # type: ignore[union-attr]

    def _replay_stash(self) -> None:
        # What arrived while the stream was not reading, delivered as reads.
        while self.stash and self.reading and self.state == _OPEN:
            data = self.stash.pop(0)
            if data is None:
                self.eof_received()
            else:
                self.data_received(data)
        if self.reading and self.state == _OPEN and self.read_stopped:
            self.read_stopped = False
            self.transport.resume_reading()  # type: ignore[union-attr]

    def write(self, data: bytes) -> bool | Exception:
        """Dispatch ``data``: True if it was written at once, False if it is
        in flight, or the error the kernel gave."""
        state = self.state
        if state == _OPEN:
            try:
                self.transport.write(data)  # type: ignore[union-attr]
            except RuntimeError:
                return True  # the transport died under us: connection_lost() is on its way
            return not self.owner._write_paused  # type: ignore[union-attr]
        if state in (_RAW, _ATTACHING) and not self.pending_writes:
            # No transport yet (a write from the 'connection' listener): write
            # to the kernel now, as libuv's uv_try_write does for Node, and
            # queue only what it does not take.
            try:
                sent = self.sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError as exc:
                return errno_exception(exc, "write")
            if sent == len(data):
                return True
            data = data[sent:]
        self.pending_writes.append(data)
        self.attach()
        return False

    def shutdown(self, callback: Callable[[Exception | None], None]) -> None:
        """Send FIN once everything written is out; ``callback`` when done (a later loop turn)."""
        state = self.state
        if state == _OPEN or (state in (_RAW, _ATTACHING) and not self.pending_writes):
            error: Exception | None = None
            try:
                if state == _OPEN:
                    self.transport.write_eof()  # type: ignore[union-attr]
                else:
                    self.sock.shutdown(_socket.SHUT_WR)
            except OSError as exc:
                if exc.errno != _errno.ENOTCONN:
                    error = errno_exception(exc, "shutdown")
            except RuntimeError:
                pass  # already closing: nothing more to send
            self._process.loop.call_soon(self._process.invoke, callback, error)
        else:
            self.shutdown_callback = callback
            self.attach()

    def close(self, callback: Callable[[], None], reset: bool = False) -> None:
        """Close (Node's handle.close / handle.reset); ``callback`` once the descriptor is gone."""
        state = self.state
        if state == _CLOSED:
            # Already gone under us (a reset): the callback still comes on a later turn.
            self._process.loop.call_soon(self._process.invoke, callback)
            return
        self.close_callback = callback
        self.resetting = reset
        if state == _RAW:
            if reset:
                self._set_linger_zero()
            self.sock.close()
            self.state = _CLOSING
            self._process.loop.call_soon(self._closed, None)
        elif state == _OPEN:
            self.state = _CLOSING
            if reset:
                self._set_linger_zero()
            self.transport.abort()  # type: ignore[union-attr]
        elif state == _ATTACHING:
            self.state = _CLOSING  # connection_made() will abort the new transport

    def _set_linger_zero(self) -> None:
        # uv_tcp_close_reset: SO_LINGER {on, 0} makes close() send an RST.
        try:
            self.sock.setsockopt(_socket.SOL_SOCKET, _socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass

    def _closed(self, error: Exception | None) -> None:
        if self.state == _CLOSED:
            return
        self.state = _CLOSED
        self.transport = None
        self._deactivate()
        owner = self.owner
        callback, self.close_callback = self.close_callback, None
        if callback is not None:
            self._process.invoke(callback)
        elif owner is not None:
            # Lost without close(): the connection failed under the stream.
            self._process.invoke(owner._on_handle_lost, error)

    # -- asyncio.Protocol: the transport's callbacks

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # (uvloop's transports are not asyncio.Transport subclasses, only alike)
        transport = cast(asyncio.Transport, transport)
        self.transport = transport
        if self.state == _CLOSING:
            if self.resetting:
                self._set_linger_zero()
            transport.abort()
            return
        self.state = _OPEN
        # pause_writing() as soon as anything is buffered, resume_writing() once
        # it is all out: that is when a write "completes" (Node's onWriteComplete).
        transport.set_write_buffer_limits(high=0, low=0)
        owner = self.owner
        if self.is_tcp and owner is not None:
            # asyncio and uvloop switch Nagle off on every transport; Node
            # leaves it on unless asked (clause B55).
            try:
                self.sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1 if owner._no_delay else 0)
            except OSError:
                pass
        if not self.reading:
            self.read_stopped = True
            transport.pause_reading()
        if self.pending_writes:
            writes, self.pending_writes = self.pending_writes, []
            for data in writes:
                transport.write(data)
            if owner is not None and not owner._write_paused:
                self._process.invoke(owner._after_inflight_writes)
        if self.shutdown_callback is not None:
            callback, self.shutdown_callback = self.shutdown_callback, None
            self.shutdown(callback)
        if owner is not None:
            self._process.invoke(owner._refresh_fast_paths)

    def data_received(self, data: bytes) -> None:
        owner = self.owner
        if owner._fast_read:  # type: ignore[union-attr]
            # The hot path: flowing, nothing buffered, so the chunk is a 'data'
            # event now. This is Process.invoke written out (it is the loop's
            # callback boundary: an exception is the uncaught one, and the
            # nextTick queue is drained after), to save a call per chunk.
            process = self._process
            if process._halted:
                return
            owner._bytes_read += len(data)  # type: ignore[union-attr]
            process._in_callback += 1
            try:
                # emit('data', data), with the one-listener case inlined: a
                # bare listener in the store is EventEmitter's own shortcut.
                handler = owner._events.get("data")  # type: ignore[union-attr]
                if handler is not None and handler.__class__ is not tuple:
                    result = handler(data)
                    if result is not None:
                        listener_returned(owner, result, "data", (data,))  # type: ignore[arg-type]
                else:
                    owner.emit("data", data)  # type: ignore[union-attr]
            except Exception as exc:  # noqa: BLE001 - the uncaught exception
                process.uncaught(exc)
            finally:
                process._in_callback -= 1
                if not process._in_callback and process._ticks:
                    process._drain_ticks()
            return
        if not self.reading:
            self._stash(data)
            return
        self._process.invoke(owner._on_stream_read, data)  # type: ignore[union-attr]

    def _stash(self, data: bytes | None) -> None:
        # uvloop starts reading right after connection_made() whatever it
        # asked for: keep what arrives for when the stream reads again.
        self.stash.append(data)
        if self.state == _OPEN and not self.read_stopped:
            self.read_stopped = True
            self.transport.pause_reading()  # type: ignore[union-attr]

    def eof_received(self) -> bool:
        if not self.reading:
            self._stash(None)
            return True
        self._process.invoke(self.owner._on_stream_eof)  # type: ignore[union-attr]
        return True  # keep the write side open: the stream decides (allow_half_open)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.state == _CLOSED:
            return
        self.state = _CLOSING
        self._closed(exc)

    def pause_writing(self) -> None:
        if self.owner is not None:
            self.owner._write_paused = True
            self.owner._fast_write = False

    def resume_writing(self) -> None:
        owner = self.owner
        if owner is not None:
            owner._write_paused = False
            self._process.invoke(owner._after_inflight_writes)

    # -- process.Handle

    def _describe(self) -> str:
        kind = "TCP" if self.is_tcp else "Pipe"
        try:
            where = self.sock.getpeername() if self.is_tcp else self.sock.getsockname()
        except OSError:
            where = "closed"
        return f"Socket({kind} {where!r})"

    def _force_close(self) -> None:
        self._deactivate()
        if self.transport is not None:
            self.transport.abort()
        elif self.attach_task is not None and self.attach_started:
            self.attach_task.cancel()  # connect_accepted_socket closes what it made
        else:
            if self.attach_task is not None:
                self.attach_task.cancel()
            self.sock.close()
        self.state = _CLOSED


class _PlainConnection(_Connection, asyncio.Protocol):
    """On uvloop: its C transport hands over each read as a bytes object of the right size."""


# asyncio's plain-Protocol read path allocates max_size (256 KiB) for every
# recv() and shrinks it; depending on the allocator's state that costs a
# mmap/munmap per read. A BufferedProtocol reads into one buffer instead
# (64 KiB: what libuv gives Node for a read, so chunks are the same size) and
# the chunk is copied out at once, so one buffer serves every connection of a
# loop (one per loop: recv_into runs without the GIL).
_READ_BUFFER_SIZE = 65536
_read_buffers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, memoryview] = weakref.WeakKeyDictionary()


class _BufferedConnection(_Connection, asyncio.BufferedProtocol):
    """On asyncio's selector loop: reads go into the loop's read buffer (see above)."""

    def __init__(self, process: Process, sock: _socket.socket) -> None:
        _Connection.__init__(self, process, sock)
        view = _read_buffers.get(process.loop)
        if view is None:
            view = _read_buffers[process.loop] = memoryview(bytearray(_READ_BUFFER_SIZE))
        self._view = view

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._view

    def buffer_updated(self, nbytes: int) -> None:
        # One method call more than inlining data_received's hot path here,
        # about 1% of a round trip: not worth a second copy of it.
        self.data_received(self._view[:nbytes].tobytes())


def connection_handle(process: Process, sock: _socket.socket) -> _Connection:
    """The handle for an accepted connection, of the class that suits the loop."""
    if isinstance(process.loop, asyncio.selector_events.BaseSelectorEventLoop):
        return _BufferedConnection(process, sock)
    return _PlainConnection(process, sock)


def _err_socket_closed() -> NodeError:
    return NodeError("ERR_SOCKET_CLOSED", "Socket is closed")


class Socket(Duplex):
    """``net.Socket``: here, the server side of an accepted connection."""

    def __init__(self, options: Mapping[str, Any] | None = None, *, _handle: _Connection | None = None) -> None:
        if options is not None and not isinstance(options, Mapping):
            options = {}
        opts = dict(options or {})
        # lib/net.js Socket: object modes are not supported (clause K173).
        if js_truthy(opts.get("object_mode")):
            raise err_invalid_arg_value("options.object_mode", opts["object_mode"], "is not supported")
        for key in ("readable_object_mode", "writable_object_mode"):
            if js_truthy(opts.get(key)):
                raise err_invalid_arg_value(f"options.{key}", opts[key], "is not supported")
        if opts.get("keep_alive_initial_delay") is not None:
            validate_number(opts["keep_alive_initial_delay"], "options.keep_alive_initial_delay")
            if opts["keep_alive_initial_delay"] < 0:
                opts["keep_alive_initial_delay"] = 0
        hwm = opts.get("high_water_mark")
        readable_hwm = opts.get("readable_high_water_mark", hwm)
        writable_hwm = opts.get("writable_high_water_mark", hwm)
        Duplex.__init__(
            self,
            allow_half_open=bool(js_truthy(opts.get("allow_half_open"))),
            readable_high_water_mark=int(readable_hwm) if is_number(readable_hwm) else DEFAULT_HIGH_WATER_MARK,  # type: ignore[arg-type]
            writable_high_water_mark=int(writable_hwm) if is_number(writable_hwm) else DEFAULT_HIGH_WATER_MARK,  # type: ignore[arg-type]
        )
        self.connecting = False
        self._handle: _Connection | None = None
        self._transport: asyncio.Transport | None = None
        self._peername: AddressInfo | None = None
        self._sockname: AddressInfo | None = None
        self._bytes_read = 0
        self._bytes_written = 0
        self._write_paused = False
        self._fast_read = False
        self._fast_write = False
        self._reset_and_closing = False
        self._ended_by_peer = False  # 'end' arrived with allow_half_open false: writeAfterFIN
        self._timeout_ms = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._last_active = 0.0
        self._last_write_queue_size = 0
        self.timeout: float | None = None
        self._no_delay = bool(js_truthy(opts.get("no_delay")))
        self._keep_alive = bool(js_truthy(opts.get("keep_alive")))
        self._keep_alive_initial_delay = _whole_seconds(opts.get("keep_alive_initial_delay"))
        self._keep_alive_interval: int | None = None
        self._keep_alive_count: int | None = None
        # "Shut down the socket when we're finished with it": Node's own 'end'
        # listener, so a fresh socket already lists 'end' (clause A47).
        self.on("end", self._on_readable_stream_end)
        self.server: Server | None = None
        self._server: Server | None = None
        if _handle is None and opts.get("fd") is not None:
            # new net.Socket({fd}): createHandle(fd) + handle.open(fd).
            _handle = _handle_for_fd(self._process, opts["fd"])
        if _handle is not None:
            self._handle = _handle
            _handle.owner = self
            if opts.get("readable", True) is not False:
                if opts.get("pause_on_create"):
                    # Node: handle.reading = false; readStop(); readableFlowing = false.
                    _handle.read_stop()
                    self._r_flowing = False
                else:
                    self.read(0)
        signal = opts.get("signal")
        if signal is not None:
            if getattr(signal, "aborted", None) is None:
                raise NodeTypeError(
                    "ERR_INVALID_ARG_TYPE", 'The "options.signal" property must be an instance of AbortSignal'
                )
            if signal.aborted:
                self._process.next_tick(self.destroy, _abort_error(signal))
            else:
                signal.add_event_listener("abort", lambda event: self.destroy(_abort_error(signal)), {"once": True})

    # ================================================== handle callbacks

    def _on_stream_read(self, data: bytes) -> None:
        # lib/internal/stream_base_commons.js onStreamRead, nread > 0 (the
        # fast case is in _Connection.data_received).
        self._bytes_read += len(data)
        if self._timeout_ms:
            self._touch()
        if self._destroyed:
            return
        if not self.push(data):
            handle = self._handle
            if handle is not None and not self._destroyed:
                handle.read_stop()
        self._refresh_fast_paths()

    def _on_stream_eof(self) -> None:
        # onStreamRead with UV_EOF: push(null) then read(0).
        self._fast_read = False
        if self._timeout_ms:
            self._touch()
        if self._r_end_emitted:
            return
        self.push(None)
        self.read(0)

    def _on_handle_lost(self, error: Exception | None) -> None:
        # The connection failed under the stream (a reset, a failed write):
        # onStreamRead with an error (`stream.destroy(new ErrnoException(nread,
        # 'read'))`), or onWriteComplete with one. destroy() then closes the
        # (already closed) handle, whose callback emits 'close'(true).
        self._fast_read = self._fast_write = False
        if self._destroyed:
            return
        if isinstance(error, OSError):
            syscall = "write" if error.errno == _errno.EPIPE else "read"
            node_error: Exception | None = errno_exception(error, syscall)
        else:
            node_error = error
        if node_error is not None and self._w_inflight and getattr(node_error, "syscall", None) == "write":
            self._inflight_write_failed(node_error)
        self.destroy(node_error)

    def _refresh_fast_paths(self) -> None:
        transport_ready = self._handle is not None and self._handle.state == _OPEN
        clean = not self._destroyed and self._errored is None and not self._timeout_ms and transport_ready
        self._transport = self._handle.transport if transport_ready else None  # type: ignore[union-attr]
        self._fast_read = (
            clean
            and self._r_flowing is True
            and not self._r_sync
            and self._r_data_listening
            and self._r_length == 0
            and self._r_decoder is None
            and not self._r_ended
            and not self._r_multi_await_drain
            and self._handle.reading  # type: ignore[union-attr]
            and "emit" not in self.__dict__  # an instance's own emit() must see every 'data'
        )
        self._fast_write = (
            clean
            and not self._w_ending
            and not self._w_length
            and not self._w_corked
            and not self._w_buffered
            and not self._write_paused
            and not self._w_need_drain
        )

    # ========================================================= Duplex hooks

    def _read(self, n: int) -> None:
        handle = self._handle
        if handle is not None and not handle.reading:
            handle.read_start()  # tryReadStart

    def _dispatch(self, data: bytes) -> bool | Exception:
        # Socket._writeGeneric / writeGeneric.
        handle = self._handle
        if handle is None:
            return _err_socket_closed()  # `if (!this._handle) cb(new ERR_SOCKET_CLOSED())`
        if self._timeout_ms:
            self._touch()
        self._bytes_written += len(data)
        return handle.write(data)

    def _after_inflight_writes(self) -> None:
        Duplex._after_inflight_writes(self)
        if not self._w_inflight:
            self._refresh_fast_paths()

    def _final(self, callback: Callable[[Exception | None], None]) -> None:
        # Socket.prototype._final: shutdown() the handle.
        handle = self._handle
        if handle is None:
            callback(None)
            return
        handle.shutdown(callback)

    def _destroy(self, error: Exception | None, callback: Callable[[Exception | None], None]) -> None:
        # Socket.prototype._destroy
        self._fast_read = self._fast_write = False
        self.connecting = False
        self._clear_timer()
        handle = self._handle
        if handle is not None:
            is_exception = error is not None

            def on_close() -> None:
                # libuv cancels the writes still queued (ECANCELED), then the close callback runs.
                if self._w_inflight:
                    self._cancel_inflight_writes(system_error(_errno.ECANCELED, "write"))
                self.emit("close", is_exception)

            reset = self._reset_and_closing
            self._reset_and_closing = False
            handle.close(on_close, reset=reset)
            self._handle = None
            self._transport = None
            self._sockname = None
            callback(error)
        else:
            callback(error)
            # A socket that never had a handle: net.js emitCloseNT (no argument).
            self._process.next_tick(self.emit, "close")
        server = self._server
        if server is not None:
            server._connections -= 1
            server._emit_close_if_drained()

    # ============================================================= writing

    def write(self, chunk: Any, encoding: Any = None, callback: ErrorCallback | None = None) -> bool:
        """Write ``chunk`` (str in ``encoding``, or bytes); False when it is queued past the high-water mark."""
        if self._fast_write and chunk.__class__ is bytes and encoding is None and callback is None:
            # The common case, with Node's result: dispatched, completed at once,
            # nothing else pending (writeOrBuffer + onwrite, sync, no callback).
            self._bytes_written += len(chunk)
            try:
                self._transport.write(chunk)  # type: ignore[union-attr]
            except RuntimeError:
                pass  # the transport died under us: connection_lost() is on its way
            if self._write_paused:
                # The transport kept some: the write is in flight.
                length = len(chunk)
                self._w_length += length
                self._w_pending_cb += 1
                self._w_inflight.append((length, None))
                if self._w_length >= self._w_hwm:
                    self._w_need_drain = True
                    return False
            return True
        if callable(encoding):
            callback, encoding = encoding, None
        if self._ended_by_peer and self._w_ending:
            return self._write_after_fin(callback)
        self._fast_write = False
        result = self._write(chunk, encoding, callback) is True
        self._refresh_fast_paths()
        return result

    def _write_after_fin(self, callback: ErrorCallback | None) -> bool:
        # lib/net.js writeAfterFIN: a clearer error than 'write after end'
        # once the peer's FIN ended the socket (clause K152).
        error = NodeError("EPIPE", "This socket has been ended by the other party")
        if callback is not None:
            self._process.next_tick(callback, error)
        self.destroy(error)
        return False

    def _on_readable_stream_end(self) -> None:
        # onReadableStreamEnd: from now on write() is writeAfterFIN.
        if not self.allow_half_open:
            self._ended_by_peer = True

    def end(self, chunk: Any = None, encoding: Any = None, callback: ErrorCallback | None = None) -> Self:
        """Half-close: write ``chunk`` if given, then send FIN; ``callback`` on 'finish'."""
        self._fast_write = False
        Duplex.end(self, chunk, encoding, callback)
        return self

    def cork(self) -> None:
        self._fast_write = False
        Duplex.cork(self)

    def uncork(self) -> None:
        Duplex.uncork(self)
        self._refresh_fast_paths()

    # ============================================================= reading

    def pause(self) -> Self:
        self._fast_read = False
        Duplex.pause(self)
        return self

    def resume(self) -> Self:
        Duplex.resume(self)
        return self

    def set_encoding(self, encoding: str | None = None) -> Self:
        self._fast_read = False
        Duplex.set_encoding(self, encoding)
        return self

    def remove_listener(self, event_name: object, listener: Callable[..., object]) -> Self:
        Duplex.remove_listener(self, event_name, listener)
        if event_name == "data" and not self._r_data_listening:
            self._fast_read = False
        return self

    off = remove_listener

    def add_listener(self, event_name: object, listener: Callable[..., object]) -> Self:
        Duplex.add_listener(self, event_name, listener)
        if event_name == "readable":
            self._fast_read = False
        return self

    on = add_listener

    @property
    def readable_flowing(self) -> bool | None:
        return self._r_flowing

    @readable_flowing.setter
    def readable_flowing(self, value: bool | None) -> None:
        self._fast_read = False
        self._r_flowing = value

    def _end_readable(self) -> None:
        self._fast_read = False
        Duplex._end_readable(self)

    # ======================================================= destroying

    def destroy(self, error: BaseException | None = None, callback: ErrorCallback | None = None) -> Self:
        """Close the connection now: 'error' (if ``error`` is given), then 'close'(had_error)."""
        self._fast_read = self._fast_write = False
        Duplex.destroy(self, error, callback)
        return self

    def destroy_soon(self) -> None:
        if self.writable:
            self.end()
        if self._w_finished:
            self.destroy()
        else:
            self.once("finish", self.destroy)

    def reset_and_destroy(self) -> Self:
        """Close with an RST: the peer sees ECONNRESET (TCP only)."""
        handle = self._handle
        if handle is not None:
            if not handle.is_tcp:
                raise NodeTypeError("ERR_INVALID_HANDLE_TYPE", "This handle type cannot be sent")
            self._reset_and_closing = True
            self.destroy()
        else:
            self.destroy(_err_socket_closed())
        return self

    # ===================================================== timeouts, options

    def set_timeout(self, timeout: float, callback: Callable[[], object] | None = None) -> Self:
        """Emit 'timeout' after ``timeout`` ms without activity (the socket stays open); 0 disables."""
        # setStreamTimeout (lib/internal/stream_base_commons.js)
        if self._destroyed:
            return self
        self.timeout = timeout
        msecs = _timer_duration(timeout, "msecs")
        self._clear_timer()
        if msecs == 0:
            self._timeout_ms = 0
            if callback is not None:
                validate_function(callback, "callback")
                self.remove_listener("timeout", callback)
            self._refresh_fast_paths()
        else:
            self._timeout_ms = msecs
            self._fast_read = self._fast_write = False
            self._touch()
            if callback is not None:
                validate_function(callback, "callback")
                self.once("timeout", callback)
        return self

    def _touch(self) -> None:
        # Socket._unrefTimer: activity restarts the idle timer (an unref'd one:
        # it never keeps the process alive).
        loop = self._process.loop
        self._last_active = loop.time()
        if self._timer is None and self._timeout_ms:
            self._timer = loop.call_later(self._timeout_ms / 1000, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        if not self._timeout_ms or self._destroyed:
            return
        loop = self._process.loop
        remaining = self._last_active + self._timeout_ms / 1000 - loop.time()
        if remaining > 0.0005:
            self._timer = loop.call_later(remaining, self._on_timer)
            return
        # Socket.prototype._onTimeout: a write that is still making progress
        # (the queue shrank since the last look) is activity, not idleness.
        transport = self._handle.transport if self._handle is not None else None
        if self._w_inflight and transport is not None:
            queued = transport.get_write_buffer_size()
            if queued != self._last_write_queue_size:
                self._last_write_queue_size = queued
                self._touch()
                return
        self._process.invoke(self.emit, "timeout")

    def _clear_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def set_no_delay(self, no_delay: bool = True) -> Self:
        """TCP_NODELAY on (the default argument) or off."""
        enable = bool(js_truthy(no_delay)) if no_delay is not None else True
        handle = self._handle
        if handle is None:
            self._no_delay = enable
            return self
        if handle.is_tcp and enable != self._no_delay:
            self._no_delay = enable
            try:
                handle.sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1 if enable else 0)
            except OSError:
                pass
        return self

    def set_keep_alive(
        self, enable: Any = False, initial_delay: float = 0, interval: float | None = None, count: int | None = None
    ) -> Self:
        """SO_KEEPALIVE, with the first probe after ``initial_delay`` ms (whole seconds)."""
        if isinstance(enable, Mapping):
            options = enable
            enable = options.get("enable")
            initial_delay = options.get("initial_delay", 0)
            interval = options.get("interval")
            count = options.get("count")
        on = bool(js_truthy(enable))
        delay = _whole_seconds(initial_delay)
        every = None if interval is None else _whole_seconds(interval)
        handle = self._handle
        if handle is None:
            self._keep_alive, self._keep_alive_initial_delay = on, delay
            self._keep_alive_interval, self._keep_alive_count = every, count
            return self
        if not handle.is_tcp:
            return self
        if on != self._keep_alive or (
            on
            and (
                delay != self._keep_alive_initial_delay
                or every != self._keep_alive_interval
                or count != self._keep_alive_count
            )
        ):
            self._keep_alive, self._keep_alive_initial_delay = on, delay
            self._keep_alive_interval, self._keep_alive_count = every, count
            apply_keep_alive(handle.sock, on, delay, every, count)
        return self

    # ================================================ addresses and counters

    def address(self) -> AddressInfo | dict[str, Never]:
        """{address, family, port} of the local end; {} for an IPC socket."""
        return self._getsockname()

    def _getsockname(self) -> AddressInfo | dict[str, Never]:
        handle = self._handle
        if handle is None or not handle.is_tcp:
            return {}
        if self._sockname is None:
            try:
                self._sockname = address_info(handle.sock, peer=False)
            except OSError:
                return {}
        return self._sockname

    def _getpeername(self) -> AddressInfo | dict[str, Never]:
        handle = self._handle
        if handle is None or not handle.is_tcp:
            return self._peername or {}
        if self._peername is None:
            try:
                self._peername = address_info(handle.sock, peer=True)
            except OSError:
                return {}
        return self._peername

    @property
    def local_address(self) -> str | None:
        return self._getsockname().get("address")

    @property
    def local_port(self) -> int | None:
        return self._getsockname().get("port")

    @property
    def local_family(self) -> str | None:
        return self._getsockname().get("family")

    @property
    def remote_address(self) -> str | None:
        return self._getpeername().get("address")

    @property
    def remote_port(self) -> int | None:
        return self._getpeername().get("port")

    @property
    def remote_family(self) -> str | None:
        return self._getpeername().get("family")

    @property
    def bytes_read(self) -> int:
        return self._bytes_read

    @property
    def bytes_written(self) -> int:
        # Dispatched bytes plus what waits in the stream (Node's bytesWritten).
        return self._bytes_written + sum(len(data) for data, _ in self._w_buffered)

    @property
    def buffer_size(self) -> int | None:
        return self._w_length if self._handle is not None else None

    @property
    def pending(self) -> bool:
        return self._handle is None or self.connecting

    @property
    def ready_state(self) -> str:
        if self.connecting:
            return "opening"
        readable, writable = self.readable, self.writable
        if readable and writable:
            return "open"
        if readable:
            return "readOnly"
        if writable:
            return "writeOnly"
        return "closed"

    # ======================================================== ref / unref

    def ref(self) -> Self:
        """Keep the process alive while this connection is open (the default)."""
        if self._handle is not None:
            self._handle.ref()
        return self

    def unref(self) -> Self:
        """Let the process exit even though this connection is open."""
        if self._handle is not None:
            self._handle.unref()
        return self

    def __repr__(self) -> str:
        peer = self._getpeername()
        where = f"{peer.get('address')}:{peer.get('port')}" if peer else "pipe" if self._handle else "closed"
        return f"<net.Socket {where}>"


def _handle_for_fd(process: Process, fd: object) -> _Connection:
    # lib/net.js createHandle: validateInt32(fd, 'fd', 0), then the descriptor
    # must be a TCP or Unix stream socket (ERR_INVALID_FD_TYPE otherwise).
    from ._validators import validate_int32

    number = validate_int32(fd, "fd", 0)
    try:
        with _socket.socket(fileno=os.dup(number)) as probe:
            family, kind = probe.family, probe.type
    except OSError:
        family, kind = None, None
    if kind != _socket.SOCK_STREAM or family not in (_socket.AF_INET, _socket.AF_INET6, _socket.AF_UNIX):
        raise NodeTypeError("ERR_INVALID_FD_TYPE", f"Unsupported fd type: {'UNKNOWN' if family is None else 'UDP'}")
    sock = _socket.socket(family, _socket.SOCK_STREAM, fileno=number)
    sock.setblocking(False)
    return connection_handle(process, sock)


def _abort_error(signal: Any) -> Exception:
    from .._errors import AbortError

    return AbortError(cause=getattr(signal, "reason", None))


def _whole_seconds(ms: object) -> int:
    # `~~(ms / 1000)`: NaN and undefined become 0.
    if not is_number(ms):
        return 0
    return js_to_int32(float(ms) / 1000)  # type: ignore[arg-type]


def _timer_duration(msecs: object, name: str) -> float:
    # lib/internal/timers.js getTimerDuration
    validate_number(msecs, name)
    value = float(msecs)  # type: ignore[arg-type]
    if value < 0 or not math.isfinite(value):
        from .._errors import err_out_of_range

        raise err_out_of_range(name, "a non-negative finite number", msecs)
    if value > _TIMEOUT_MAX:
        return _TIMEOUT_MAX
    return value


def apply_keep_alive(sock: _socket.socket, on: bool, delay: int, interval: int | None, count: int | None) -> None:
    """uv_tcp_keepalive: SO_KEEPALIVE; with a delay of 1 s or more, TCP_KEEPIDLE = delay,
    TCP_KEEPINTVL = 1 and TCP_KEEPCNT = 10 unless given (what libuv 1.49+ sets, checked on Node 24)."""
    try:
        sock.setsockopt(_socket.SOL_SOCKET, _socket.SO_KEEPALIVE, 1 if on else 0)
        if not on or delay < 1:
            return
        if hasattr(_socket, "TCP_KEEPIDLE"):
            sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_KEEPIDLE, delay)
        if hasattr(_socket, "TCP_KEEPINTVL"):
            sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_KEEPINTVL, interval if interval else 1)
        if hasattr(_socket, "TCP_KEEPCNT"):
            sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_KEEPCNT, count if count else 10)
    except OSError:
        pass
