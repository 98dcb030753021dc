# mypy: enable-error-code="deprecated"
# Type-level cases for Server.listen (stubs/nodeapi/net.pyi): every call shape of clause D71 with
# its optional positions, ListenOptions keys, and calls mypy must reject. Never run (see
# check_events.py for how these files work).
from __future__ import annotations

from typing_extensions import assert_type

from nodeapi.abort import AbortController
from nodeapi.net import ListenOptions, Server, Socket


def on_listening() -> None: ...


def takes_port(port: int) -> None: ...


def tcp_port_host_backlog(server: Server) -> None:
    # [port[, host[, backlog]]][, callback]; no port, None or 0 is an OS-assigned port (D79).
    assert_type(server.listen(), Server)
    assert_type(server.listen(on_listening), Server)
    assert_type(server.listen(lambda: None), Server)
    assert_type(server.listen(None), Server)
    assert_type(server.listen(0), Server)
    assert_type(server.listen(8124, on_listening), Server)
    assert_type(server.listen(None, on_listening), Server)
    assert_type(server.listen(0, "127.0.0.1"), Server)
    assert_type(server.listen(0, "127.0.0.1", on_listening), Server)
    assert_type(server.listen(0, None, on_listening), Server)
    assert_type(server.listen(0, 9), Server)  # D76: a number in second place is the backlog
    assert_type(server.listen(0, 9, on_listening), Server)
    assert_type(server.listen(0, "::1", 511), Server)
    assert_type(server.listen(0, "::1", 511, on_listening), Server)
    assert_type(server.listen(None, "localhost", None, None), Server)


def ipc_path_backlog(server: Server) -> None:
    # path[, backlog][, callback]
    assert_type(server.listen("/tmp/echo.sock"), Server)
    assert_type(server.listen("/tmp/echo.sock", on_listening), Server)
    assert_type(server.listen("\0abstract", 5), Server)
    assert_type(server.listen("/tmp/echo.sock", 5, on_listening), Server)
    assert_type(server.listen("/tmp/echo.sock", None, on_listening), Server)


def options_object(server: Server, controller: AbortController) -> None:
    # options[, callback]
    assert_type(server.listen({"port": 0}), Server)
    assert_type(server.listen({"port": None, "host": "127.0.0.1"}, on_listening), Server)
    assert_type(
        server.listen({"port": 0, "host": "::", "backlog": 3, "exclusive": True, "ipv6_only": True, "reuse_port": True}),
        Server,
    )
    assert_type(server.listen({"path": "/tmp/s.sock", "readable_all": True, "writable_all": True}), Server)
    assert_type(server.listen({"fd": 3}), Server)
    assert_type(server.listen({"port": 0, "signal": controller.signal}), Server)
    options: ListenOptions = {"port": 0}
    assert_type(server.listen(options, on_listening), Server)


def no_handle_key(server: Server, other: Server) -> None:
    # Node 24 throws ERR_INVALID_ARG_VALUE for {"handle": server}: the handle is positional.
    server.listen({"handle": other})  # type: ignore[call-overload]
    handle_option: ListenOptions = {"handle": other}  # type: ignore[typeddict-unknown-key]


def handle_backlog(server: Server, other: Server, socket: Socket) -> None:
    # handle[, backlog][, callback]: another Server or Socket (D86)
    assert_type(server.listen(other), Server)
    assert_type(server.listen(other, on_listening), Server)
    assert_type(server.listen(socket, 5), Server)
    assert_type(server.listen(socket, 5, on_listening), Server)


def listen_chains(server: Server) -> None:
    assert_type(server.listen(0).unref().ref(), Server)


def misspelled_or_mistyped_options() -> None:
    # Options use the binding's snake_case keys (CONFORMANCE.md 1.1), with the documented types.
    a: ListenOptions = {"prot": 0}  # type: ignore[typeddict-unknown-key]
    b: ListenOptions = {"readableAll": True}  # type: ignore[typeddict-unknown-key]
    c: ListenOptions = {"ipv6Only": True}  # type: ignore[typeddict-unknown-key]
    d: ListenOptions = {"port": "8080"}  # type: ignore[typeddict-item]
    e: ListenOptions = {"backlog": None}  # type: ignore[typeddict-item]
    f: ListenOptions = {"signal": "not a signal"}  # type: ignore[typeddict-item]


def calls_no_shape_accepts(server: Server, socket: Socket) -> None:
    server.listen({"prot": 0})  # type: ignore[call-overload]
    server.listen(1.5)  # type: ignore[call-overload]
    server.listen(b"/tmp/echo.sock")  # type: ignore[call-overload]
    server.listen(0, "127.0.0.1", 5, on_listening, None)  # type: ignore[call-overload]
    server.listen("/tmp/echo.sock", "host")  # type: ignore[call-overload]
    server.listen(socket, "host")  # type: ignore[call-overload]
    server.listen(port=0)  # type: ignore[call-overload]
    # The listening listener gets no arguments.
    server.listen(0, takes_port)  # type: ignore[arg-type]
    server.listen({"port": 0}, "not a callback")  # type: ignore[call-overload]
