# Names across the bridge (CONFORMANCE.md section 1.1): JavaScript's camelCase
# methods, properties and option keys are snake_case in Python by Playwright's
# rule, with an alias table for acronyms and for the two symbol-keyed members
# the binding names (`nodejs_rejection`, `aclose`). Class names (Server,
# BlockList, EventEmitter) and event names never change.

from __future__ import annotations

import functools
import re

__all__ = ["js_name", "py_name"]

# Python name -> JavaScript key. "@@..." stands for a symbol key on the wire
# (host.cjs jsKey): Symbol.asyncDispose, Symbol.for('nodejs.rejection').
_ALIASES = {
    "is_ip": "isIP",
    "is_ipv4": "isIPv4",
    "is_ipv6": "isIPv6",
    "ipv6_only": "ipv6Only",
    "nodejs_rejection": "@@nodejs.rejection",
    "aclose": "@@asyncDispose",
}
_REVERSE = {js: py for py, js in _ALIASES.items()}

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@functools.lru_cache(maxsize=4096)
def js_name(name: str) -> str:
    """``add_listener`` -> ``addListener``; ``_connection_key`` -> ``_connectionKey``."""
    alias = _ALIASES.get(name)
    if alias is not None:
        return alias
    if "_" not in name.lstrip("_") or name[:1].isupper():
        return name
    stripped = name.lstrip("_")
    head, *rest = stripped.split("_")
    return name[: len(name) - len(stripped)] + head + "".join(part[:1].upper() + part[1:] for part in rest)


@functools.lru_cache(maxsize=4096)
def py_name(name: str) -> str:
    """``addListener`` -> ``add_listener`` (the binding's rule), ``isIPv4`` -> ``is_ipv4``."""
    alias = _REVERSE.get(name)
    if alias is not None:
        return alias
    if name[:1].isupper():
        return name
    return _CAMEL_BOUNDARY.sub("_", name).lower()
