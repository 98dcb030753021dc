# stream.Duplex, as much of it as a net.Socket is: Node 24's
# lib/internal/streams/{readable,writable,destroy}.js ported function by
# function (byte mode only, no objectMode), with Node's names in comments, so
# that event order and state follow Node's exactly: when 'data', 'end',
# 'finish', 'drain', 'error' and 'close' fire relative to each other, what a
# write returns, which callback gets which error.
#
# One deliberate difference is in how writes reach the handle. Node hands the
# handle one write at a time and queues the rest in `state.buffered` while
# that one is in flight. Here every write goes straight to the handle
# (_dispatch), whose transport queues it; a write that did not complete at
# once is "in flight" until the transport's buffer drains, and they complete
# together, in order. What a user sees is the same: the return value, the
# 'drain' event and the callbacks follow `writable_length` as in Node.
#
# The subclass (Socket) provides Node's implementation hooks: _read(n),
# _dispatch(data) (Node's _write), _final(cb) and _destroy(err, cb).

from __future__ import annotations

import collections
from collections.abc import Callable, Mapping
from typing import Any, Self, TypeVar, cast

from .._errors import NodeError, NodeTypeError, err_invalid_arg_type
from .._process import Process, current_process
from ..events import EventEmitter
from ._encoding import StringDecoder, encode, err_unknown_encoding, normalize_encoding

__all__ = ["Duplex", "err_stream_destroyed"]

ErrorCallback = Callable[[Exception | None], object]
_Destination = TypeVar("_Destination")


def err_stream_destroyed(method: str) -> NodeError:
    return NodeError("ERR_STREAM_DESTROYED", f"Cannot call {method} after a stream was destroyed")


def _err_write_after_end() -> NodeError:
    return NodeError("ERR_STREAM_WRITE_AFTER_END", "write after end")


def _err_multiple_callback() -> NodeError:
    return NodeError("ERR_MULTIPLE_CALLBACK", "Callback called multiple times")


# The largest highWaterMark read(n) may raise it to (readable.js MAX_HWM).
_MAX_HWM = 0x40000000


def _compute_new_high_water_mark(n: int) -> int:
    if n > _MAX_HWM:
        raise NodeError("ERR_OUT_OF_RANGE", f'The value of "size" is out of range. It must be <= 1GiB. Received {n}')
    return 1 << (n - 1).bit_length()


class Duplex(EventEmitter):
    """A byte-mode ``stream.Duplex`` with ``emitClose: false`` and ``autoDestroy: true``
    (the options net.Socket gives it)."""

    def __init__(self, *, allow_half_open: bool, readable_high_water_mark: int, writable_high_water_mark: int) -> None:
        EventEmitter.__init__(self)
        self._process: Process = current_process()
        self.allow_half_open = allow_half_open
        # -- ReadableState (readable.js); Node's bit flags are attributes.
        self._r_hwm = readable_high_water_mark
        self._r_buffer: collections.deque[Any] = collections.deque()
        self._r_length = 0
        self._r_flowing: bool | None = None  # kHasFlowing/kFlowing: null, true or false
        self._r_paused = False  # kPaused: pause() was called
        self._r_ended = False
        self._r_end_emitted = False
        self._r_end_scheduled = False
        self._r_reading = False
        self._r_sync = True  # until the first read() returns
        self._r_need_readable = False
        self._r_emitted_readable = False
        self._r_readable_listening = False
        self._r_resume_scheduled = False
        self._r_reading_more = False
        self._r_data_listening = False
        self._r_data_emitted = False
        self._r_decoder: StringDecoder | None = None
        self._r_encoding: str | None = None
        self._r_pipes: list[Any] = []
        self._r_await_drain: Any = None  # one writer, or a set of them (kMultiAwaitDrain)
        self._r_multi_await_drain = False
        # -- WritableState (writable.js)
        self._w_hwm = writable_high_water_mark
        self._w_length = 0
        self._w_inflight: collections.deque[tuple[int, ErrorCallback | None]] = collections.deque()
        self._w_buffered: list[tuple[bytes, ErrorCallback | None]] = []  # while corked or errored
        self._w_corked = 0
        self._w_ending = False
        self._w_ended = False
        self._w_finished = False
        self._w_final_called = False
        self._w_prefinished = False
        self._w_need_drain = False
        self._w_pending_cb = 0
        self._w_sync = False
        self._w_after_write_pending = False
        self._w_after_write_tick: list[Any] | None = None  # [count, cb]
        self._w_on_finished: list[ErrorCallback] = []
        self._w_default_encoding = "utf8"
        # -- shared by both sides (destroy.js sets them on both states together)
        self._destroyed = False
        self._closed = False
        self._errored: Exception | None = None
        self._error_emitted = False
        self._close_emitted = False

    # ================================================================ hooks

    def _read(self, n: int) -> None:
        raise NotImplementedError

    def _dispatch(self, data: bytes) -> bool | Exception:
        """Hand ``data`` to the handle: True when it completed at once, False
        when it is in flight (the subclass calls _after_inflight_writes() when
        it has completed), or the error it failed with at once."""
        raise NotImplementedError

    def _final(self, callback: Callable[[Exception | None], None]) -> None:
        callback(None)

    def _destroy(self, error: Exception | None, callback: Callable[[Exception | None], None]) -> None:
        callback(error)

    # ============================================================ Readable

    def push(self, chunk: bytes | None) -> bool:
        """readable.push in byte mode: a chunk from the handle, or None at EOF."""
        # readableAddChunkPushByteMode
        if chunk is None:
            self._r_reading = False
            self._on_eof_chunk()
            return False
        if not chunk:
            self._r_reading = False
            self._maybe_read_more()
            return self._can_push_more()
        if self._r_ended:
            self._error_or_destroy(NodeError("ERR_STREAM_PUSH_AFTER_EOF", "stream.push() after EOF"))
            return False
        if self._destroyed or self._errored is not None:
            return False
        self._r_reading = False
        data: bytes | str = chunk
        if self._r_decoder is not None:
            data = self._r_decoder.write(chunk)
            if not data:
                self._maybe_read_more()
                return self._can_push_more()
        self._add_chunk(data)
        return self._can_push_more()

    def _can_push_more(self) -> bool:
        return not self._r_ended and (self._r_length < self._r_hwm or self._r_length == 0)

    def _add_chunk(self, chunk: bytes | str) -> None:
        if self._r_flowing and not self._r_sync and self._r_data_listening and self._r_length == 0:
            self._r_await_drain = set() if self._r_multi_await_drain else None
            self._r_data_emitted = True
            self.emit("data", chunk)
        else:
            self._r_length += len(chunk)
            self._r_buffer.append(chunk)
            if self._r_need_readable:
                self._emit_readable()
        self._maybe_read_more()

    def is_paused(self) -> bool:
        return self._r_paused or self._r_flowing is False

    def set_encoding(self, encoding: str | None = None) -> Self:
        """Deliver strings decoded with ``encoding`` (utf8 when None)."""
        name = "utf8" if encoding is None else normalize_encoding(encoding)
        if name is None:
            raise err_unknown_encoding(encoding)
        decoder = StringDecoder(name)
        self._r_decoder = decoder
        self._r_encoding = name
        content = "".join(decoder.write(bytes(data)) for data in self._r_buffer)
        if self._r_ended:
            content += decoder.end()
        self._r_buffer.clear()
        if content:
            self._r_buffer.append(content)
        self._r_length = len(content)
        return self

    def _how_much_to_read(self, n: float) -> int:
        if n <= 0 or (self._r_length == 0 and self._r_ended):
            return 0
        if n != n:  # NaN: read(), in flowing mode one chunk at a time
            if self._r_flowing and self._r_length:
                return len(self._r_buffer[0])
            return self._r_length
        if n <= self._r_length:
            return int(n)
        return self._r_length if self._r_ended else 0

    def read(self, n: int | None = None) -> bytes | str | None:
        """readable.read([size]): buffered data, or None."""
        size: float = float("nan") if n is None else n
        if size > self._r_hwm:
            self._r_hwm = _compute_new_high_water_mark(int(size))
        if size != 0:
            self._r_emitted_readable = False
        length = self._r_length
        if (
            size == 0
            and self._r_need_readable
            and ((length >= self._r_hwm if self._r_hwm != 0 else length > 0) or self._r_ended)
        ):
            if length == 0 and self._r_ended:
                self._end_readable()
            else:
                self._emit_readable()
            return None
        wanted = self._how_much_to_read(size)
        if wanted == 0 and self._r_ended:
            if self._r_length == 0:
                self._end_readable()
            return None
        do_read = self._r_need_readable
        if self._r_length == 0 or self._r_length - wanted < self._r_hwm:
            do_read = True
        if self._r_reading or self._r_ended or self._destroyed or self._errored is not None:
            do_read = False
        elif do_read:
            self._r_reading = True
            self._r_sync = True
            if self._r_length == 0:
                self._r_need_readable = True
            try:
                self._read(self._r_hwm)
            except Exception as error:  # noqa: BLE001 - errorOrDestroy(this, err)
                self._error_or_destroy(error)
            self._r_sync = False
            if not self._r_reading:
                wanted = self._how_much_to_read(size)
        result = self._from_list(wanted) if wanted > 0 else None
        if result is None:
            if self._r_length <= self._r_hwm:
                self._r_need_readable = True
            wanted = 0
        else:
            self._r_length -= wanted
            self._r_await_drain = set() if self._r_multi_await_drain else None
        if self._r_length == 0:
            if not self._r_ended:
                self._r_need_readable = True
            if size != wanted and self._r_ended:
                self._end_readable()
        if result is not None and not self._error_emitted and not self._close_emitted:
            self._r_data_emitted = True
            self.emit("data", result)
        return result

    def _from_list(self, n: int) -> bytes | str | None:
        buffer = self._r_buffer
        if self._r_length == 0:
            return None
        if n >= self._r_length:
            if len(buffer) == 1:
                return buffer.popleft()  # type: ignore[no-any-return]
            joined: bytes | str = ("" if self._r_decoder is not None else b"").join(buffer)
            buffer.clear()
            return joined
        first = buffer[0]
        if n < len(first):
            buffer[0] = first[n:]
            return first[:n]  # type: ignore[no-any-return]
        if n == len(first):
            return buffer.popleft()  # type: ignore[no-any-return]
        parts = []
        while n > 0:
            chunk = buffer[0]
            if n >= len(chunk):
                parts.append(buffer.popleft())
                n -= len(chunk)
            else:
                parts.append(chunk[:n])
                buffer[0] = chunk[n:]
                n = 0
        result: bytes | str = ("" if self._r_decoder is not None else b"").join(parts)
        return result

    def _on_eof_chunk(self) -> None:
        if self._r_ended:
            return
        if self._r_decoder is not None:
            chunk = self._r_decoder.end()
            if chunk:
                self._r_buffer.append(chunk)
                self._r_length += len(chunk)
        self._r_ended = True
        if self._r_sync:
            self._emit_readable()
        else:
            self._r_need_readable = False
            self._r_emitted_readable = True
            self._emit_readable_now()

    def _emit_readable(self) -> None:
        self._r_need_readable = False
        if not self._r_emitted_readable:
            self._r_emitted_readable = True
            self._process.next_tick(self._emit_readable_now)

    def _emit_readable_now(self) -> None:
        # emitReadable_
        if not self._destroyed and self._errored is None and (self._r_length or self._r_ended):
            self.emit("readable")
            self._r_emitted_readable = False
        if not self._r_flowing and not self._r_ended and self._r_length <= self._r_hwm:
            self._r_need_readable = True
        self._flow()

    def _maybe_read_more(self) -> None:
        if not self._r_reading_more and not self._r_reading:
            self._r_reading_more = True
            self._process.next_tick(self._maybe_read_more_now)

    def _maybe_read_more_now(self) -> None:
        while not self._r_reading and not self._r_ended and (
            self._r_length < self._r_hwm or (self._r_flowing and self._r_length == 0)
        ):
            length = self._r_length
            self.read(0)
            if length == self._r_length:
                break
        self._r_reading_more = False

    # -- listeners: Readable.prototype.on / removeListener / removeAllListeners

    def add_listener(self, event_name: object, listener: Callable[..., object]) -> Self:
        EventEmitter.add_listener(self, event_name, listener)
        if event_name == "data":
            self._r_data_listening = True
            if self.listener_count("readable") > 0:
                self._r_readable_listening = True
            if self._r_flowing is not False:
                self.resume()
        elif event_name == "readable":
            if not self._r_end_emitted and not self._r_readable_listening:
                self._r_readable_listening = True
                self._r_need_readable = True
                self._r_flowing = False
                self._r_emitted_readable = False
                if self._r_length:
                    self._emit_readable()
                elif not self._r_reading:
                    self._process.next_tick(self.read, 0)
        return self

    on = add_listener

    def remove_listener(self, event_name: object, listener: Callable[..., object]) -> Self:
        EventEmitter.remove_listener(self, event_name, listener)
        if event_name == "readable":
            self._process.next_tick(self._update_readable_listening)
        elif event_name == "data" and self.listener_count("data") == 0:
            self._r_data_listening = False
        return self

    off = remove_listener

    def remove_all_listeners(self, event_name: object = None) -> Self:
        EventEmitter.remove_all_listeners(self, event_name)
        if event_name == "readable" or event_name is None:
            self._process.next_tick(self._update_readable_listening)
        return self

    def _update_readable_listening(self) -> None:
        self._r_readable_listening = self.listener_count("readable") > 0
        if self._r_resume_scheduled and not self._r_paused and self._r_flowing is not None:
            # kHasPaused and a scheduled resume: flowing must be true now.
            self._r_flowing = True
        elif self._r_data_listening:
            self.resume()
        elif not self._r_readable_listening:
            self._r_flowing = None

    # -- flowing mode

    def resume(self) -> Self:
        """Switch to flowing mode: buffered and new data goes to 'data' listeners."""
        if not self._r_flowing:
            self._r_flowing = not self._r_readable_listening
            if not self._r_resume_scheduled:
                self._r_resume_scheduled = True
                self._process.next_tick(self._resume_now)
        self._r_paused = False
        return self

    def _resume_now(self) -> None:
        if not self._r_reading:
            self.read(0)
        self._r_resume_scheduled = False
        self.emit("resume")
        self._flow()
        if self._r_flowing and not self._r_reading:
            self.read(0)

    def pause(self) -> Self:
        """Stop 'data' events; data is buffered (up to the high-water mark, then the handle stops reading)."""
        if self._r_flowing is not False:
            self._r_flowing = False
            self.emit("pause")
        self._r_paused = True
        return self

    def _flow(self) -> None:
        while self._r_flowing and self.read() is not None:
            pass

    # -- ending

    def _end_readable(self) -> None:
        if not self._r_end_emitted and not self._r_end_scheduled:
            self._r_ended = True
            self._r_end_scheduled = True
            self._process.next_tick(self._end_readable_nt)

    def _end_readable_nt(self) -> None:
        self._r_end_scheduled = False
        if self._errored is None and not self._close_emitted and not self._r_end_emitted and self._r_length == 0:
            self._r_end_emitted = True
            self.emit("end")
            if self.writable and not self.allow_half_open:
                self._process.next_tick(self._end_writable_nt)
            elif self._w_finished:
                self.destroy()

    def _end_writable_nt(self) -> None:
        if self.writable and not self._w_ending and not self._destroyed:
            self.end()

    # -- pipe

    def pipe(self, destination: _Destination, options: Mapping[str, object] | None = None) -> _Destination:
        """readable.pipe(destination): write everything to it, with backpressure; end it at 'end'."""
        _Pipe(self, destination, options).start()
        return destination

    def unpipe(self, destination: Any = None) -> Self:
        pipes = self._r_pipes
        if not pipes:
            return self
        if destination is None:
            self._r_pipes = []
            self.pause()
            for dest in pipes:
                dest.emit("unpipe", self, {"has_unpiped": False})
            return self
        if destination not in pipes:
            return self
        pipes.remove(destination)
        if not pipes:
            self.pause()
        destination.emit("unpipe", self, {"has_unpiped": False})
        return self

    # -- Readable properties

    @property
    def readable(self) -> bool:
        return not self._destroyed and not self._error_emitted and not self._r_end_emitted

    @property
    def readable_flowing(self) -> bool | None:
        return self._r_flowing

    @readable_flowing.setter
    def readable_flowing(self, value: bool | None) -> None:
        self._r_flowing = value

    @property
    def readable_length(self) -> int:
        return self._r_length

    @property
    def readable_high_water_mark(self) -> int:
        return self._r_hwm

    @property
    def readable_ended(self) -> bool:
        return self._r_end_emitted

    @property
    def readable_encoding(self) -> str | None:
        return self._r_encoding

    @property
    def readable_did_read(self) -> bool:
        return self._r_data_emitted

    @property
    def readable_aborted(self) -> bool:
        return (self._destroyed or self._errored is not None) and not self._r_end_emitted

    @property
    def readable_object_mode(self) -> bool:
        return False

    # ============================================================ Writable

    def write(self, chunk: Any, encoding: Any = None, callback: ErrorCallback | None = None) -> bool:
        """writable.write(chunk[, encoding][, callback]): False when the caller should wait for 'drain'."""
        if callable(encoding):
            callback, encoding = encoding, None
        return self._write(chunk, encoding, callback) is True

    def _write(self, chunk: Any, encoding: Any, callback: ErrorCallback | None) -> bool | Exception:
        # writable.js _write
        if chunk is None:
            raise NodeTypeError("ERR_STREAM_NULL_VALUES", "May not write null values to stream")
        if encoding is None:
            name = self._w_default_encoding
        else:
            name = "buffer" if encoding == "buffer" else normalize_encoding(encoding)  # type: ignore[assignment]
            if name is None:
                raise err_unknown_encoding(encoding)
        if isinstance(chunk, str):
            if name == "buffer":
                raise err_unknown_encoding(encoding)
            data = encode(chunk, name)
        elif isinstance(chunk, bytes):
            data = chunk
        elif isinstance(chunk, (bytearray, memoryview)):
            data = bytes(chunk)
        else:
            raise err_invalid_arg_type("chunk", "of type string or an instance of Buffer, TypedArray, or DataView", chunk)
        error: Exception | None = None
        if self._w_ending:
            error = _err_write_after_end()
        elif self._destroyed:
            error = err_stream_destroyed("write")
        if error is not None:
            if callback is not None:
                self._process.next_tick(callback, error)
            self._error_or_destroy(error)
            return error
        self._w_pending_cb += 1
        return self._write_or_buffer(data, callback)

    def _write_or_buffer(self, data: bytes, callback: ErrorCallback | None) -> bool:
        length = len(data)
        self._w_length += length
        if self._w_corked or self._errored is not None:
            self._w_buffered.append((data, callback))
        else:
            self._do_write(data, length, callback)
        ret = self._w_length < self._w_hwm or self._w_length == 0
        if not ret:
            self._w_need_drain = True
        return ret and not self._destroyed and self._errored is None

    def _do_write(self, data: bytes, length: int, callback: ErrorCallback | None) -> None:
        self._w_sync = True
        result = self._dispatch(data)
        if result is True:
            self._on_write_done_sync(length, callback)
        elif result is False:
            self._w_inflight.append((length, callback))
        else:
            self._on_write_error_sync(length, callback, result)
        self._w_sync = False

    def _on_write_error_sync(self, length: int, callback: ErrorCallback | None, error: Exception) -> None:
        # onwrite(stream, er) with state.sync: onwriteError on the next tick.
        self._w_length -= length
        if self._errored is None:
            self._errored = error
        self._process.next_tick(self._on_write_error, callback, error)

    def _on_write_error(self, callback: ErrorCallback | None, error: Exception) -> None:
        # onwriteError: the write's callback, the queued ones, then errorOrDestroy.
        self._w_pending_cb -= 1
        if callback is not None:
            callback(error)
        self._error_buffer()
        self._error_or_destroy(error)

    def _on_write_done_sync(self, length: int, callback: ErrorCallback | None) -> None:
        # onwrite(stream, null) with state.sync: completion callbacks wait for
        # the next tick (afterWriteTick), batched while it is the same callback.
        self._w_length -= length
        if self._w_buffered and not self._w_corked:
            self._clear_buffer()
        need_drain = self._w_need_drain and self._w_length == 0
        need_tick = need_drain or self._destroyed or callback is not None
        if callback is None:
            if not self._w_after_write_pending and need_tick:
                self._w_after_write_pending = True
                self._process.next_tick(self._after_write, 1, None)
            else:
                self._w_pending_cb -= 1
                if self._w_ending:
                    self._finish_maybe(True)
        elif self._w_after_write_tick is not None and self._w_after_write_tick[1] is callback:
            self._w_after_write_tick[0] += 1
        else:
            info = [1, callback]
            self._w_after_write_tick = info
            self._w_after_write_pending = True
            self._process.next_tick(self._after_write_tick_now, info)

    def _after_write_tick_now(self, info: list[Any]) -> None:
        self._w_after_write_tick = None
        self._after_write(info[0], info[1])

    def _after_write(self, count: int, callback: ErrorCallback | None) -> None:
        self._w_after_write_pending = False
        if self._w_need_drain and not self._w_ending and not self._destroyed and self._w_length == 0:
            self._w_need_drain = False
            self.emit("drain")
        while count > 0:
            count -= 1
            self._w_pending_cb -= 1
            if callback is not None:
                callback(None)
        if self._destroyed:
            self._error_buffer()
        if self._w_ending:
            self._finish_maybe(True)

    def _after_inflight_writes(self) -> None:
        """The handle wrote out everything in flight (onwrite, asynchronously)."""
        inflight = self._w_inflight
        while inflight:
            length, callback = inflight.popleft()
            self._w_length -= length
            if self._w_buffered and not self._w_corked:
                self._clear_buffer()
            self._after_write(1, callback)

    def _inflight_write_failed(self, error: Exception) -> None:
        """A write in flight failed (onwrite with an error, asynchronously)."""
        inflight = self._w_inflight
        if not inflight:
            return
        length, callback = inflight.popleft()
        self._w_length -= length
        if self._errored is None:
            self._errored = error
        self._on_write_error(callback, error)

    def _cancel_inflight_writes(self, error: Exception) -> None:
        """The handle closed with writes in flight: each callback gets ``error`` (libuv's ECANCELED)."""
        inflight = self._w_inflight
        while inflight:
            length, callback = inflight.popleft()
            self._w_length -= length
            self._w_pending_cb -= 1
            if callback is not None:
                callback(error)
        self._error_buffer()

    def _clear_buffer(self) -> None:
        if self._destroyed or self._w_corked:
            return
        buffered, self._w_buffered = self._w_buffered, []
        for data, callback in buffered:
            self._do_write(data, len(data), callback)

    def _error_buffer(self) -> None:
        # errorBuffer: queued writes and end() callbacks learn the stream is gone.
        if self._w_inflight:
            return
        buffered, self._w_buffered = self._w_buffered, []
        for data, callback in buffered:
            self._w_length -= len(data)
            self._w_pending_cb -= 1
            if callback is not None:
                callback(self._errored or err_stream_destroyed("write"))
        self._call_finished_callbacks(self._errored or err_stream_destroyed("end"))

    def cork(self) -> None:
        self._w_corked += 1

    def uncork(self) -> None:
        if self._w_corked:
            self._w_corked -= 1
            if not self._w_corked:
                self._clear_buffer()

    def set_default_encoding(self, encoding: str) -> Self:
        name = normalize_encoding(encoding)
        if name is None:
            raise err_unknown_encoding(encoding)
        self._w_default_encoding = name
        return self

    def end(self, chunk: Any = None, encoding: Any = None, callback: ErrorCallback | None = None) -> Self:
        """writable.end([chunk[, encoding]][, callback]): write ``chunk``, then finish (FIN)."""
        if callable(chunk):
            callback, chunk, encoding = chunk, None, None
        elif callable(encoding):
            callback, encoding = encoding, None
        error: Exception | None = None
        if chunk is not None:
            result = self._write(chunk, encoding, None)
            if isinstance(result, Exception):
                error = result
        if self._w_corked:
            self._w_corked = 1
            self.uncork()
        if error is not None:
            pass
        elif not self._w_ending and self._errored is None:
            self._w_ending = True
            self._finish_maybe(True)
            self._w_ended = True
        elif self._w_finished:
            error = NodeError("ERR_STREAM_ALREADY_FINISHED", "Cannot call end after a stream was finished")
        elif self._destroyed:
            error = err_stream_destroyed("end")
        if callback is not None:
            if error is not None:
                self._process.next_tick(callback, error)
            elif self._errored is not None:
                self._process.next_tick(callback, self._errored)
            elif self._w_finished:
                self._process.next_tick(callback, None)
            else:
                self._w_on_finished.append(callback)
        return self

    def _need_finish(self) -> bool:
        return (
            self._w_ending
            and not self._destroyed
            and not self._w_finished
            and not self._w_inflight
            and not self._error_emitted
            and not self._close_emitted
            and self._errored is None
            and not self._w_buffered
            and self._w_length == 0
        )

    def _on_finish(self, error: Exception | None) -> None:
        if self._w_prefinished:
            self._error_or_destroy(error or _err_multiple_callback())
            return
        self._w_pending_cb -= 1
        if error is not None:
            self._call_finished_callbacks(error)
            self._error_or_destroy(error)
        elif self._need_finish():
            self._w_prefinished = True
            self.emit("prefinish")
            self._w_pending_cb += 1
            self._process.next_tick(self._finish)

    def _prefinish(self) -> None:
        if self._w_prefinished or self._w_final_called:
            return
        if not self._destroyed:
            self._w_final_called = True
            self._w_sync = True
            self._w_pending_cb += 1
            called = [False]

            def on_final(error: Exception | None = None) -> None:
                if called[0]:
                    self._error_or_destroy(_err_multiple_callback())
                    return
                called[0] = True
                self._on_finish(error)

            try:
                self._final(on_final)
            except Exception as error:  # noqa: BLE001 - onFinish(stream, state, err)
                on_final(error)
            self._w_sync = False
        else:
            self._w_final_called = True
            self._w_prefinished = True
            self.emit("prefinish")

    def _finish_maybe(self, sync: bool) -> None:
        if self._need_finish():
            self._prefinish()
            if self._w_pending_cb == 0:
                if sync:
                    self._w_pending_cb += 1
                    self._process.next_tick(self._finish_if_needed)
                elif self._need_finish():
                    self._w_pending_cb += 1
                    self._finish()

    def _finish_if_needed(self) -> None:
        if self._need_finish():
            self._finish()
        else:
            self._w_pending_cb -= 1

    def _finish(self) -> None:
        self._w_pending_cb -= 1
        self._w_finished = True
        self._call_finished_callbacks(None)
        self.emit("finish")
        if self._r_end_emitted:  # autoDestroy: both sides are done
            self.destroy()

    def _call_finished_callbacks(self, error: Exception | None) -> None:
        callbacks, self._w_on_finished = self._w_on_finished, []
        for callback in callbacks:
            callback(error)

    # -- Writable properties

    @property
    def writable(self) -> bool:
        return not self._destroyed and self._errored is None and not self._w_ending and not self._w_ended

    @property
    def writable_ended(self) -> bool:
        return self._w_ending

    @property
    def writable_finished(self) -> bool:
        return self._w_finished

    @property
    def writable_length(self) -> int:
        return self._w_length

    @property
    def writable_high_water_mark(self) -> int:
        return self._w_hwm

    @property
    def writable_need_drain(self) -> bool:
        return not self._destroyed and not self._w_ending and self._w_need_drain

    @property
    def writable_corked(self) -> int:
        return self._w_corked

    @property
    def writable_object_mode(self) -> bool:
        return False

    # ============================================================= destroy

    @property
    def destroyed(self) -> bool:
        return self._destroyed

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def errored(self) -> Exception | None:
        return self._errored

    def destroy(self, error: BaseException | None = None, callback: ErrorCallback | None = None) -> Self:
        """Destroy the stream: 'error' (if ``error``), then 'close'."""
        if self._destroyed:
            if callback is not None:
                callback(None)
            return self
        # Writable.prototype.destroy: "Invoke pending callbacks."
        if self._w_buffered or self._w_on_finished:
            self._process.next_tick(self._error_buffer)
        if error is not None and self._errored is None:
            # Node's errors are Exceptions; anything else passed here is kept as it is.
            self._errored = cast(Exception, error)
        self._destroyed = True
        called = [False]

        def on_destroy(err: Exception | None = None) -> None:
            if called[0]:
                return
            called[0] = True
            if err is not None and self._errored is None:
                self._errored = err
            self._closed = True
            if callback is not None:
                callback(err)
            if err is not None:
                self._process.next_tick(self._emit_error_close_nt, err)
            else:
                self._process.next_tick(self._emit_close_nt)

        try:
            self._destroy(cast("Exception | None", error), on_destroy)
        except Exception as err:  # noqa: BLE001 - onDestroy(err)
            on_destroy(err)
        return self

    def _emit_error_close_nt(self, error: Exception) -> None:
        self._emit_error_nt(error)
        self._emit_close_nt()

    def _emit_close_nt(self) -> None:
        # emitClose is false for a net.Socket: the handle's close callback emits 'close'.
        self._close_emitted = True

    def _emit_error_nt(self, error: Exception) -> None:
        if self._error_emitted:
            return
        self._error_emitted = True
        self.emit("error", error)

    def _error_or_destroy(self, error: Exception) -> None:
        # errorOrDestroy with autoDestroy: destroy (unless already destroyed).
        if not self._destroyed:
            self.destroy(error)


class _Pipe:
    """The listeners Readable.prototype.pipe sets up between ``src`` and ``dest``."""

    def __init__(self, src: Duplex, dest: Any, options: Mapping[str, object] | None) -> None:
        self.src = src
        self.dest = dest
        self.do_end = not options or options.get("end") is not False
        self.ondrain: Callable[[], None] | None = None
        self.cleaned_up = False

    def start(self) -> Any:
        src, dest = self.src, self.dest
        if len(src._r_pipes) == 1 and not src._r_multi_await_drain:
            src._r_multi_await_drain = True
            previous = src._r_await_drain
            src._r_await_drain = {previous} if previous is not None else set()
        src._r_pipes.append(dest)
        end_fn = self.onend if self.do_end else self.unpipe
        self.end_fn = end_fn
        if src._r_end_emitted:
            src._process.next_tick(end_fn)
        else:
            src.once("end", end_fn)
        dest.on("unpipe", self.onunpipe)
        src.on("data", self.ondata)
        # "Make sure our error handler is attached before userland ones."
        dest.prepend_listener("error", self.onerror)
        dest.once("close", self.onclose)
        dest.once("finish", self.onfinish)
        dest.emit("pipe", src)
        if getattr(dest, "writable_need_drain", False) is True:
            self.pause()
        elif not src._r_flowing:
            src.resume()
        return dest

    def ondata(self, chunk: Any) -> None:
        try:
            if self.dest.write(chunk) is False:
                self.pause()
        except Exception as error:  # noqa: BLE001 - dest.destroy(error), as Node does
            self.dest.destroy(error)

    def onend(self) -> None:
        self.dest.end()

    def onunpipe(self, readable: Any, info: Any = None) -> None:
        if readable is self.src and isinstance(info, dict) and info.get("has_unpiped") is False:
            info["has_unpiped"] = True
            self.cleanup()

    def cleanup(self) -> None:
        src, dest = self.src, self.dest
        dest.remove_listener("close", self.onclose)
        dest.remove_listener("finish", self.onfinish)
        if self.ondrain is not None:
            dest.remove_listener("drain", self.ondrain)
        dest.remove_listener("error", self.onerror)
        dest.remove_listener("unpipe", self.onunpipe)
        src.remove_listener("end", self.onend)
        src.remove_listener("end", self.unpipe)
        src.remove_listener("data", self.ondata)
        self.cleaned_up = True
        if self.ondrain is not None and src._r_await_drain and getattr(dest, "writable_need_drain", True):
            self.ondrain()

    def pause(self) -> None:
        src, dest = self.src, self.dest
        if not self.cleaned_up:
            if len(src._r_pipes) == 1 and src._r_pipes[0] is dest:
                src._r_await_drain = dest
                src._r_multi_await_drain = False
            elif len(src._r_pipes) > 1 and dest in src._r_pipes:
                src._r_await_drain.add(dest)
            src.pause()
        if self.ondrain is None:
            self.ondrain = self.pipe_on_drain
            dest.on("drain", self.ondrain)

    def pipe_on_drain(self) -> None:
        src, dest = self.src, self.dest
        if src._r_await_drain is dest:
            src._r_await_drain = None
        elif src._r_multi_await_drain:
            src._r_await_drain.discard(dest)
        if not src._r_await_drain and src._r_data_listening:
            src.resume()

    def onerror(self, error: Exception) -> None:
        dest = self.dest
        self.unpipe()
        dest.remove_listener("error", self.onerror)
        if dest.listener_count("error") == 0:
            if isinstance(dest, Duplex) and not dest._error_emitted:
                dest._error_or_destroy(error)
            else:
                dest.emit("error", error)

    def onclose(self, *args: object) -> None:
        self.dest.remove_listener("finish", self.onfinish)
        self.unpipe()

    def onfinish(self) -> None:
        self.dest.remove_listener("close", self.onclose)
        self.unpipe()

    def unpipe(self) -> None:
        self.src.unpipe(self.dest)
