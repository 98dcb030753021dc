# net.BlockList and net.SocketAddress (lib/internal/blocklist.js,
# lib/internal/socketaddress.js, src/node_sockaddr.cc), as Node 24 behaves:
#
# * rules are addresses, inclusive ranges and subnets, each IPv4 or IPv6;
#   `rules` lists addresses, then subnets, then ranges, newest first within
#   each kind ('Address: IPv4 1.2.3.4', 'Range: IPv4 a-b', 'Subnet: IPv6 n/p');
#   adding an address that is already there changes nothing;
# * an IPv4-mapped IPv6 address (::ffff:a.b.c.d) and the IPv4 address it maps
#   are the same address, in a rule and in check();
# * check() of something that is not an address of the given family is False.

from __future__ import annotations

import socket
from typing import Any

from .._errors import NodeError, err_invalid_arg_type
from ._validators import err_invalid_arg_value, validate_int32, validate_port

__all__ = ["BlockList", "SocketAddress"]

_MAPPED_PREFIX = b"\x00" * 10 + b"\xff\xff"


def _err_invalid_address() -> NodeError:
    return NodeError("ERR_INVALID_ADDRESS", "Invalid socket address")


def _parse(address: str, family: str) -> bytes | None:
    """inet_pton for ``family`` ('ipv4' or 'ipv6'); None if it is not one. An IPv6 zone is ignored."""
    try:
        if family == "ipv4":
            return socket.inet_pton(socket.AF_INET, address)
        return socket.inet_pton(socket.AF_INET6, address.split("%", 1)[0])
    except (OSError, ValueError):
        return None


def _canonical(packed: bytes) -> bytes:
    # IPv4-mapped IPv6 compares as the IPv4 address.
    if len(packed) == 16 and packed.startswith(_MAPPED_PREFIX):
        return packed[12:]
    return packed


def _text(packed: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET if len(packed) == 4 else socket.AF_INET6, packed)


class SocketAddress:
    """``net.SocketAddress``: an address, port, family ('ipv4'/'ipv6') and flow label."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        if options is None:
            options = {}
        if not isinstance(options, dict):
            raise err_invalid_arg_type("options", "of type object", options)
        family = options.get("family", "ipv4")
        if isinstance(family, str):
            family = family.lower()
        if family not in ("ipv4", "ipv6"):
            raise err_invalid_arg_value("options.family", options.get("family"))
        address = options.get("address", "127.0.0.1" if family == "ipv4" else "::")
        if not isinstance(address, str):
            raise err_invalid_arg_type("options.address", "of type string", address)
        port = validate_port(options.get("port", 0), "options.port")
        flowlabel = options.get("flowlabel", 0)
        packed = _parse(address, family)
        if packed is None:
            raise _err_invalid_address()
        self._packed = packed
        self._family: str = family
        self._port = port
        self._flowlabel = int(flowlabel)

    @staticmethod
    def is_socket_address(value: object) -> bool:
        return isinstance(value, SocketAddress)

    @property
    def address(self) -> str:
        return _text(self._packed)

    @property
    def port(self) -> int:
        return self._port

    @property
    def family(self) -> str:
        return self._family

    @property
    def flowlabel(self) -> int:
        return self._flowlabel

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "port": self.port, "family": self.family, "flowlabel": self.flowlabel}

    def __repr__(self) -> str:
        return f"SocketAddress({self.to_json()!r})"


def _as_address(value: object, family: object, name: str) -> SocketAddress:
    if isinstance(value, SocketAddress):
        return value
    if not isinstance(value, str):
        raise err_invalid_arg_type(name, "of type string", value)
    if family is None:
        family = "ipv4"
    if not isinstance(family, str):
        raise err_invalid_arg_type("family", "of type string", family)
    return SocketAddress({"address": value, "family": family})


class BlockList:
    """``net.BlockList``: rules that decide which remote addresses a server refuses."""

    def __init__(self) -> None:
        self._addresses: list[tuple[bytes, str]] = []  # newest first
        self._subnets: list[tuple[bytes, int, str]] = []
        self._ranges: list[tuple[bytes, bytes, str]] = []

    @staticmethod
    def is_block_list(value: object) -> bool:
        return isinstance(value, BlockList)

    def add_address(self, address: str | SocketAddress, family: str = "ipv4", /) -> None:
        parsed = _as_address(address, family, "address")
        entry = (parsed._packed, _text(parsed._packed))
        if entry not in self._addresses:
            self._addresses.insert(0, entry)

    def add_range(self, start: str | SocketAddress, end: str | SocketAddress, family: str = "ipv4", /) -> None:
        first = _as_address(start, family, "start")
        last = _as_address(end, family, "end")
        low, high = _canonical(first._packed), _canonical(last._packed)
        if len(low) != len(high) or low > high:
            raise err_invalid_arg_value("start", first, "must come before end")
        self._ranges.insert(0, (first._packed, last._packed, f"{_text(first._packed)}-{_text(last._packed)}"))

    def add_subnet(self, network: str | SocketAddress, prefix: int, family: str = "ipv4", /) -> None:
        parsed = _as_address(network, family, "network")
        validate_int32(prefix, "prefix", 0, 32 if parsed.family == "ipv4" else 128)
        prefix = int(prefix)
        self._subnets.insert(0, (parsed._packed, prefix, f"{_text(parsed._packed)}/{prefix}"))

    def check(self, address: str | SocketAddress, family: str = "ipv4", /) -> bool:
        """True if ``address`` matches a rule."""
        if isinstance(address, SocketAddress):
            packed: bytes | None = address._packed
        else:
            if not isinstance(address, str):
                raise err_invalid_arg_type("address", "of type string", address)
            if family is None:
                family = "ipv4"
            if not isinstance(family, str):
                raise err_invalid_arg_type("family", "of type string", family)
            packed = _parse(address, "ipv4" if family.lower() == "ipv4" else "ipv6")
        if packed is None:
            return False
        value = _canonical(packed)
        for rule, _ in self._addresses:
            if _canonical(rule) == value:
                return True
        for network, prefix, _ in self._subnets:
            if _in_subnet(value, network, prefix):
                return True
        for start, end, _ in self._ranges:
            low, high = _canonical(start), _canonical(end)
            if len(low) == len(value) and low <= value <= high:
                return True
        return False

    @property
    def rules(self) -> list[str]:
        return (
            [f"Address: {_family(packed)} {text}" for packed, text in self._addresses]
            + [f"Subnet: {_family(packed)} {text}" for packed, _, text in self._subnets]
            + [f"Range: {_family(start)} {text}" for start, _, text in self._ranges]
        )

    def clear(self) -> None:
        self._addresses.clear()
        self._subnets.clear()
        self._ranges.clear()

    def to_json(self) -> list[str]:
        return self.rules

    def __repr__(self) -> str:
        return f"BlockList {{ rules: {self.rules!r} }}"


def _family(packed: bytes) -> str:
    return "IPv4" if len(packed) == 4 else "IPv6"


def _in_subnet(value: bytes, network: bytes, prefix: int) -> bool:
    if len(network) == 16 and network.startswith(_MAPPED_PREFIX) and prefix >= 96:
        network, prefix = network[12:], prefix - 96
    if len(network) != len(value):
        return False
    bits = len(value) * 8
    mask = ((1 << prefix) - 1) << (bits - prefix) if prefix else 0
    return int.from_bytes(value, "big") & mask == int.from_bytes(network, "big") & mask
