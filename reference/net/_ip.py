# net.isIP / isIPv4 / isIPv6, with Node's own regular expressions
# (lib/internal/net.js), so that exactly the strings Node accepts are accepted:
# no leading zeros in IPv4 segments, an optional IPv6 zone ("%eth0").

from __future__ import annotations

import re
from typing import Literal

__all__ = ["is_ip", "is_ipv4", "is_ipv6"]

_V4_SEG = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_V4_STR = rf"(?:{_V4_SEG}\.){{3}}{_V4_SEG}"
_V6_SEG = "(?:[0-9a-fA-F]{1,4})"

_IPV4 = re.compile(rf"^{_V4_STR}\Z")
_IPV6 = re.compile(
    "^(?:"
    rf"(?:{_V6_SEG}:){{7}}(?:{_V6_SEG}|:)|"
    rf"(?:{_V6_SEG}:){{6}}(?:{_V4_STR}|:{_V6_SEG}|:)|"
    rf"(?:{_V6_SEG}:){{5}}(?::{_V4_STR}|(?::{_V6_SEG}){{1,2}}|:)|"
    rf"(?:{_V6_SEG}:){{4}}(?:(?::{_V6_SEG}){{0,1}}:{_V4_STR}|(?::{_V6_SEG}){{1,3}}|:)|"
    rf"(?:{_V6_SEG}:){{3}}(?:(?::{_V6_SEG}){{0,2}}:{_V4_STR}|(?::{_V6_SEG}){{1,4}}|:)|"
    rf"(?:{_V6_SEG}:){{2}}(?:(?::{_V6_SEG}){{0,3}}:{_V4_STR}|(?::{_V6_SEG}){{1,5}}|:)|"
    rf"(?:{_V6_SEG}:){{1}}(?:(?::{_V6_SEG}){{0,4}}:{_V4_STR}|(?::{_V6_SEG}){{1,6}}|:)|"
    rf"(?::(?:(?::{_V6_SEG}){{0,5}}:{_V4_STR}|(?::{_V6_SEG}){{1,7}}|:))"
    r")(?:%[0-9a-zA-Z\-.:]{1,})?\Z"
)


def is_ipv4(s: object) -> bool:
    """``net.isIPv4(s)``: a dotted-quad IPv4 address."""
    return isinstance(s, str) and _IPV4.match(s) is not None


def is_ipv6(s: object) -> bool:
    """``net.isIPv6(s)``: an IPv6 address, optionally with a zone index."""
    return isinstance(s, str) and _IPV6.match(s) is not None


def is_ip(s: object) -> Literal[0, 4, 6]:
    """``net.isIP(s)``: 4, 6, or 0 when ``s`` is not an IP address."""
    if is_ipv4(s):
        return 4
    if is_ipv6(s):
        return 6
    return 0
