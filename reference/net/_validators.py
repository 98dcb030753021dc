# The JavaScript value semantics that node:net's argument handling relies on
# (Number(x), x | 0, typeof), and Node's validators and error codes for them
# (lib/internal/validators.js, lib/internal/errors.js). In the binding a JS
# number is an int or a float, never a bool; a JS string is a str.

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from .._errors import NodeError, NodeRangeError, NodeTypeError, describe_received, err_invalid_arg_type

__all__ = [
    "err_invalid_arg_value",
    "err_socket_bad_port",
    "is_number",
    "js_number",
    "js_to_int32",
    "js_truthy",
    "to_number",
    "validate_function",
    "validate_int32",
    "validate_number",
    "validate_port",
]

# ECMAScript StringToNumber: optional whitespace around a decimal literal
# (with sign), an unsigned 0x/0o/0b literal, or (+/-)Infinity; '' is 0.
_JS_WHITESPACE = " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Infinity)\Z")
_RADIX = re.compile(r"0([xXoObB])([0-9a-fA-F]+)\Z")


def is_number(value: object) -> bool:
    """``typeof value === 'number'``."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def js_number(value: object) -> float:
    """``Number(value)`` for the values the binding can pass."""
    if value is None:
        return 0.0  # Number(null); undefined is NaN, but the binding cannot tell them apart
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip(_JS_WHITESPACE)
        if not text:
            return 0.0
        if _DECIMAL.match(text):
            return float(text.replace("Infinity", "inf"))
        radix = _RADIX.match(text)
        if radix:
            base = {"x": 16, "o": 8, "b": 2}[radix.group(1).lower()]
            try:
                return float(int(radix.group(2), base))
            except ValueError:
                return math.nan
        return math.nan
    return math.nan


def to_number(value: object) -> float | None:
    """lib/net.js ``toNumber``: ``Number(x) >= 0 ? x : false`` (None for false)."""
    number = js_number(value)
    return number if number >= 0 else None


def js_to_int32(value: float) -> int:
    """``value | 0``."""
    if math.isnan(value) or math.isinf(value):
        return 0
    number = int(value) & 0xFFFFFFFF
    return number - 0x100000000 if number >= 0x80000000 else number


def js_truthy(value: object) -> bool:
    """JavaScript truthiness: 0, NaN, '' and None are falsy; [] and {} are not."""
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)):
        return value == value and value != 0
    if isinstance(value, str):
        return value != ""
    return True


def err_invalid_arg_value(name: str, value: object, reason: str = "is invalid") -> NodeTypeError:
    kind = "property" if "." in name else "argument"
    shown = _inspect(value)
    return NodeTypeError("ERR_INVALID_ARG_VALUE", f"The {kind} '{name}' {reason}. Received {shown}")


def _inspect(value: object) -> str:
    if isinstance(value, Mapping):
        items = ", ".join(f"{key}: {_inspect(item)}" for key, item in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "None"
    return repr(value)


def err_socket_bad_port(name: str, port: object, allow_zero: bool = True) -> NodeRangeError:
    operator = ">=" if allow_zero else ">"
    return NodeRangeError(
        "ERR_SOCKET_BAD_PORT", f"{name} should be {operator} 0 and < 65536. {describe_received(port)}."
    )


def validate_port(port: object, name: str = "Port", allow_zero: bool = True) -> int:
    """lib/internal/validators.js validatePort: an integer in [0, 65535], as a number or a string."""
    if not (is_number(port) or isinstance(port, str)):
        raise err_socket_bad_port(name, port, allow_zero)
    if isinstance(port, str) and not port.strip(_JS_WHITESPACE):
        raise err_socket_bad_port(name, port, allow_zero)
    number = js_number(port)
    # `+port !== (+port >>> 0)`: an unsigned 32-bit integer, and then <= 0xFFFF.
    if math.isnan(number) or math.isinf(number) or number != int(number) or not 0 <= number <= 0xFFFF:
        raise err_socket_bad_port(name, port, allow_zero)
    if number == 0 and not allow_zero:
        raise err_socket_bad_port(name, port, allow_zero)
    return int(number)


def validate_number(value: object, name: str, minimum: float | None = None, maximum: float | None = None) -> float:
    if not is_number(value):
        raise err_invalid_arg_type(name, "of type number", value)
    number = float(value)  # type: ignore[arg-type]
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum) or (
        (minimum is not None or maximum is not None) and math.isnan(number)
    ):
        bounds = " && ".join(
            part
            for part in (f">= {minimum:g}" if minimum is not None else "", f"<= {maximum:g}" if maximum is not None else "")
            if part
        )
        raise NodeRangeError("ERR_OUT_OF_RANGE", f'The value of "{name}" is out of range. It must be {bounds}. Received {value!r}')
    return number


def validate_int32(value: object, name: str, minimum: int = -(2**31), maximum: int = 2**31 - 1) -> int:
    if not is_number(value):
        raise err_invalid_arg_type(name, "of type number", value)
    if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
        raise NodeRangeError(
            "ERR_OUT_OF_RANGE", f'The value of "{name}" is out of range. It must be an integer. Received {value!r}'
        )
    if not minimum <= value <= maximum:  # type: ignore[operator]
        raise NodeRangeError(
            "ERR_OUT_OF_RANGE",
            f'The value of "{name}" is out of range. It must be >= {minimum} && <= {maximum}. Received {value!r}',
        )
    return int(value)  # type: ignore[call-overload,no-any-return]


def validate_function(value: object, name: str) -> None:
    if not callable(value):
        raise err_invalid_arg_type(name, "of type function", value)


def node_error(code: str, message: str) -> NodeError:
    return NodeError(code, message)
