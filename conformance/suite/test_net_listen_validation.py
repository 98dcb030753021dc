# Validation errors thrown synchronously by listen() and friends (CLAUSES.md
# section E): ERR_SOCKET_BAD_PORT, the two ERR_INVALID_ARG_VALUE variants,
# ERR_SERVER_ALREADY_LISTEN, ERR_INVALID_ARG_TYPE, and what is never thrown.
# Codes and classes only (a RangeError is a ValueError, a TypeError a
# TypeError, a plain Error neither); never the wording.
# Node: lib/net.js Server.prototype.listen; lib/internal/validators.js
# validatePort; test-net-server-listen-options.js, test-net-listen-invalid-port.js.

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime

from ._net_helpers import LOOPBACK, raises_node_error

if TYPE_CHECKING:
    from nodeapi.net import NetModule, Server

pytestmark = pytest.mark.requires("net")


def listen_with(server: Server, *args: Any) -> Server:
    listen: Callable[..., Server] = server.listen
    return listen(*args)


def assert_plain_error(err: BaseException) -> None:
    """A JavaScript ``Error`` that is neither a TypeError nor a RangeError."""
    assert isinstance(err, Exception)
    assert not isinstance(err, (TypeError, ValueError))


# ----------------------------------------------------- ERR_SOCKET_BAD_PORT

BAD_PORTS = [-1, math.nan, 123.456, 65536, math.inf, -math.inf, 1e10, 4294967295, "", " ", "65536"]


@pytest.mark.clause("E95", "E96")
@pytest.mark.parametrize("port", BAD_PORTS, ids=repr)
@pytest.mark.parametrize(
    "shape",
    ["listen(port)", "listen(port, host)", "listen({port})", "listen({port, path})"],
)
def test_a_bad_port_throws_in_every_form(
    net: NetModule, runtime: Runtime, port: object, shape: str, sock_path: str
) -> None:
    args: tuple[Any, ...] = {
        "listen(port)": (port,),
        "listen(port, host)": (port, LOOPBACK),  # thrown before any lookup
        "listen({port})": ({"port": port},),
        "listen({port, path})": ({"port": port, "path": sock_path},),  # port wins, even when bad
    }[shape]
    server = net.create_server()
    with raises_node_error(ValueError, "ERR_SOCKET_BAD_PORT") as info:
        listen_with(server, *args)
    assert not isinstance(info.value, TypeError)  # a RangeError
    assert server.listening is False
    runtime.run(lambda: None, timeout=5)  # nothing was left scheduled or bound


@pytest.mark.clause("E95")
@pytest.mark.parametrize("port", [0, 1.0, 65535, "65535", " 80 "], ids=repr)
def test_ports_that_pass_validation(net: NetModule, runtime: Runtime, port: object) -> None:
    # The edges of the valid range do not throw. With a host the bind waits
    # for the lookup, and close() cancels it, so no port is ever taken.
    logs: list[list[str]] = []

    def main() -> None:
        server = net.create_server()
        listen_with(server, {"port": port, "host": LOOPBACK})
        log: list[str] = []
        logs.append(log)
        server.on("listening", lambda: log.append("listening"))
        server.on("error", lambda err: log.append("error"))
        server.close()

    runtime.run(main, timeout=5)
    assert logs == [[]]


# -------------------------------------------------- ERR_INVALID_ARG_VALUE


@pytest.mark.clause("E97")
@pytest.mark.parametrize(
    "options",
    [{}, {"host": "localhost"}, {"host": {"port": 3000}}, {"exclusive": True}, {"fd": -1}, {"backlog": 5}],
    ids=repr,
)
def test_options_without_port_or_path_throw(net: NetModule, options: dict[str, Any]) -> None:
    server = net.create_server()
    with raises_node_error(TypeError, "ERR_INVALID_ARG_VALUE"):
        listen_with(server, options)
    assert server.listening is False


@pytest.mark.clause("E98")
@pytest.mark.parametrize(
    "args",
    [
        ({"port": True},),
        ({"port": False},),
        ({"port": {}},),
        ({"port": [80]},),
        ({"path": -1},),
        ({"path": ""},),
        ({"path": 5},),
        (True,),  # normalised to {port: true} first
        (False,),
    ],
    ids=repr,
)
def test_an_unusable_port_or_path_throws(net: NetModule, args: tuple[Any, ...]) -> None:
    server = net.create_server()
    with raises_node_error(TypeError, "ERR_INVALID_ARG_VALUE"):
        listen_with(server, *args)
    assert server.listening is False


# ---------------------------------------------- ERR_SERVER_ALREADY_LISTEN


@pytest.mark.clause("E99")
@pytest.mark.binds_wildcard
def test_listen_while_bound_throws_already_listen(net: NetModule, runtime: Runtime) -> None:
    caught: list[BaseException] = []

    def main() -> None:
        server = net.create_server()
        server.listen(0)  # bound synchronously; 'listening' not yet emitted
        for args in [(0,), (0, LOOPBACK), ({"port": 0},), (-1,), ({},)]:
            # Checked first: even arguments that are themselves invalid get this error.
            with raises_node_error(Exception, "ERR_SERVER_ALREADY_LISTEN") as info:
                listen_with(server, *args)
            caught.append(info.value)
        server.on("listening", server.close)

    runtime.run(main, timeout=5)
    assert len(caught) == 5
    for err in caught:
        assert_plain_error(err)


@pytest.mark.clause("E99")
def test_listen_in_the_listen_callback_throws_already_listen(net: NetModule, runtime: Runtime) -> None:
    caught: list[BaseException] = []

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            try:
                server.listen(0, LOOPBACK)
            except Exception as err:  # noqa: BLE001 - inspected below
                caught.append(err)
            server.close()

        server.listen(0, LOOPBACK, listening)

    runtime.run(main, timeout=5)
    [err] = caught
    assert getattr(err, "code", None) == "ERR_SERVER_ALREADY_LISTEN"
    assert_plain_error(err)


@pytest.mark.clause("E99")
@pytest.mark.requires("net-ipc")
def test_listen_while_bound_to_a_path_throws_already_listen(net: NetModule, runtime: Runtime, sock_path: str) -> None:
    caught: list[BaseException] = []

    def main() -> None:
        server = net.create_server()
        server.listen(sock_path)
        with raises_node_error(Exception, "ERR_SERVER_ALREADY_LISTEN") as info:
            server.listen(sock_path)
        caught.append(info.value)
        server.close()

    runtime.run(main, timeout=5)
    assert_plain_error(caught[0])


# ------------------------------------------------- ERR_SERVER_NOT_RUNNING


@pytest.mark.clause("E100")
def test_server_not_running_is_passed_never_thrown(net: NetModule, runtime: Runtime) -> None:
    results: list[object] = []

    def main() -> None:
        server = net.create_server()
        server.close(results.append)  # never listened: does not throw
        server.close()

    runtime.run(main, timeout=5)
    [err] = results
    assert isinstance(err, BaseException)
    assert getattr(err, "code", None) == "ERR_SERVER_NOT_RUNNING"
    assert_plain_error(err)


# ------------------------------------------------- other argument errors


@pytest.mark.clause("E101")
@pytest.mark.requires("net-ipc-abstract")
@pytest.mark.parametrize("flag", ["readable_all", "writable_all"])
def test_abstract_path_with_readable_or_writable_all_throws(
    net: NetModule, runtime: Runtime, abstract_name: str, flag: str
) -> None:
    # fchmod cannot apply to a name with no file behind it.
    server = net.create_server()
    with raises_node_error(TypeError, "ERR_INVALID_ARG_VALUE"):
        listen_with(server, {"path": abstract_name, flag: True})
    assert server.listening is False
    runtime.run(lambda: None, timeout=5)


@pytest.mark.clause("E102")
@pytest.mark.requires("net-signal")
@pytest.mark.parametrize("signal", [{}, "signal", 1], ids=repr)
def test_a_signal_that_is_not_an_abort_signal_throws(net: NetModule, runtime: Runtime, signal: object) -> None:
    server = net.create_server()
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        listen_with(server, {"port": 0, "host": LOOPBACK, "signal": signal})
    assert server.listening is False
    runtime.run(lambda: None, timeout=5)  # thrown before anything was bound


@pytest.mark.clause("E104")
@pytest.mark.parametrize("callback", [None, "callback", 1], ids=repr)
def test_get_connections_needs_a_function(net: NetModule, runtime: Runtime, callback: object) -> None:
    server = net.create_server()
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        server.get_connections(callback)  # type: ignore[arg-type]
    runtime.run(lambda: None, timeout=5)


@pytest.mark.clause("E105", "F106")
@pytest.mark.binds_wildcard
def test_bind_failures_are_not_thrown(net: NetModule, runtime: Runtime) -> None:
    order: list[str] = []

    def main() -> None:
        first = net.create_server()
        first.listen(0)  # no host: bound synchronously on the wildcard
        address = first.address()
        assert isinstance(address, dict)
        second = net.create_server()
        second.on("error", lambda err: (order.append(f"error {getattr(err, 'code', None)}")))
        second.on("error", lambda err: first.close())
        second.listen(address["port"])  # the same port: fails in the kernel, does not throw
        order.append("listen() returned")
        runtime.next_tick(order.append, "tick queued after listen()")

    runtime.run(main, timeout=5)
    # emitErrorNT is a process.nextTick callback queued inside listen().
    assert order == ["listen() returned", "error EADDRINUSE", "tick queued after listen()"]
