# Node's errors in the Python binding.
#
# Every error carries Node's `code`; a JS TypeError is a subclass of Python's
# TypeError, a RangeError of ValueError, a plain Error of Exception. System
# errors (libuv's) carry `errno` (Node's negative value), `syscall`, and
# `address`/`port` where Node sets them. The message follows Node's, but the
# kit never tests wording; codes, classes and fields are the contract.
#
# Node: lib/internal/errors.js (E(...) table, uvException, UVExceptionWithHostPort).

from __future__ import annotations

import errno as _errno
import os
from typing import Any

__all__ = [
    "AbortError",
    "NodeError",
    "NodeRangeError",
    "NodeSystemError",
    "NodeTypeError",
    "describe_received",
    "err_invalid_arg_type",
    "err_invalid_arg_value",
    "err_out_of_range",
    "system_error",
]


class NodeError(Exception):
    """A JavaScript ``Error`` with a ``code`` (lib/internal/errors.js)."""

    name = "Error"

    def __init__(self, code: str, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        for key, value in fields.items():
            setattr(self, key, value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


class NodeTypeError(NodeError, TypeError):
    """A JavaScript ``TypeError``."""

    name = "TypeError"


class NodeRangeError(NodeError, ValueError):
    """A JavaScript ``RangeError``."""

    name = "RangeError"


class NodeSystemError(NodeError):
    """A libuv error (Node's ``UVException``/``ErrnoException``).

    ``errno`` is Node's value: the negated OS errno (``-98`` for EADDRINUSE on
    Linux), so it compares equal across implementations; ``os_errno`` is the
    positive Python one.
    """

    errno: int
    syscall: str
    address: str | None
    port: int | None

    @property
    def os_errno(self) -> int:
        return -self.errno


class AbortError(NodeError):
    """``AbortError`` (code ``ABORT_ERR``), what an aborted operation rejects with."""

    name = "AbortError"

    def __init__(self, message: str = "The operation was aborted", cause: object = None) -> None:
        super().__init__("ABORT_ERR", message)
        self.cause = cause


def system_error(os_errno: int, syscall: str, address: str | None = None, port: int | None = None) -> NodeSystemError:
    """``UVExceptionWithHostPort``: ``listen EADDRINUSE: address already in use 127.0.0.1:8124``.

    Node adds `address`, and `port` only when it is given (a pipe gets port -1
    from net.js, see clause F109), as own properties.
    """
    code = _errno.errorcode.get(os_errno, f"E{os_errno}")
    description = os.strerror(os_errno).lower()
    message = f"{syscall} {code}: {description}"
    if address is not None:
        message += f" {address}:{port}" if port is not None and port >= 0 else f" {address}"
    fields: dict[str, Any] = {"errno": -os_errno, "syscall": syscall}
    if address is not None:
        fields["address"] = address
    if port is not None:
        fields["port"] = port
    error = NodeSystemError(code, message, **fields)
    for missing in ("address", "port"):
        if missing not in fields:
            setattr(error, missing, None)
    return error


def describe_received(value: object) -> str:
    """The ``Received ...`` tail of Node's argument errors, in Python terms."""
    if value is None:
        return "Received None"
    if callable(value):
        return f"Received function {getattr(value, '__name__', type(value).__name__)}"
    if isinstance(value, (str, int, float, bool, bytes)):
        shown = repr(value)
        if len(shown) > 28:
            shown = shown[:25] + "..."
        return f"Received type {type(value).__name__} ({shown})"
    return f"Received an instance of {type(value).__name__}"


def err_invalid_arg_type(name: str, expected: str, actual: object) -> NodeTypeError:
    kind = "property" if "." in name else "argument"
    return NodeTypeError(
        "ERR_INVALID_ARG_TYPE", f'The "{name}" {kind} must be {expected}. {describe_received(actual)}'
    )


def err_out_of_range(name: str, expected: str, actual: object) -> NodeRangeError:
    return NodeRangeError(
        "ERR_OUT_OF_RANGE", f'The value of "{name}" is out of range. It must be {expected}. Received {actual!r}'
    )


def err_invalid_arg_value(name: str, value: object, reason: str = "is invalid") -> NodeTypeError:
    kind = "property" if "." in name else "argument"
    return NodeTypeError("ERR_INVALID_ARG_VALUE", f"The {kind} '{name}' {reason}. Received {value!r}")
