# ListenOptions (CLAUSES.md section J, and J210 for Node 24's reuse_port):
# ipv6_only, readable_all / writable_all, signal, exclusive, reuse_port,
# backlog and which of port / path / host wins.
#
# What an option did is asked of the kernel, not of the implementation:
# IPV6_V6ONLY and SO_REUSEPORT on the runtime's own listening descriptor, the
# backlog listen(2) got, the socket file's mode as the file system has it, and
# plain-socket clients (an IPv4 client of an ipv6_only server is refused).
# Node: lib/net.js Server.prototype.listen, getFlags, addServerAbortSignalOption;
# doc/api/net.md server.listen(options); test-net-listen-ipv6only.js.

from __future__ import annotations

import errno
import os
import socket
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import Connect, KernelView, PlainClient

from ._net_helpers import LOOPBACK, in_order, names, port_of, record

if TYPE_CHECKING:
    from nodeapi.net import ListenOptions, NetModule, Server

pytestmark = pytest.mark.requires("net")



def listen_with(server: Server, *args: Any) -> Server:
    """``server.listen(*args)`` for shapes outside the typed overloads."""
    listen: Callable[..., Server] = server.listen
    return listen(*args)


def kernel_backlog(expected: int) -> int:
    """What listen(2) leaves of ``expected``: the kernel caps it at somaxconn."""
    return min(expected, int(Path("/proc/sys/net/core/somaxconn").read_text()))



# --------------------------------------------------------- every field


@pytest.mark.clause("J142", "J148", "J149")
def test_every_tcp_field_at_once(net: NetModule, runtime: Runtime, kernel: KernelView) -> None:
    seen: dict[str, Any] = {}

    def main() -> None:
        controller = runtime.abort_controller()
        server = net.create_server()

        def listening() -> None:
            address = server.address()
            assert isinstance(address, dict)
            listener = kernel.listener(port=address["port"])
            seen.update(address=address["address"], backlog=listener.backlog)
            controller.abort()  # the signal closes it

        server.on("close", lambda: seen.update(closed=True))
        options: ListenOptions = {
            "port": 0,
            "host": LOOPBACK,
            "backlog": 5,
            "exclusive": True,
            "ipv6_only": False,
            "reuse_port": False,
            "signal": controller.signal,
        }
        server.listen(options, listening)

    runtime.run(main, timeout=5)
    assert seen == {"address": LOOPBACK, "backlog": kernel_backlog(5), "closed": True}


@pytest.mark.clause("J142", "J148", "J144")
@pytest.mark.requires("net-ipc")
def test_every_ipc_field_at_once(net: NetModule, runtime: Runtime, kernel: KernelView, sock_path: str) -> None:
    seen: dict[str, Any] = {}

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            seen.update(
                address=server.address(),
                backlog=kernel.listener(path=sock_path).backlog,
                mode=stat.S_IMODE(os.stat(sock_path).st_mode) & 0o666,
            )
            server.close()

        options: ListenOptions = {
            "path": sock_path,
            "backlog": 6,
            "exclusive": False,
            "readable_all": True,
            "writable_all": True,
        }
        server.listen(options, listening)

    runtime.run(main, timeout=5)
    assert seen == {"address": sock_path, "backlog": kernel_backlog(6), "mode": 0o666}


# ------------------------------------------------------------ ipv6_only


@pytest.mark.clause("J143")
@pytest.mark.parametrize("ipv6_only", [True, False], ids=["ipv6_only", "dual-stack"])
@pytest.mark.binds_wildcard
def test_ipv6_only_turns_off_the_ipv4_side(
    net: NetModule, runtime: Runtime, kernel: KernelView, connect: Connect, has_ipv6: bool, ipv6_only: bool
) -> None:
    if not has_ipv6:
        pytest.skip("this machine cannot bind ::")
    seen: dict[str, Any] = {}
    clients: dict[str, PlainClient] = {}

    def main() -> None:
        server = net.create_server(lambda sock: sock.end())

        def listening() -> None:
            port = port_of(server)
            seen["v6only"] = kernel.getsockopt(kernel.listener(port=port), socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)
            if not ipv6_only:
                # The dual-stack server holds the IPv4 side of its port too. (That
                # an IPv6-only one leaves it free cannot be shown by binding it:
                # any other process's socket may hold that IPv4 port.)
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                    try:
                        probe.bind(("0.0.0.0", port))
                        seen["ipv4 bind"] = "free"
                    except OSError as exc:
                        seen["ipv4 bind"] = errno.errorcode.get(exc.errno or 0, str(exc))
            clients["v4"] = connect((LOOPBACK, port), name="v4").wait_connected().read_until_eof().close()
            clients["v6"] = connect(("::1", port), name="v6").wait_connected().read_until_eof().close()
            runtime.set_timeout(server.close, 100)

        options: ListenOptions = {"host": "::", "port": 0, "ipv6_only": ipv6_only}
        server.listen(options, listening)

    runtime.run(main, timeout=5)
    v4, v6 = clients["v4"].wait(), clients["v6"].wait()
    assert v6.connect_error is None
    if ipv6_only:
        assert seen == {"v6only": 1}
        assert v4.connect_error == "ECONNREFUSED"
    else:
        assert seen == {"v6only": 0, "ipv4 bind": "EADDRINUSE"}
        assert v4.connect_error is None


# ------------------------------------------------ readable_all, writable_all


@pytest.fixture
def strict_umask() -> Iterator[int]:
    """umask 077 while the test runs: a socket file then starts as 0o700 (or
    0o755 under a 022 umask a runtime spawned earlier keeps), so the bits
    readable_all / writable_all must add are missing unless they add them."""
    previous = os.umask(0o077)
    try:
        yield 0o077
    finally:
        os.umask(previous)


def runtime_umask(runtime: Runtime) -> int | None:
    for line in Path(f"/proc/{runtime.pid}/status").read_text().splitlines():
        if line.startswith("Umask:"):
            return int(line.split()[1], 8)
    return None


@pytest.mark.clause("J144")
@pytest.mark.requires("net-ipc")
@pytest.mark.parametrize(
    ("options", "granted"),
    [
        ({"readable_all": True}, 0o444),
        ({"writable_all": True}, 0o222),
        ({"readable_all": True, "writable_all": True}, 0o666),
    ],
    ids=["readable_all", "writable_all", "both"],
)
def test_readable_all_and_writable_all_grant_every_user(
    strict_umask: int, net: NetModule, runtime: Runtime, sock_path: str, options: ListenOptions, granted: int
) -> None:
    modes: list[int] = []

    def main() -> None:
        server = net.create_server()
        server.listen({"path": sock_path, **options})
        # fchmod happens inside listen() (it throws if it fails, E103).
        modes.append(stat.S_IMODE(os.stat(sock_path).st_mode))
        server.close()

    runtime.run(main, timeout=5)
    [mode] = modes
    umask = runtime_umask(runtime)
    assert mode & granted == granted, f"mode {mode:o}, umask of the runtime {umask:o}" if umask is not None else ""


@pytest.mark.clause("J144")
@pytest.mark.requires("net-ipc")
def test_without_them_the_mode_follows_the_umask(
    strict_umask: int, net: NetModule, runtime: Runtime, sock_path: str
) -> None:
    modes: list[int] = []

    def main() -> None:
        server = net.create_server()
        server.listen(sock_path)
        modes.append(stat.S_IMODE(os.stat(sock_path).st_mode))
        server.close()

    runtime.run(main, timeout=5)
    umask = runtime_umask(runtime)
    assert umask is not None
    # The control for the test above: bind(2) creates the file 0o777 & ~umask.
    assert modes == [0o777 & ~umask]


# --------------------------------------------------------------- signal


@pytest.mark.clause("J145")
@pytest.mark.requires("net-signal")
@pytest.mark.binds_wildcard
def test_an_already_aborted_signal_binds_then_closes(net: NetModule, runtime: Runtime, kernel: KernelView) -> None:
    logs: list[list[tuple[str, tuple[Any, ...]]]] = []
    seen: dict[str, Any] = {}

    def main() -> None:
        controller = runtime.abort_controller()
        controller.abort()
        server = net.create_server()
        logs.append(record(server, "listening", "close", "error"))
        server.listen({"port": 0, "signal": controller.signal})
        # Bound synchronously (no host); the close waits for the next tick.
        seen["listening"] = server.listening
        seen["bound"] = kernel.listener(port=port_of(server)).state
        server.on("close", lambda: seen.update(after=server.listening, listeners=kernel.listeners()))

    runtime.run(main, timeout=5)
    assert seen == {"listening": True, "bound": "LISTEN", "after": False, "listeners": []}
    assert names(logs[0]) == ["close"]


@pytest.mark.clause("J145")
@pytest.mark.requires("net-signal")
def test_an_already_aborted_signal_with_a_host_never_binds(
    net: NetModule, runtime: Runtime, kernel: KernelView
) -> None:
    logs: list[list[tuple[str, tuple[Any, ...]]]] = []
    seen: dict[str, Any] = {}

    def main() -> None:
        controller = runtime.abort_controller()
        controller.abort()
        server = net.create_server()
        logs.append(record(server, "listening", "close", "error"))
        server.listen({"port": 0, "host": LOOPBACK, "signal": controller.signal})
        seen["listening"] = server.listening  # the lookup is pending

        def later() -> None:
            seen.update(after=server.listening, listeners=kernel.listeners())

        runtime.set_timeout(later, 150)

    runtime.run(main, timeout=5)
    assert seen == {"listening": False, "after": False, "listeners": []}
    assert names(logs[0]) == ["close"]


@pytest.mark.clause("J145")
@pytest.mark.requires("net-signal")
def test_abort_while_listening_closes(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    order: list[str] = []
    seen: dict[str, Any] = {}
    clients: list[PlainClient] = []

    def main() -> None:
        controller = runtime.abort_controller()
        server = net.create_server()
        server.on("close", lambda: order.append("close"))

        def listening() -> None:
            port = port_of(server)
            order.append("listening")
            controller.abort()
            order.append("aborted")
            seen.update(listening=server.listening, address=server.address())
            clients.append(connect((LOOPBACK, port)).wait_connected())

        server.listen({"port": 0, "host": LOOPBACK, "signal": controller.signal}, listening)

    runtime.run(main, timeout=5)
    # Like close(): synchronously not listening; 'close' on a later tick.
    assert order == ["listening", "aborted", "close"]
    assert seen == {"listening": False, "address": None}
    assert clients[0].wait().connect_error == "ECONNREFUSED"


@pytest.mark.clause("J145")
@pytest.mark.requires("net-signal")
def test_the_abort_listener_goes_with_close(net: NetModule, runtime: Runtime) -> None:
    seen: list[object] = []

    def main() -> None:
        controller = runtime.abort_controller()
        server = net.create_server()

        def relisten(err: Exception | None) -> None:
            # Listening again without a signal: aborting the old one must not close it.
            def listening() -> None:
                controller.abort()

                def later() -> None:
                    seen.append(server.listening)
                    server.close()

                runtime.set_timeout(later, 50)

            server.listen({"port": 0, "host": LOOPBACK}, listening)

        server.listen({"port": 0, "host": LOOPBACK, "signal": controller.signal}, lambda: server.close(relisten))

    runtime.run(main, timeout=5)
    assert seen == [True]


# ------------------------------------------------------ port, path, host


@pytest.mark.clause("J147")
@pytest.mark.parametrize("port", [None, 0], ids=["port-None", "port-0"])
def test_host_with_an_unset_port_binds_an_os_assigned_port_there(
    net: NetModule, runtime: Runtime, kernel: KernelView, port: int | None
) -> None:
    seen: dict[str, Any] = {}

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            address = server.address()
            assert isinstance(address, dict)
            seen.update(address=address["address"], kernel=kernel.listener(port=address["port"]).local_address)
            seen["port"] = address["port"]
            server.close()

        server.listen({"host": LOOPBACK, "port": port}, listening)

    runtime.run(main, timeout=5)
    assert seen["address"] == seen["kernel"] == LOOPBACK
    assert seen["port"] > 0


@pytest.mark.clause("J147")
@pytest.mark.requires("net-ipc")
def test_path_is_ignored_even_when_port_is_none(net: NetModule, runtime: Runtime, sock_path: str) -> None:
    # A `port` key, even None, makes it a TCP listen (lib/net.js: port null or
    # undefined-but-present becomes 0); `path` is not looked at.
    seen: list[object] = []

    def main() -> None:
        server = net.create_server()
        server.listen(
            {"port": None, "host": LOOPBACK, "path": sock_path},
            in_order(lambda: seen.append(server.address()), server.close),
        )

    runtime.run(main, timeout=5)
    [address] = seen
    assert isinstance(address, dict) and address["address"] == LOOPBACK
    assert not os.path.exists(sock_path)


# ------------------------------------------------------------- backlog


@pytest.mark.clause("J148")
@pytest.mark.requires("net-ipc")
@pytest.mark.parametrize(
    ("args", "backlog"),
    [((), 511), ((7,), 7), (({"backlog": 3}, 7), 3), (({"backlog": 0}, 7), 7), (({"backlog": 0},), 511)],
    ids=["default", "positional", "option-beats-positional", "zero-option-falls-back", "zero-option-default"],
)
def test_backlog_priority_for_a_path(
    net: NetModule, runtime: Runtime, kernel: KernelView, sock_path: str, args: tuple[Any, ...], backlog: int
) -> None:
    seen: list[int] = []

    def main() -> None:
        server = net.create_server()
        if args and isinstance(args[0], dict):
            listen_with(server, {"path": sock_path, **args[0]}, *args[1:])
        else:
            listen_with(server, {"path": sock_path}, *args)
        seen.append(kernel.listener(path=sock_path).backlog)
        server.close()

    runtime.run(main, timeout=5)
    assert seen == [kernel_backlog(backlog)]


# ------------------------------------------------------------ exclusive


@pytest.mark.clause("J149")
@pytest.mark.parametrize("exclusive", [True, False, None], ids=["true", "false", "absent"])
def test_exclusive_outside_a_cluster_binds_as_usual(
    net: NetModule, runtime: Runtime, kernel: KernelView, exclusive: bool | None
) -> None:
    # exclusive only decides whether a cluster worker shares the primary's
    # handle; in a process that is no cluster worker every value binds its own.
    seen: list[str] = []

    def main() -> None:
        server = net.create_server()
        options: ListenOptions = {"port": 0, "host": LOOPBACK}
        if exclusive is not None:
            options["exclusive"] = exclusive
        server.listen(options, in_order(lambda: seen.append(kernel.listener(port=port_of(server)).state), server.close))

    runtime.run(main, timeout=5)
    assert seen == ["LISTEN"]


# ------------------------------------------------------------ reuse_port


@pytest.mark.clause("J210")
@pytest.mark.node_version(">=22.12")  # reusePort: v23.1.0, v22.12.0 (net.md history)
def test_reuse_port_lets_two_servers_share_a_port(net: NetModule, runtime: Runtime, kernel: KernelView) -> None:
    seen: dict[str, Any] = {}
    errors: list[object] = []

    def main() -> None:
        first, second, third = net.create_server(), net.create_server(), net.create_server()

        def first_listening() -> None:
            port = port_of(first)

            def second_listening() -> None:
                shared = [sock for sock in kernel.listeners() if sock.local_port == port]
                seen["listeners"] = len(shared)
                seen["so_reuseport"] = [kernel.getsockopt(s, socket.SOL_SOCKET, socket.SO_REUSEPORT) for s in shared]
                seen["second port"] = port_of(second) == port

                # A server without reuse_port cannot join them.
                def third_failed(err: Exception) -> None:
                    errors.append((getattr(err, "code", err), getattr(err, "syscall", None)))
                    first.close()
                    second.close()

                third.on("error", third_failed)
                third.listen({"port": port, "host": LOOPBACK})

            second.listen({"port": port, "host": LOOPBACK, "reuse_port": True}, second_listening)

        first.listen({"port": 0, "host": LOOPBACK, "reuse_port": True}, first_listening)

    runtime.run(main, timeout=5)
    assert seen == {"listeners": 2, "so_reuseport": [1, 1], "second port": True}
    assert errors == [("EADDRINUSE", "listen")]


@pytest.mark.clause("J210")
@pytest.mark.parametrize("reuse_port", [False, None], ids=["false", "absent"])
def test_without_reuse_port_the_socket_does_not_have_so_reuseport(
    net: NetModule, runtime: Runtime, kernel: KernelView, reuse_port: bool | None
) -> None:
    seen: list[object] = []

    def main() -> None:
        server = net.create_server()
        options: ListenOptions = {"port": 0, "host": LOOPBACK}
        if reuse_port is not None:
            options["reuse_port"] = reuse_port

        def listening() -> None:
            seen.append(kernel.getsockopt(kernel.listener(port=port_of(server)), socket.SOL_SOCKET, socket.SO_REUSEPORT))
            server.close()

        server.listen(options, listening)

    runtime.run(main, timeout=5)
    assert seen == [0]


@pytest.mark.clause("J210")
def test_reuse_port_cannot_join_a_port_held_without_it(net: NetModule, runtime: Runtime) -> None:
    errors: list[object] = []

    def main() -> None:
        holder, joiner = net.create_server(), net.create_server()

        def on_error(err: Exception) -> None:
            errors.append((getattr(err, "code", err), getattr(err, "syscall", None)))
            holder.close()

        joiner.on("error", on_error)
        holder.listen(
            {"port": 0, "host": LOOPBACK},
            lambda: joiner.listen({"port": port_of(holder), "host": LOOPBACK, "reuse_port": True}),
        )

    runtime.run(main, timeout=5)
    assert errors == [("EADDRINUSE", "listen")]
