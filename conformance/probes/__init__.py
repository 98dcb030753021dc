# Probes: ways to observe an implementation from outside it. A plain-socket
# client in a thread (PlainClient), the kernel's view of a process's sockets
# (KernelView: sock_diag, /proc, pidfd_getfd), and the descriptor count that
# tells a leak. Their fixtures are in .fixtures (registered by the plugin).

from __future__ import annotations

from ._client import Address, Connect, PlainClient, ProbeTimeout, Transcript, address_of
from ._fds import open_sockets
from ._kernel import KernelSocket, KernelUnavailable, KernelView, kernel_available

__all__ = [
    "Address",
    "Connect",
    "KernelSocket",
    "KernelUnavailable",
    "KernelView",
    "PlainClient",
    "ProbeTimeout",
    "Transcript",
    "address_of",
    "kernel_available",
    "open_sockets",
]
