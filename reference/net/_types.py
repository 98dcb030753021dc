# The plain-object shapes of node:net in the binding (CONFORMANCE.md 1.2):
# AddressInfo and the 'drop' data, as TypedDicts (the same keys and value
# types as stubs/nodeapi/net.pyi, so they are the API's types structurally).

from __future__ import annotations

from typing import TypedDict

__all__ = ["AddressInfo", "DropData"]


class AddressInfo(TypedDict):
    address: str
    family: str  # 'IPv4' or 'IPv6'
    port: int


class DropData(TypedDict):
    local_address: str
    local_port: int
    local_family: str
    remote_address: str
    remote_port: int
    remote_family: str
