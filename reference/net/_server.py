# net.Server (lib/net.js Server, listen, setupListenHandle, onconnection,
# close, getConnections) on an asyncio loop.
#
# The listening socket is ours, not asyncio's: it is a plain non-blocking
# socket watched with loop.add_reader(), and accepting is done here, so that
# what Node decides at accept time is decided here too, in Node's order:
# accept errors ('error' with syscall 'accept'), max_connections and 'drop',
# the block list, then a Socket and 'connection'. Each accepted connection
# then gets the loop's own transport (see _socket._Connection).
#
# Binding follows libuv: SO_REUSEADDR on every TCP listening socket, IPv6
# sockets get IPV6_V6ONLY set explicitly (off unless ipv6_only), EADDRINUSE
# from bind() is reported by listen() (so '::' does not fall back to
# '0.0.0.0' when the port is taken), a Unix socket path is unlinked on close
# only if this handle created it.

from __future__ import annotations

import asyncio
import errno as _errno
import ipaddress
import os
import socket as _socket
import stat
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, Self

from .._errors import NodeError, NodeSystemError, NodeTypeError, err_invalid_arg_type, system_error
from .._process import Handle, Process, current_process
from ..events import EventEmitter
from ._blocklist import BlockList
from ._ip import is_ip
from ._socket import DEFAULT_HIGH_WATER_MARK, Socket, _Connection, address_info, apply_keep_alive, connection_handle
from ._types import AddressInfo
from ._validators import (
    err_invalid_arg_value,
    is_number,
    js_number,
    js_to_int32,
    js_truthy,
    to_number,
    validate_function,
    validate_number,
    validate_port,
)

__all__ = ["Server", "create_server"]

_DEFAULT_IPV4_ADDR = "0.0.0.0"
_DEFAULT_IPV6_ADDR = "::"
# "Use a backlog of 512 entries. We pass 511 to the listen() call because the
# kernel does: backlogsize = roundup_pow_of_two(backlogsize + 1)" (lib/net.js).
_DEFAULT_BACKLOG = 511
_MISSING = object()

# getaddrinfo's EAI_* as libuv reports them (uv-errno.h), and Node's codes for them.
_EAI = {
    getattr(_socket, name): (uv, code)
    for name, uv, code in (
        ("EAI_ADDRFAMILY", -3000, "EAI_ADDRFAMILY"),
        ("EAI_AGAIN", -3001, "EAI_AGAIN"),
        ("EAI_BADFLAGS", -3002, "EAI_BADFLAGS"),
        ("EAI_FAIL", -3004, "EAI_FAIL"),
        ("EAI_FAMILY", -3005, "EAI_FAMILY"),
        ("EAI_MEMORY", -3006, "EAI_MEMORY"),
        ("EAI_NODATA", -3007, "ENOTFOUND"),
        ("EAI_NONAME", -3008, "ENOTFOUND"),
        ("EAI_OVERFLOW", -3009, "EAI_OVERFLOW"),
        ("EAI_SERVICE", -3010, "EAI_SERVICE"),
        ("EAI_SOCKTYPE", -3011, "EAI_SOCKTYPE"),
    )
    if hasattr(_socket, name)
}


def _err_server_not_running() -> NodeError:
    return NodeError("ERR_SERVER_NOT_RUNNING", "Server is not running.")


def _listen_error(os_errno: int, address: str | None, port: int | None) -> NodeSystemError:
    # UVExceptionWithHostPort(err, 'listen', address, port): `address` always,
    # `port` only when it is truthy (so a pipe's -1 is there and a 0 is not).
    return system_error(os_errno, "listen", address, port if port else None)


class _ListenHandle(Handle):
    """A listening socket (Node's TCP or Pipe server handle)."""

    def __init__(self, process: Process, sock: _socket.socket, unlink_path: str | None = None) -> None:
        Handle.__init__(self, process)
        self.sock = sock
        self.is_tcp = sock.family != _socket.AF_UNIX
        self.unlink_path = unlink_path  # the Unix socket file this handle created
        self.owner: Server | None = None
        self.delayed_error = 0  # libuv's delayed_error: EADDRINUSE from bind, reported by listen
        self.watching = False
        self.closed = False
        self._accept_retry: asyncio.TimerHandle | None = None

    def listen(self, backlog: int) -> int:
        """listen(2) and start accepting; 0 or an errno."""
        if self.delayed_error:
            return self.delayed_error
        try:
            self.sock.listen(backlog)
        except OSError as exc:
            return exc.errno or _errno.EINVAL
        if not self.watching:
            self.watching = True
            self._process.loop.add_reader(self.sock.fileno(), self._on_readable)
        self._activate()
        return 0

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._accept_retry is not None:
            self._accept_retry.cancel()
            self._accept_retry = None
        if self.watching:
            self.watching = False
            self._process.loop.remove_reader(self.sock.fileno())
        self.sock.close()
        if self.unlink_path is not None:
            # uv__pipe_close unlinks the path it bound, at close time.
            try:
                os.unlink(self.unlink_path)
            except OSError:
                pass
        self._deactivate()

    def _on_readable(self) -> None:
        # uv__server_io: accept until the queue is empty.
        process = self._process
        sock = self.sock
        while not self.closed and not process._halted:
            try:
                conn, _ = sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionAbortedError:
                continue  # "Ignore. Nothing we can do about that."
            except OSError as exc:
                if exc.errno in (_errno.EMFILE, _errno.ENFILE):
                    # Out of descriptors: report it, and stop watching for a
                    # moment instead of spinning on a queue we cannot drain.
                    self._pause_accepting()
                if self.owner is not None:
                    process.invoke(self.owner._on_connection, None, exc)
                return
            conn.setblocking(False)
            owner = self.owner
            if owner is None:
                conn.close()
                continue
            process.invoke(owner._on_connection, conn, None)

    def _pause_accepting(self) -> None:
        if self.watching:
            self.watching = False
            self._process.loop.remove_reader(self.sock.fileno())

        def retry() -> None:
            self._accept_retry = None
            if not self.closed and not self.watching:
                self.watching = True
                self._process.loop.add_reader(self.sock.fileno(), self._on_readable)

        self._accept_retry = self._process.loop.call_later(0.1, retry)

    def getsockname(self) -> AddressInfo:
        return address_info(self.sock, peer=False)

    def _describe(self) -> str:
        try:
            name = self.sock.getsockname()
        except OSError:
            name = "?"
        return f"Server(listening on {name!r})"

    def _force_close(self) -> None:
        self.close()


def _bind_tcp(address: str, port: int, family: int, flags: dict[str, bool]) -> _ListenHandle | int:
    """uv_tcp_bind with Node's flags; an errno when it fails (EADDRINUSE is delayed to listen)."""
    process = current_process()
    try:
        sock = _socket.socket(family, _socket.SOCK_STREAM)
    except OSError as exc:
        return exc.errno or _errno.EINVAL
    try:
        sock.setblocking(False)
        sock.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)
        if flags.get("reuse_port") and hasattr(_socket, "SO_REUSEPORT"):
            sock.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEPORT, 1)
        if family == _socket.AF_INET6:
            sock.setsockopt(_socket.IPPROTO_IPV6, _socket.IPV6_V6ONLY, 1 if flags.get("ipv6_only") else 0)
        handle = _ListenHandle(process, sock)
        try:
            sock.bind((address, port))
        except OSError as exc:
            if exc.errno != _errno.EADDRINUSE:
                raise
            handle.delayed_error = exc.errno
        return handle
    except OSError as exc:
        sock.close()
        return exc.errno or _errno.EINVAL
    except (ValueError, TypeError, OverflowError):
        sock.close()
        return _errno.EINVAL


def _bind_pipe(path: str) -> _ListenHandle | int:
    """uv_pipe_bind: never unlinks what is already there; too long a name is EINVAL."""
    process = current_process()
    encoded = path.encode("utf-8", "surrogateescape")
    # UV_PIPE_NO_TRUNCATE: EINVAL only for a name longer than sun_path (108
    # bytes on Linux; a name of exactly 108 has no NUL and is fine).
    if len(encoded) > 108 or not encoded:
        return _errno.EINVAL
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        if len(encoded) == 108 and not path.startswith("\0"):
            _bind_full_sun_path(sock, encoded)
        else:
            sock.bind(path)
    except OSError as exc:
        sock.close()
        return exc.errno or _errno.EINVAL
    abstract = path.startswith("\0")
    return _ListenHandle(process, sock, None if abstract else path)


def _bind_full_sun_path(sock: _socket.socket, encoded: bytes) -> None:
    # CPython's bind() wants room for a NUL after a file-system path; the
    # kernel (and libuv) take a name that fills sun_path exactly.
    import ctypes

    class SockaddrUn(ctypes.Structure):
        _fields_ = [("sun_family", ctypes.c_ushort), ("sun_path", ctypes.c_char * 108)]

    address = SockaddrUn(_socket.AF_UNIX, encoded)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.bind(sock.fileno(), ctypes.byref(address), ctypes.sizeof(address)) != 0:
        number = ctypes.get_errno()
        raise OSError(number, os.strerror(number))


def _open_fd(fd: int) -> _ListenHandle | int:
    """createHandle(fd) + handle.open(fd): a TCP or Unix stream socket, else EINVAL."""
    try:
        if not stat.S_ISSOCK(os.fstat(fd).st_mode):
            return _errno.EINVAL
        with _socket.socket(fileno=os.dup(fd)) as probe:
            family, kind = probe.family, probe.type
    except OSError:
        return _errno.EINVAL
    if kind != _socket.SOCK_STREAM or family not in (_socket.AF_INET, _socket.AF_INET6, _socket.AF_UNIX):
        return _errno.EINVAL
    sock = _socket.socket(family, _socket.SOCK_STREAM, fileno=fd)
    sock.setblocking(False)
    return _ListenHandle(current_process(), sock)


def _is_pipe_name(value: object) -> bool:
    # isPipeName: a string that is not a non-negative number.
    return isinstance(value, str) and to_number(value) is None


def _option(options: object, key: str) -> Any:
    if isinstance(options, Mapping):
        return options.get(key)
    return None


def _has(options: object, key: str) -> bool:
    return isinstance(options, Mapping) and key in options


class Server(EventEmitter):
    """``net.Server``: a TCP or IPC server."""

    def __init__(self, options: Any = None, connection_listener: Any = None) -> None:
        # Node calls EventEmitter without options (clause B60).
        EventEmitter.__init__(self)
        if callable(options):
            connection_listener = options
            opts: dict[str, Any] = {}
            self.on("connection", connection_listener)
        elif options is None or isinstance(options, Mapping):
            opts = dict(options or {})
            if callable(connection_listener):
                self.on("connection", connection_listener)
        else:
            raise err_invalid_arg_type("options", "of type object", options)
        delay = opts.get("keep_alive_initial_delay")
        if delay is not None:
            validate_number(delay, "options.keep_alive_initial_delay")
            if delay < 0:
                opts["keep_alive_initial_delay"] = 0
        hwm = opts.get("high_water_mark")
        if hwm is not None:
            validate_number(hwm, "options.high_water_mark")
            if hwm < 0:
                opts["high_water_mark"] = DEFAULT_HIGH_WATER_MARK
        self._process = current_process()
        self._connections = 0
        self._handle: _ListenHandle | None = None
        self._unref = False
        self._listening_id = 1
        self._pipe_name: str | None = None
        self._connection_key: str | None = None
        self.max_connections: Any = None
        self.allow_half_open: Any = opts.get("allow_half_open") or False
        self.pause_on_connect = js_truthy(opts.get("pause_on_connect"))
        self.no_delay = js_truthy(opts.get("no_delay"))
        self.keep_alive = js_truthy(opts.get("keep_alive"))
        delay = opts.get("keep_alive_initial_delay")
        # `~~(options.keepAliveInitialDelay / 1000)`: ToInt32, so NaN and ±Infinity are 0.
        self.keep_alive_initial_delay = js_to_int32(js_number(delay) / 1000) if is_number(delay) else 0
        hwm = opts.get("high_water_mark")
        self.high_water_mark: Any = DEFAULT_HIGH_WATER_MARK if hwm is None else hwm
        block_list = opts.get("block_list")
        self.block_list: BlockList | None = None
        if js_truthy(block_list):
            if not BlockList.is_block_list(block_list):
                raise err_invalid_arg_type("options.block_list", "an instance of net.BlockList", block_list)
            self.block_list = block_list

    # ================================================================ listen

    def listen(self, *args: Any) -> Self:
        """Listen: ``(port, host, backlog, cb)``, ``(path, backlog, cb)``, ``(options, cb)`` or ``(handle, backlog, cb)``."""
        options, callback = _normalize_args(args)
        if self._handle is not None:
            raise NodeError("ERR_SERVER_ALREADY_LISTEN", "Listen method has been called more than once without closing.")
        if callback is not None:
            # Registered before any validation (clause D73).
            self.once("listening", callback)
        backlog_from_args = (to_number(args[1]) if len(args) > 1 else None) or (
            to_number(args[2]) if len(args) > 2 else None
        )
        # `options = options._handle || options.handle || options`
        target: Any
        if isinstance(options, (Server, Socket)):
            target = options._handle
            options = target if target is not None else {}
        elif isinstance(options, Mapping):
            # Only one level: {'handle': server} makes the server object itself
            # the options (Node 24 then throws "must have the property port or path").
            for key in ("_handle", "handle"):
                target = options.get(key)
                if js_truthy(target):
                    options = target
                    break
        flags = {"ipv6_only": _option(options, "ipv6_only") is True, "reuse_port": _option(options, "reuse_port") is True}
        self._listening_id += 1
        if isinstance(options, _ListenHandle) and options.is_tcp:
            # listen(tcpHandle): adopt the very same listening socket (clause D86).
            self._handle = options
            self._setup_listen_handle(None, -1, -1, backlog_from_args, None, flags)
            return self
        if isinstance(options, _ListenHandle) or isinstance(options, _Connection):
            # A Pipe (or a connected) handle is reopened from its descriptor,
            # which libuv refuses while the descriptor is in this loop already.
            error = system_error(_errno.EEXIST if isinstance(options, _ListenHandle) else _errno.EINVAL, "listen")
            error.address = None
            self._process.next_tick(self.emit, "error", error)
            return self
        if isinstance(options, Socket) or isinstance(options, Server):
            options = {}
        self._add_abort_signal(options)
        fd = _option(options, "fd")
        if is_number(fd) and fd >= 0:
            self._setup_listen_handle(None, None, None, backlog_from_args, int(fd), flags)
            return self
        assert isinstance(options, Mapping)
        options = dict(options)
        if not args or callable(args[0]) or ("port" in options and options["port"] is None):
            options["port"] = 0
        port = options.get("port", _MISSING)
        if is_number(port) or isinstance(port, str):
            validate_port(port, "options.port")
            backlog = options.get("backlog") if js_truthy(options.get("backlog")) else backlog_from_args
            if js_truthy(options.get("host")):
                self._lookup_and_listen(js_to_int32(js_number(port)), options["host"], backlog, flags)
            else:
                self._setup_listen_handle(None, js_to_int32(js_number(port)), 4, backlog, None, flags)
            return self
        path = options.get("path")
        if isinstance(path, str) and path and _is_pipe_name(path):
            if path.startswith("\0") and (js_truthy(options.get("readable_all")) or js_truthy(options.get("writable_all"))):
                raise err_invalid_arg_value(
                    "options",
                    options,
                    "can not set readable_all or writable_all to true when path is abstract unix socket",
                )
            self._pipe_name = path
            backlog = options.get("backlog") if js_truthy(options.get("backlog")) else backlog_from_args
            self._setup_listen_handle(path, -1, -1, backlog, None, flags)
            if self._handle is None:
                return self  # the error is emitted on the next tick
            mode = 0
            if options.get("readable_all") is True:
                mode |= stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
            if options.get("writable_all") is True:
                mode |= stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
            if mode:
                error = _pipe_chmod(path, mode)
                if error is not None:
                    self._handle.close()
                    self._handle = None
                    raise error
            return self
        if "port" not in options and "path" not in options:
            raise err_invalid_arg_value("options", options, 'must have the property "port" or "path"')
        raise err_invalid_arg_value("options", options)

    def _add_abort_signal(self, options: object) -> None:
        # addServerAbortSignalOption
        signal = _option(options, "signal")
        if signal is None:
            return
        if isinstance(signal, (str, int, float, bool)) or not hasattr(signal, "aborted"):
            raise NodeTypeError(
                "ERR_INVALID_ARG_TYPE",
                f'The "options.signal" property must be an instance of AbortSignal. Received {type(signal).__name__}',
            )

        def on_aborted(*_: object) -> None:
            self.close()

        if signal.aborted:
            self._process.next_tick(on_aborted)
        else:
            signal.add_event_listener("abort", on_aborted, {"once": True})

            def dispose(*_: object) -> None:
                signal.remove_event_listener("abort", on_aborted)

            self.once("close", dispose)

    def _setup_listen_handle(
        self,
        address: str | None,
        port: int | None,
        address_type: int | None,
        backlog: Any,
        fd: int | None,
        flags: dict[str, bool],
    ) -> None:
        # setupListenHandle
        if self._handle is None:
            rval: _ListenHandle | int | None = None
            if not address and fd is None:
                # Try the unspecified IPv6 address first; fall back to IPv4.
                rval = self._create_server_handle(_DEFAULT_IPV6_ADDR, port, 6, None, flags)
                if isinstance(rval, int):
                    rval = None
                    address, address_type = _DEFAULT_IPV4_ADDR, 4
                else:
                    address, address_type = _DEFAULT_IPV6_ADDR, 6
            if rval is None:
                rval = self._create_server_handle(address, port, address_type, fd, flags)
            if isinstance(rval, int):
                self._process.next_tick(self.emit, "error", _listen_error(rval, address, port))
                return
            self._handle = rval
        handle = self._handle
        handle.owner = self
        backlog_value = js_to_int32(js_number(backlog)) if js_truthy(backlog) else 0
        if backlog_value < 0:
            # listen(2) takes the backlog as unsigned: the kernel caps it at
            # somaxconn (Python's listen() would make it 0).
            backlog_value = 2**31 - 1
        err = handle.listen(backlog_value or _DEFAULT_BACKLOG)
        if err:
            handle.close()
            self._handle = None
            self._process.next_tick(self.emit, "error", _listen_error(err, address, port))
            return
        self._connection_key = f"{address_type}:{address}:{port}"
        if self._unref:
            self.unref()
        self._process.next_tick(self._emit_listening_nt)

    def _create_server_handle(
        self, address: str | None, port: int | None, address_type: int | None, fd: int | None, flags: dict[str, bool]
    ) -> _ListenHandle | int:
        # createServerHandle
        if fd is not None and fd >= 0:
            return _open_fd(fd)
        if port == -1 and address_type == -1:
            return _bind_pipe(address or "")
        family = _socket.AF_INET6 if address_type == 6 else _socket.AF_INET
        return _bind_tcp(address or _DEFAULT_IPV4_ADDR, port or 0, family, flags)

    def _emit_listening_nt(self) -> None:
        if self._handle is not None:
            self.emit("listening")

    def _lookup_and_listen(self, port: int, host: Any, backlog: Any, flags: dict[str, bool]) -> None:
        # lookupAndListen: dns.lookup(host, {all: true}), even for a literal IP
        # (clause D81); only the latest listen()/close() counts (D84).
        if not isinstance(host, str):
            # dns.lookup validates the hostname synchronously, inside listen().
            raise err_invalid_arg_type("hostname", "of type string", host)
        listening_id = self._listening_id
        process = self._process
        process.begin_request()
        host_name = host

        async def lookup() -> list[tuple[Any, ...]]:
            return await process.loop.getaddrinfo(host_name, None, type=_socket.SOCK_STREAM)

        def done(task: asyncio.Task[list[tuple[Any, ...]]]) -> None:
            process.end_request()
            if task.cancelled() or listening_id != self._listening_id:
                return
            error = task.exception()
            if error is not None:
                process.invoke(self.emit, "error", _lookup_error(error, host_name))
                return
            results = task.result()
            chosen = _first_usable(results)
            if chosen is None:
                process.invoke(self.emit, "error", _lookup_error(_socket.gaierror(_socket.EAI_NONAME), host_name))
                return
            family, address = chosen
            process.invoke(self._setup_listen_handle, address, port, family, backlog, None, flags)

        task = process.loop.create_task(lookup())
        task.add_done_callback(done)

    @property
    def listening(self) -> bool:
        return self._handle is not None

    def address(self) -> AddressInfo | str | None:
        """{address, family, port} for TCP; the path for IPC; None when not listening."""
        handle = self._handle
        if handle is not None and handle.is_tcp:
            try:
                return handle.getsockname()
            except OSError as exc:
                raise system_error(exc.errno or _errno.EBADF, "address") from None
        if self._pipe_name:
            return self._pipe_name
        return None

    # ========================================================= connections

    def _on_connection(self, conn: _socket.socket | None, error: OSError | None) -> None:
        # onconnection
        if error is not None or conn is None:
            self.emit("error", system_error((error.errno if error else None) or _errno.EIO, "accept"))
            return
        maximum = self.max_connections
        if maximum is not None and self._connections >= (maximum if is_number(maximum) else js_number(maximum)):
            try:
                if conn.family == _socket.AF_UNIX:
                    self.emit("drop")
                else:
                    local, remote = _safe_name(conn, False), _safe_name(conn, True)
                    self.emit(
                        "drop",
                        {
                            "local_address": local.get("address"),
                            "local_port": local.get("port"),
                            "local_family": local.get("family"),
                            "remote_address": remote.get("address"),
                            "remote_port": remote.get("port"),
                            "remote_family": remote.get("family"),
                        },
                    )
            finally:
                conn.close()
            return
        if self.block_list is not None and conn.family != _socket.AF_UNIX:
            address = _safe_name(conn, True).get("address")
            kind = is_ip(address)
            if kind and isinstance(address, str) and self.block_list.check(address, f"ipv{kind}"):
                conn.close()
                return
        handle = connection_handle(self._process, conn)
        socket = Socket(
            {
                "allow_half_open": self.allow_half_open,
                "pause_on_create": self.pause_on_connect,
                "readable": True,
                "writable": True,
                "readable_high_water_mark": self.high_water_mark,
                "writable_high_water_mark": self.high_water_mark,
            },
            _handle=handle,
        )
        if self.no_delay and handle.is_tcp:
            socket._no_delay = True
            try:
                conn.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
            except OSError:
                pass
        if self.keep_alive and handle.is_tcp:
            socket._keep_alive = True
            socket._keep_alive_initial_delay = self.keep_alive_initial_delay
            apply_keep_alive(conn, True, self.keep_alive_initial_delay, None, None)
        self._connections += 1
        socket.server = self
        socket._server = self
        self.emit("connection", socket)

    def get_connections(self, callback: Callable[[Exception | None, int], object]) -> Self:
        """``callback(None, count)`` on the next tick."""
        validate_function(callback, "callback")
        self._process.next_tick(callback, None, self._connections)
        return self

    # ================================================================ close

    def close(self, callback: Any = None) -> Self:
        """Stop accepting; 'close' (and ``callback(None)``) once every connection has ended."""
        self._listening_id += 1
        if callable(callback):
            if self._handle is None:
                self.once("close", _CloseCallback(callback, not_running=True))
            else:
                self.once("close", _CloseCallback(callback, not_running=False))
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self._emit_close_if_drained()
        return self

    def _emit_close_if_drained(self) -> None:
        if self._handle is not None or self._connections:
            return
        self._process.next_tick(self.emit, "close")

    def aclose(self) -> Awaitable[None]:
        """``server[Symbol.asyncDispose]()``: close now; the awaitable completes at 'close'."""
        future: asyncio.Future[None] = self._process.loop.create_future()
        if self._handle is None:
            future.set_result(None)
            return future

        def settle(error: Exception | None) -> None:
            if future.done():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(None)

        self.close(settle)
        return future

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()

    def nodejs_rejection(self, error: BaseException, event_name: object, *args: object) -> None:
        """Where captured rejections of this server's listeners go (clause B61)."""
        if event_name == "connection" and args and isinstance(args[0], Socket):
            args[0].destroy(error)
        else:
            self.emit("error", error)

    # ============================================================= ref/unref

    def ref(self) -> Self:
        self._unref = False
        if self._handle is not None:
            self._handle.ref()
        return self

    def unref(self) -> Self:
        self._unref = True
        if self._handle is not None:
            self._handle.unref()
        return self

    def __repr__(self) -> str:
        return f"<net.Server {'listening on ' + repr(self.address()) if self._handle else 'not listening'}>"


class _CloseCallback:
    """close(cb)'s 'close' listener: cb(None), or cb(ERR_SERVER_NOT_RUNNING) if it was not running."""

    __slots__ = ("listener", "not_running")

    def __init__(self, listener: Callable[[Exception | None], object], not_running: bool) -> None:
        self.listener = listener
        self.not_running = not_running

    def __call__(self, *args: object) -> object:
        return self.listener(_err_server_not_running() if self.not_running else None)


def _normalize_args(args: tuple[Any, ...]) -> tuple[Any, Callable[..., object] | None]:
    # normalizeArgs (lib/net.js)
    if not args:
        return {}, None
    first = args[0]
    options: Any
    if isinstance(first, Mapping) or (
        first is not None and not isinstance(first, (str, int, float, bool)) and not callable(first)
    ):
        options = first
    elif _is_pipe_name(first):
        options = {"path": first}
    else:
        options = {"port": first}
        if len(args) > 1 and isinstance(args[1], str):
            options["host"] = args[1]
    last = args[-1]
    return options, last if callable(last) else None


def _pipe_chmod(path: str, mode: int) -> NodeSystemError | None:
    # uv_pipe_chmod (libuv 1.5x, Node 24): the socket file gets exactly the
    # requested bits (readable_all alone is 0o444; Node 20's libuv added them).
    try:
        os.chmod(path, mode)
    except OSError as exc:
        return system_error(exc.errno or _errno.EPERM, "uv_pipe_chmod")
    return None


def _safe_name(sock: _socket.socket, peer: bool) -> dict[str, Any]:
    try:
        return dict(address_info(sock, peer))
    except OSError:
        return {}


def _first_usable(results: list[tuple[Any, ...]]) -> tuple[int, str] | None:
    # filterOnlyValidAddress: the first address that is not IPv6 link-local.
    candidates = [
        (6 if family == _socket.AF_INET6 else 4, sockaddr[0])
        for family, _, _, _, sockaddr in results
        if family in (_socket.AF_INET, _socket.AF_INET6)
    ]
    for family, address in candidates:
        if not (family == 6 and ipaddress.IPv6Address(address.split("%", 1)[0]).is_link_local):
            return family, address
    return candidates[0] if candidates else None


def _lookup_error(error: BaseException, hostname: str) -> BaseException:
    # dns.lookup's error (lib/internal/errors.js DNSException).
    if isinstance(error, _socket.gaierror):
        uv, code = _EAI.get(error.errno, (-3008, "ENOTFOUND"))
        return NodeError(code, f"getaddrinfo {code} {hostname}", errno=uv, syscall="getaddrinfo", hostname=hostname)
    if isinstance(error, (UnicodeError, ValueError)):
        return NodeError(
            "ENOTFOUND", f"getaddrinfo ENOTFOUND {hostname}", errno=-3008, syscall="getaddrinfo", hostname=hostname
        )
    return error


def create_server(options: Any = None, connection_listener: Any = None) -> Server:
    """``net.createServer([options][, connectionListener])``."""
    return Server(options, connection_listener)
