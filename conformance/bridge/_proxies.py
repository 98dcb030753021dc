# What JavaScript objects look like in Python.
#
# Every JS class that crosses (EventEmitter, Server, Socket, Timeout, ...)
# becomes a real Python class, built once per runtime from the class's
# prototype (host.cjs classRef): its methods are Python functions that call the
# JS function by handle, its parent is the Python class of the JS parent. So
#   * isinstance(server, events.EventEmitter) and issubclass(net.Server, ...) hold;
#   * EventEmitter.on is EventEmitter.add_listener, as on === addListener in JS
#     (one Python function per JS function, clause A7);
#   * a method is found by Python's own lookup: a call is one round trip;
#   * a Python class can subclass one (feature events-subclass, see JSClass).
# Properties (server.listening, socket.ready_state) are read and written
# through __getattr__/__setattr__, by the binding's snake_case names.

from __future__ import annotations

import inspect
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from ._names import js_name

if TYPE_CHECKING:
    from ._session import Session

__all__ = ["JSClass", "JSFunction", "JSModule", "JSObject", "JSPromise", "JSSymbol", "build_class"]

# Where Node passes an optional error to a callback only when there is one
# (close(cb), write(data, cb), end(cb)), the binding passes None, so these
# methods' trailing callback is padded to one argument (CONFORMANCE.md 1.4).
_ERROR_FIRST_CALLBACK_METHODS = frozenset({"close", "write", "end"})


class JSClass(type):
    """The metaclass of the Python classes that stand for JS classes.

    ``Cls(*args)`` is ``new Cls(...args)``. A Python subclass (``class
    MyEmitter(events.EventEmitter)``) gets a JS constructor of its own whose
    prototype forwards the methods the Python class defines to the Python
    instance (host.cjs subclass); ``MyEmitter(...)`` creates the JS object with
    ``Object.create`` (so methods work before the constructor ran, clause A45)
    and then runs Python's ``__init__``, whose base version calls the JS
    constructor with the object as ``this``.
    """

    _js_session: Session
    _js_h: int
    _js_native: bool
    _js_props: frozenset[str]

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        session = cls._js_session
        if cls.__dict__.get("_js_native", False):
            if kwargs:
                raise TypeError(f"{cls.__name__}() takes positional arguments only (a JavaScript constructor)")
            return session.construct(cls, args)
        obj = session.create_instance(cls)
        init: Callable[..., None] = cls.__init__  # type: ignore[misc]
        init(obj, *args, **kwargs)
        return obj

    # Statics: EventEmitter.default_max_listeners, .capture_rejections, .error_monitor.
    def __getattr__(cls, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return cls._js_session.get_static(cls, js_name(name))

    def __setattr__(cls, name: str, value: Any) -> None:
        session = cls.__dict__.get("_js_session") or getattr(cls, "_js_session", None)
        if name.startswith("_") or session is None or not session.has_static(cls, js_name(name)):
            type.__setattr__(cls, name, value)
            return
        session.set_static(cls, js_name(name), value)

    def __repr__(cls) -> str:
        native = "" if cls.__dict__.get("_js_native", False) else " (Python subclass)"
        return f"<JavaScript class {cls.__name__}{native}>"


class JSObject(metaclass=JSClass):
    """A JavaScript object, by handle. ``_h`` is its id in the runtime, ``_s`` the session."""

    __slots__ = ("_h", "_s", "__weakref__")
    _h: int
    _s: Session

    def __init__(self, *args: Any) -> None:
        # Only Python subclasses get here (native classes are made by `new`).
        self._s.init_instance(self, args)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._s.get(self, js_name(name))

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("_h", "_s"):
            object.__setattr__(self, name, value)
            return
        cls = type(self)
        key = js_name(name)
        if cls.__dict__.get("_js_native", False) or key in cls._js_props or self._s.has(self, key):
            self._s.set(self, key, value)
        else:
            object.__setattr__(self, name, value)  # a Python subclass's own attribute

    def __repr__(self) -> str:
        return f"<JavaScript {type(self).__name__} #{self._h}>"


def _method(fnid: int, key: str, name: str, pad: bool) -> Callable[..., Any]:
    # Called by name on the object, not as the prototype's function: Bun's
    # EventEmitter installs `this.emit = emitWithRejectionCapture` per
    # instance, and what JS code calling obj.emit(...) gets is what Python gets.
    def method(self: JSObject, *args: Any) -> Any:
        return self._s.call_method(self, key, args, pad)

    method.__name__ = method.__qualname__ = name
    method._js_fnid = fnid  # type: ignore[attr-defined]
    return method


async def _aenter(self: JSObject) -> JSObject:
    return self


async def _aexit(self: JSObject, *exc_info: object) -> None:
    # `async with server`: [Symbol.asyncDispose]() on the way out (clause M178).
    await self.aclose()


def build_class(
    session: Session,
    handle: int,
    name: str,
    parent: type | None,
    methods: list[tuple[str, int]],
    props: list[str],
    functions: dict[int, Callable[..., Any]],
) -> JSClass:
    """The Python class for the JS class ``handle`` (host.cjs classRef's description)."""
    from ._names import py_name

    namespace: dict[str, Any] = {
        "__slots__": (),
        "__module__": f"conformance.bridge.js.{session.label}",
        "_js_session": session,
        "_js_h": handle,
        "_js_native": True,
    }
    prop_names = set(getattr(parent, "_js_props", ()))
    for js, fnid in methods:
        python = "aclose" if js == "@@asyncDispose" else py_name(js.removeprefix("@@").replace(".", "_"))
        prop_names.add(js)
        fn = functions.get(fnid)
        if fn is None:
            fn = functions[fnid] = _method(fnid, js, python, python in _ERROR_FIRST_CALLBACK_METHODS)
        namespace[python] = fn
        if js == "@@asyncDispose":
            namespace["__aenter__"] = _aenter
            namespace["__aexit__"] = _aexit
    prop_names.update(props)
    namespace["_js_props"] = frozenset(prop_names)
    cls = JSClass(name if name.isidentifier() else "JSObject", (parent or JSObject,), namespace)
    return cls


class JSFunction:
    """A JavaScript function that is not a class: calling it calls it (``this`` undefined)."""

    __slots__ = ("_h", "_s", "__weakref__")

    def __init__(self, session: Session, handle: int) -> None:
        self._s = session
        self._h = handle

    def __call__(self, *args: Any) -> Any:
        return self._s.call(self._h, None, args, False)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._s.get(self, js_name(name))

    def __repr__(self) -> str:
        return f"<JavaScript function #{self._h}>"


class JSPromise:
    """A JavaScript Promise: ``await`` it inside a coroutine that ``run`` drives."""

    __slots__ = ("_h", "_s", "__weakref__")

    def __init__(self, session: Session, handle: int) -> None:
        self._s = session
        self._h = handle

    def __await__(self) -> Generator[Any, Any, Any]:
        # The driver (_tasks.Task) sees the promise, registers then-callbacks
        # and sends the settled value (or throws the reason) back in here.
        value = yield self
        return value

    def __repr__(self) -> str:
        return f"<JavaScript Promise #{self._h}>"


class JSSymbol:
    """A JavaScript Symbol made in JavaScript (``events.error_monitor``): a hashable by identity."""

    __slots__ = ("_h", "_s", "description", "__weakref__")

    def __init__(self, session: Session, handle: int, description: str | None) -> None:
        self._s = session
        self._h = handle
        self.description = description

    def __repr__(self) -> str:
        return f"Symbol({self.description or ''})"


class JSModule:
    """A module object (``node:events``, ``node:net``): attributes by the binding's names.

    Functions and classes are fetched once; data (``events.default_max_listeners``)
    is read each time.
    """

    def __init__(self, session: Session, handle: int, name: str) -> None:
        object.__setattr__(self, "_s", session)
        object.__setattr__(self, "_h", handle)
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_cache", {})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        cache: dict[str, Any] = self.__dict__["_cache"]
        if name in cache:
            return cache[name]
        if name.endswith("Warning") and name[:1].isupper():
            # events.MaxListenersExceededWarning: the Python class the runtime's
            # warnings arrive as (node:events exports no such name).
            from ._warnings import warning_class

            value = cache[name] = warning_class(name)
            return value
        value = self._s.get(self, js_name(name))
        if isinstance(value, (JSFunction, JSSymbol)) or inspect.isclass(value):
            cache[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        self.__dict__["_cache"].pop(name, None)
        self._s.set(self, js_name(name), value)

    def __repr__(self) -> str:
        return f"<JavaScript module node:{self.__dict__['_name']}>"
