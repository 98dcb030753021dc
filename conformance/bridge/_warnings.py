# process.emitWarning in the binding (CONFORMANCE.md 1.5): a runtime's
# 'warning' event becomes warnings.warn(...) in Python, with a Warning subclass
# named as the JavaScript warning's `name` (MaxListenersExceededWarning)
# carrying its extra properties (emitter, type, count).
#
# One class per name for the whole Python process, shared by every runtime, so
# `pytest.warns(runtime.events.MaxListenersExceededWarning)` matches a warning
# from any child.

from __future__ import annotations

import warnings

__all__ = ["emit_warning", "warning_class"]

_classes: dict[str, type[Warning]] = {}

# Node's own DeprecationWarning is Python's kind of warning too: keep it
# filterable as one.
_BASES: dict[str, type[Warning]] = {"DeprecationWarning": DeprecationWarning}


def warning_class(name: str) -> type[Warning]:
    cls = _classes.get(name)
    if cls is None:
        base = _BASES.get(name, Warning)
        cls = _classes[name] = type(name if name.isidentifier() else "Warning", (base,), {"__module__": __name__})
    return cls


def emit_warning(name: str, message: str, fields: list[list[object]]) -> None:
    cls = warning_class(name)
    warning = cls(message)
    for key, value in fields:
        setattr(warning, str(key), value)
    warnings.warn(warning, stacklevel=2)
