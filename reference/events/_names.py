# Event names: what a JavaScript property key becomes in the Python binding.
#
# Node keeps listeners in an object with a null prototype, so an event name is
# a property key: a string or a Symbol, and anything else (a number) becomes
# its string (clause A21). CONFORMANCE.md 1.2 maps that onto Python:
#   * `str` stays as it is;
#   * an `int` (not `bool`) becomes its decimal string: `on(1, f)` is `on('1', f)`;
#   * any other hashable is a *symbol*. JavaScript symbols compare by identity;
#     Python objects compare as dict keys do (`==` and `hash`). The binding
#     leaves this open; we take Python's notion, so a user's own sentinel
#     (`object()`), an enum member or a tuple all work as names, and the
#     price is that equal-comparing non-str/int keys (`True`, `1.0`) are one
#     name. An unhashable name raises Python's own TypeError.
#
# eventNames() lists the keys in Reflect.ownKeys order (clause A22):
# array-index strings ascending, then other strings in insertion order, then
# symbols in insertion order. "Array index" is ECMA-262's: a canonical decimal
# integer below 2**32 - 1 (checked on Node 24: '4294967294' sorts first,
# '4294967295', '01' and '-1' keep insertion order among the strings).

from __future__ import annotations

from collections.abc import Hashable, Iterable

__all__ = ["Symbol", "error_monitor", "event_key", "is_error_key", "own_keys_order"]

# ECMA-262 6.1.7: an array index is an integer index below 2**32 - 1.
_ARRAY_INDEX_LIMIT = 2**32 - 1


class Symbol:
    """A JavaScript ``Symbol``: unique by identity, with a description.

    The kit's own symbols (``events.error_monitor``) are instances; users may
    use any hashable that is not ``str``/``int`` as a symbol.
    """

    __slots__ = ("description",)

    def __init__(self, description: str) -> None:
        self.description = description

    def __repr__(self) -> str:
        return f"Symbol({self.description})"

    # String(symbol) in JavaScript, which the leak warning's message uses.
    __str__ = __repr__


# lib/events.js: `const kErrorMonitor = Symbol('events.errorMonitor')`.
error_monitor = Symbol("events.errorMonitor")


def event_key(name: object) -> Hashable:
    """The key a name is stored under (ToPropertyKey in the binding)."""
    if name.__class__ is str:
        return name  # the fast path: an exact str
    if isinstance(name, str):
        return str(name)  # a str subclass: a JavaScript string has no subclasses
    if isinstance(name, int) and not isinstance(name, bool):
        return int.__repr__(name)  # decimal, also for IntEnum members
    hash(name)  # an unhashable name fails here, with Python's TypeError
    return name  # hashable: a symbol


def is_error_key(key: Hashable) -> bool:
    return key.__class__ is str and key == "error"


def _is_array_index(key: str) -> bool:
    return (
        key.isascii()
        and key.isdigit()
        and (key == "0" or key[0] != "0")
        and int(key) < _ARRAY_INDEX_LIMIT
    )


def own_keys_order(keys: Iterable[Hashable]) -> list[Hashable]:
    """``Reflect.ownKeys`` order of keys given in insertion order."""
    indices: list[str] = []
    strings: list[Hashable] = []
    symbols: list[Hashable] = []
    for key in keys:
        if isinstance(key, str):
            if _is_array_index(key):
                indices.append(key)
            else:
                strings.append(key)
        else:
            symbols.append(key)
    if indices:
        indices.sort(key=int)
    return [*indices, *strings, *symbols]
