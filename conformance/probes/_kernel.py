# The kernel's view of a process's sockets (Linux only).
#
# What an implementation *says* it did (address(), its own options) is what
# the suite tests; what it *did* is asked of the kernel:
#   * sock_diag (NETLINK_SOCK_DIAG, linux/inet_diag.h, linux/unix_diag.h):
#     every socket with its state, addresses, inode, and for a listening
#     socket the backlog the kernel actually got (sk_max_ack_backlog, reported
#     as idiag_wqueue / the second word of UNIX_DIAG_RQLEN);
#   * /proc/<pid>/fd: which of those sockets belong to the process;
#   * pidfd_getfd(2): a duplicate of the process's own descriptor, to read
#     socket options (SO_REUSEADDR, IPV6_V6ONLY, TCP_NODELAY ...) with
#     getsockopt. Works on the reference (this process) and on a bridge child
#     alike; needs Linux >= 5.6 and ptrace permission over the process.

from __future__ import annotations

import ctypes
import os
import socket
import stat
import struct
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ._fds import open_sockets

__all__ = ["KernelSocket", "KernelUnavailable", "KernelView", "kernel_available"]

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300
NLMSG_DONE = 3
NLMSG_ERROR = 2
TCP_ESTABLISHED = 1
TCP_CLOSE_WAIT = 8
TCP_LISTEN = 10
ALL_STATES = 0xFFFFFFFF
UDIAG_SHOW_NAME = 0x01
UDIAG_SHOW_RQLEN = 0x10
UNIX_DIAG_NAME = 0
UNIX_DIAG_RQLEN = 4
SYS_PIDFD_OPEN = 434
SYS_PIDFD_GETFD = 438
_STATE_NAMES = {1: "ESTABLISHED", 7: "CLOSE", 8: "CLOSE_WAIT", 10: "LISTEN", 6: "TIME_WAIT", 4: "FIN_WAIT1", 5: "FIN_WAIT2"}


class KernelUnavailable(Exception):
    """The kernel view cannot be had here (not Linux, or no permission)."""


@dataclass(frozen=True)
class KernelSocket:
    """One socket as the kernel reports it."""

    family: str  # "IPv4", "IPv6" or "unix"
    state: str  # "LISTEN", "ESTABLISHED", ...
    inode: int
    local_address: str | None  # IP, or the Unix path ("\0..." when abstract)
    local_port: int | None
    remote_address: str | None
    remote_port: int | None
    queued: int  # listening: connections waiting in the accept queue
    backlog: int  # listening: the accept queue's maximum (what listen(2) got)
    fd: int | None  # the descriptor number in the process, if it holds one


def kernel_available() -> str | None:
    """None when the kernel view works here, else why not (a skip reason)."""
    if not sys.platform.startswith("linux"):
        return "the kernel's view of sockets needs Linux (sock_diag, /proc, pidfd_getfd)"
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG):
            pass
    except OSError as exc:
        return f"NETLINK_SOCK_DIAG is not available: {exc}"
    return None


class KernelView:
    """The sockets of one process, as the kernel sees them."""

    def __init__(self, pid: int) -> None:
        reason = kernel_available()
        if reason is not None:
            raise KernelUnavailable(reason)
        self.pid = pid

    # ----------------------------------------------------------- queries

    def sockets(self) -> list[KernelSocket]:
        """Every inet and unix socket the process holds a descriptor for."""
        held = {int(inode[len("socket:[") : -1]): fd for inode, fd in open_sockets(self.pid).items()}
        found = [
            *_inet_sockets(socket.AF_INET, held),
            *_inet_sockets(socket.AF_INET6, held),
            *_unix_sockets(held),
        ]
        return [sock for sock in found if sock.fd is not None]

    def listeners(self) -> list[KernelSocket]:
        return [sock for sock in self.sockets() if sock.state == "LISTEN"]

    def listener(self, *, port: int | None = None, path: str | None = None) -> KernelSocket:
        """The process's listening socket on ``port`` or ``path``; AssertionError if none."""
        listeners = self.listeners()
        for sock in listeners:
            if (port is not None and sock.local_port == port) or (path is not None and sock.local_address == path):
                return sock
        wanted = f"port {port}" if port is not None else f"path {path!r}"
        raise AssertionError(f"pid {self.pid} has no listening socket on {wanted}; it listens on {listeners}")

    def connection(self, *, local_port: int, remote_port: int) -> KernelSocket:
        """The process's TCP socket for one connection (e.g. an accepted one)."""
        for sock in self.sockets():
            if sock.local_port == local_port and sock.remote_port == remote_port:
                return sock
        raise AssertionError(f"pid {self.pid} holds no socket {local_port} <-> {remote_port}")

    # ------------------------------------------------------ socket options

    def getsockopt(self, sock: KernelSocket, level: int, option: int, size: int = 0) -> int | bytes:
        """getsockopt on the process's own descriptor (through pidfd_getfd)."""
        if sock.fd is None:
            raise AssertionError(f"pid {self.pid} holds no descriptor for {sock}")
        with _borrowed(self.pid, sock.fd) as dup:
            if size:
                return dup.getsockopt(level, option, size)
            return dup.getsockopt(level, option)

    def socket_mode(self, path: str) -> int:
        """Permission bits of a Unix socket file (readable_all/writable_all)."""
        return stat.S_IMODE(os.stat(path).st_mode)


@contextmanager
def _borrowed(pid: int, fd: int) -> Iterator[socket.socket]:
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = libc.syscall(SYS_PIDFD_OPEN, pid, 0)
    if pidfd < 0:
        raise KernelUnavailable(f"pidfd_open({pid}): {os.strerror(ctypes.get_errno())}")
    try:
        dup = libc.syscall(SYS_PIDFD_GETFD, pidfd, fd, 0)
        if dup < 0:
            raise KernelUnavailable(f"pidfd_getfd({pid}, {fd}): {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(pidfd)
    sock = socket.socket(fileno=dup)
    try:
        yield sock
    finally:
        # detach + close: never shutdown() a borrowed socket, it is the process's.
        os.close(sock.detach())


# ------------------------------------------------------------------ netlink


def _dump(request: bytes) -> Iterator[bytes]:
    with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG) as nl:
        header = struct.pack("=LHHLL", 16 + len(request), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
        nl.send(header + request)
        while True:
            data = nl.recv(1 << 16)
            offset = 0
            while offset + 16 <= len(data):
                length, kind, _flags, _seq, _pid = struct.unpack_from("=LHHLL", data, offset)
                if kind == NLMSG_DONE:
                    return
                if kind == NLMSG_ERROR:
                    (code,) = struct.unpack_from("=i", data, offset + 16)
                    raise KernelUnavailable(f"sock_diag: {os.strerror(-code)}")
                yield data[offset + 16 : offset + length]
                offset += (length + 3) & ~3


def _inet_sockets(family: int, held: dict[int, int]) -> Iterator[KernelSocket]:
    # struct inet_diag_req_v2 with an empty inet_diag_sockid (all sockets).
    request = struct.pack("=BBBxI", family, socket.IPPROTO_TCP, 0, ALL_STATES) + bytes(48)
    name = "IPv4" if family == socket.AF_INET else "IPv6"
    size = 4 if family == socket.AF_INET else 16
    for message in _dump(request):
        _fam, state, _timer, _retrans = struct.unpack_from("=BBBB", message, 0)
        sport, dport = struct.unpack_from(">HH", message, 4)
        src = socket.inet_ntop(family, message[8 : 8 + size])
        dst = socket.inet_ntop(family, message[24 : 24 + size])
        _expires, rqueue, wqueue, _uid, inode = struct.unpack_from("=LLLLL", message, 52)
        listening = state == TCP_LISTEN
        yield KernelSocket(
            family=name,
            state=_STATE_NAMES.get(state, str(state)),
            inode=inode,
            local_address=src,
            local_port=sport,
            remote_address=None if listening else dst,
            remote_port=None if listening else dport,
            queued=rqueue if listening else 0,
            backlog=wqueue if listening else 0,
            fd=held.get(inode),
        )


def _unix_sockets(held: dict[int, int]) -> Iterator[KernelSocket]:
    request = struct.pack("=BBxxIIIII", socket.AF_UNIX, 0, ALL_STATES, 0, UDIAG_SHOW_NAME | UDIAG_SHOW_RQLEN, 0, 0)
    for message in _dump(request):
        _fam, _type, state, _pad, inode = struct.unpack_from("=BBBBL", message, 0)
        path: str | None = None
        queued = backlog = 0
        offset = 16  # struct unix_diag_msg
        while offset + 4 <= len(message):
            length, kind = struct.unpack_from("=HH", message, offset)
            if length < 4:
                break
            payload = message[offset + 4 : offset + length]
            if kind == UNIX_DIAG_NAME:
                path = payload.decode("utf-8", "surrogateescape")
                if not path.startswith("\0"):
                    path = path.rstrip("\0")  # a file path comes NUL-terminated
            elif kind == UNIX_DIAG_RQLEN:
                queued, backlog = struct.unpack_from("=LL", payload)
            offset += (length + 3) & ~3
        listening = state == TCP_LISTEN
        yield KernelSocket(
            family="unix",
            state=_STATE_NAMES.get(state, str(state)),
            inode=inode,
            local_address=path,
            local_port=None,
            remote_address=None,
            remote_port=None,
            queued=queued if listening else 0,
            backlog=backlog if listening else 0,
            fd=held.get(inode),
        )
