# Errors on the Python side of the bridge.
#
# Two families that must never be confused:
#   * JSError and its subclasses: a JavaScript Error, in the binding's terms
#     (CONFORMANCE.md 1.3): a JS TypeError is a Python TypeError, a RangeError a
#     ValueError, anything else an Exception, each carrying Node's fields
#     (code, errno, syscall, address, port, hostname, context, ...);
#   * BridgeError: the bridge itself failed (the runtime crashed, hung, or is
#     not installed). A test that meets one fails; it is never a conformance
#     result.

from __future__ import annotations

from typing import Any

__all__ = [
    "BridgeError",
    "JSError",
    "JSRangeError",
    "JSThrown",
    "JSTypeError",
    "RuntimeCrashed",
    "RuntimeHung",
    "RuntimeNotInstalled",
    "error_class",
]


class BridgeError(RuntimeError):
    """The bridge to a JavaScript runtime failed; not a JavaScript error."""


class RuntimeCrashed(BridgeError):
    """The runtime process exited while it was being driven. ``stderr`` holds its last output."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message + (f"\n--- runtime stderr ---\n{stderr}" if stderr else ""))
        self.stderr = stderr


class RuntimeHung(RuntimeCrashed):
    """The runtime stopped answering a synchronous call and was killed."""


class RuntimeNotInstalled(BridgeError):
    """The runtime's binary is not where the bridge installs it."""


class JSError(Exception):
    """A JavaScript ``Error``: ``code`` and Node's other fields are attributes.

    The fields Node sets on system and argument errors default to None, so a
    test may read ``err.address`` of an error that has none, as it may in
    the reference (reference/_errors.py system_error).
    """

    name: str = "Error"
    message: str = ""
    code: Any = None
    errno: Any = None
    syscall: Any = None
    address: Any = None
    port: Any = None
    hostname: Any = None
    js_stack: str = ""

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        code = f"{self.code!r}, " if self.code is not None else ""
        return f"{type(self).__name__}({code}{self.message!r})"


class JSTypeError(JSError, TypeError):
    """A JavaScript ``TypeError``."""

    name = "TypeError"


class JSRangeError(JSError, ValueError):
    """A JavaScript ``RangeError``."""

    name = "RangeError"


class JSThrown(JSError):
    """JavaScript threw (or rejected with) something that is not an Error; ``value`` is it."""

    name = "Thrown"
    value: object = None


_BASES: dict[str, type[JSError]] = {"Error": JSError, "TypeError": JSTypeError, "RangeError": JSRangeError}
_classes: dict[tuple[str, str], type[JSError]] = {}


def error_class(kind: str, name: str) -> type[JSError]:
    """The Python class for a JS error of ``kind`` (its constructor family) named ``name``.

    An error whose ``name`` is not its family's (``AbortError``, a system error
    named ``SystemError``) gets a subclass of that name, so ``type(err).__name__``
    reads as in Node.
    """
    base = _BASES.get(kind, JSError)
    if name == base.name or not name.isidentifier():
        return base
    key = (kind, name)
    cls = _classes.get(key)
    if cls is None:
        cls = _classes[key] = type(name, (base,), {"name": name, "__module__": __name__})
    return cls
