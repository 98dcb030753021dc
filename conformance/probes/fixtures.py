# Fixtures that observe the implementation from outside (the plugin registers
# this module). None of them uses the implementation under test: clients are
# plain sockets in threads, the kernel is asked through sock_diag and /proc.

from __future__ import annotations

import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .._contract import Runtime
from .._leaks import socket_dirs_key
from ._client import Address, Connect, PlainClient
from ._kernel import KernelView, kernel_available

__all__ = ["abstract_name", "connect", "has_ipv6", "kernel", "sock_dir", "sock_path"]


@pytest.fixture
def sock_dir(request: pytest.FixtureRequest) -> Path:
    """A private directory for Unix socket paths, short enough for sun_path.

    pytest's tmp_path can exceed the 107 bytes a Unix socket path may have;
    this one is /tmp/nnc-XXXXXXXX. The kit fails a passing test that leaves a
    socket file in it (an IPC server must unlink what it created, N187).
    """
    directory = Path(tempfile.mkdtemp(prefix="nnc-", dir="/tmp"))
    request.node.stash.setdefault(socket_dirs_key, []).append(directory)
    return directory  # removed by the teardown hook below, after the leak check looked


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    # tryfirst makes this the outermost wrapper: the plugin's leak check (an
    # inner wrapper) has looked into the directories before they go.
    try:
        yield
    finally:
        for directory in item.stash.get(socket_dirs_key, []):
            shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def sock_path(sock_dir: Path) -> str:
    """A fresh Unix socket path in a private directory (not created)."""
    return str(sock_dir / "server.sock")


@pytest.fixture
def abstract_name() -> str:
    """A fresh Linux abstract socket name ("\\0..."), unique to this test."""
    return f"\0nnc-{uuid.uuid4().hex}"


@pytest.fixture
def connect() -> Iterator[Connect]:
    """Factory of plain-socket clients; each is disposed after the test."""
    clients: list[PlainClient] = []

    def make(address: Address, *, timeout: float = 5.0, name: str | None = None) -> PlainClient:
        client = PlainClient(address, timeout=timeout, name=name or f"client{len(clients) + 1}")
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.dispose()


@pytest.fixture
def kernel(runtime: Runtime) -> KernelView:
    """The kernel's view of the runtime's sockets; a Linux-only check skips elsewhere."""
    reason = kernel_available()
    if reason is not None:
        pytest.skip(reason)
    return KernelView(runtime.pid)


def _probe_ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def has_ipv6() -> bool:
    """Whether this machine can bind ::1 (IPv6 tests skip, saying so, where not)."""
    return _probe_ipv6()
