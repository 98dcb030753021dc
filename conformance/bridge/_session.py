# One runtime child process and the Python half of the protocol (host.cjs is
# the other half; its header describes the wire and the value tags).
#
# Identity is what makes a binding feel native, so both sides keep tables:
#   * JS objects get handle ids in the child; here each id maps to exactly one
#     proxy (or exception, or Python-subclass instance), so the same JS object
#     is always the same Python object;
#   * Python values that JS must hold (callables, exceptions, symbol objects)
#     get pyids; the child maps each pyid to one JS stand-in (a function, an
#     Error, a Symbol) and sends the pyid back when the stand-in comes home, so
#     listeners(), a once wrapper's .listener and a re-thrown exception are the
#     caller's own objects. The same callable is the same JS function, so
#     on(f)/off(f) match; callables are keyed by equality, as bound methods are.
#
# Calls nest: while Python waits for an answer it serves the child's requests
# (a JS emit calling a Python listener that calls emit again). The tables live
# as long as the child: one test.

from __future__ import annotations

import atexit
import base64
import inspect
import json
import math
import os
import select
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import IO, Any

from ..probes._fds import open_sockets
from ._errors import BridgeError, JSError, JSThrown, RuntimeCrashed, RuntimeHung, error_class
from ._names import js_name, py_name
from ._proxies import JSClass, JSFunction, JSModule, JSObject, JSPromise, JSSymbol, build_class
from ._tasks import Task, thenable_then
from ._warnings import emit_warning

__all__ = ["Session", "SpawnSpec"]

# How long a synchronous call may go without a word from the child before the
# child counts as hung (a JS call never legitimately blocks).
SILENCE_TIMEOUT = 30.0
# After run()'s timeout the child is asked (SIGUSR2) what is alive; a child that
# does not answer within this is stuck in JavaScript and is killed.
REPORT_GRACE = 3.0
STDERR_TAIL = 8000

_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


class SpawnSpec:
    """How to start a runtime child: its argv and environment."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], label: str) -> None:
        self.argv = list(argv)
        self.env = env
        self.label = label


class _Padded:
    """A callback that Node calls with no argument where the binding promises None."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[..., object]) -> None:
        self.fn = fn


class Session:
    def __init__(self, spec: SpawnSpec) -> None:
        self._spec = spec
        self.label = spec.label
        self.proc: subprocess.Popen[bytes] | None = None
        self._spawn(())

    # ================================================================ process

    def _spawn(self, extra_fds: Sequence[int]) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        self._log: IO[bytes] = tempfile.TemporaryFile(prefix="nnc-bridge-")
        env = dict(self._spec.env)
        env["NNC_BRIDGE_FDS"] = f"{to_child_r},{from_child_w}"
        try:
            self.proc = subprocess.Popen(
                self._spec.argv,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                pass_fds=(to_child_r, from_child_w, *extra_fds),
                env=env,
                # No preexec_fn (PR_SET_PDEATHSIG): it forces fork() of the
                # whole pytest process, which more than doubles the time to a
                # ready child. The child leaves by itself instead: at EOF on
                # its pipe while it serves, and when its parent pid changes
                # while it runs its loop (host.cjs); atexit kills the rest.
            )
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self._wfd = to_child_w
        self._rfd = from_child_r
        self._rbuf = bytearray()
        self._poll = select.poll()
        self._poll.register(self._rfd, select.POLLIN)
        self._log_start = 0
        self._recycles = 0
        self._inherited = bool(extra_fds)
        self._sockets_at_start: dict[str, int] | None = None
        self.ready: dict[str, Any] | None = None
        self._reset_state()

    def _reset_state(self) -> None:
        self._decoder = json.JSONDecoder(object_hook=self._decode).decode
        self.not_reused: str | None = None  # why close() did not hand the child on
        self.used = False
        self._tainted = False  # an uncaught exception or a timeout happened: never reuse
        # protocol state
        self._dead: BaseException | None = None
        self._broken = False  # an exception interrupted a wait: the stream position is unknown
        self._looping = False  # the child is in its event loop (we are inside run)
        self._depth = 0  # JS -> Python calls being served
        self._signalled = False  # a SIGUSR2 is outstanding
        self._closed = False
        # tables
        self._objects: dict[int, Any] = {}
        self._classes: dict[int, JSClass] = {}
        self._functions: dict[int, Callable[..., Any]] = {}
        self._symbols: dict[int, JSSymbol] = {}
        self._py: list[Any] = []
        self._py_ids: dict[Any, int] = {}
        self._py_ids_by_identity: dict[int, int] = {}
        self._task_count = 0
        self._modules: dict[str, JSModule] = {}

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def wait_ready(self, timeout: float = 30.0) -> dict[str, Any]:
        if self.ready is None:
            msg = self._recv(time.monotonic() + timeout)
            if msg[0] != "ready":
                raise self._protocol_error(msg)
            self.ready = msg[1]
            self._sockets_at_start = open_sockets(self.pid)
        return self.ready

    def inherited(self) -> None:
        """The child took a descriptor of ours: it is not reused for another test."""
        self._inherited = True

    def respawn(self, extra_fds: Sequence[int]) -> None:
        """Start over with more inherited descriptors (Runtime.inherit_fd); only before first use."""
        if self.used:
            raise BridgeError("the runtime has been used; a descriptor can only be inherited before that")
        old = self.ready
        self._terminate()
        self._log.close()
        self.ready = None
        self._spawn(extra_fds)
        new = self.wait_ready()
        if old is not None and (old["events"], old["net"]) != (new["events"], new["net"]):
            raise BridgeError("a respawned runtime did not start the same way")

    def stderr_tail(self) -> str:
        try:
            self._log.flush()
            self._log.seek(0, os.SEEK_END)
            size = self._log.tell()
            self._log.seek(max(self._log_start, size - STDERR_TAIL))
            return self._log.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""

    def _terminate(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.kill()
            # Reaped later: waiting for a killed runtime to be torn down costs
            # milliseconds per test that nobody needs to spend now.
            _dying.append(proc)
        _reap()
        for fd in (self._wfd, self._rfd):
            try:
                os.close(fd)
            except OSError:
                pass
        self._wfd = self._rfd = -1
        self._closed = True

    def close(self, reuse: Callable[[Session], None] | None = None) -> list[str]:
        """End the child. Returns what was still alive in it (when it can still tell).

        With ``reuse``, a child that is provably as it started (see _recycled)
        is handed to ``reuse`` as a new Session instead of being killed.
        """
        if self._closed:
            return []
        alive: list[str] = []
        if self.ready is not None and self._usable() and not self._looping and self._depth == 0:
            try:
                alive = [str(item) for item in self.request(["alive"], silence=5.0)]
            except BaseException:  # noqa: BLE001 - a dying child has nothing to report
                alive = []
            if alive:
                self.not_reused = "alive: " + "; ".join(alive)
            elif reuse is not None:
                fresh = self._recycled()
                if fresh is not None:
                    reuse(fresh)
                    return []
        self._terminate()
        try:
            self._log.close()
        except OSError:
            pass
        return alive

    # A runtime boots in 20-50 ms of CPU (Node, Deno), more than most tests
    # take, so a child that ends a test exactly as it started is reused: the
    # next test gets a Session with empty tables on the same process. "Exactly
    # as it started" is checked, never assumed: nothing alive (not even
    # unref'd), no socket beyond those it had when ready, no uncaught
    # exception, timeout, warning (Node warns about some things once per
    # process) or inherited descriptor, nothing left in the queues (the loop is
    # run once and must go idle without calling Python), no pending promise,
    # and every module-level property of node:events/node:net/node:timers, the
    # prototypes of their classes and the globals unchanged (host.cjs
    # recycle). Anything else, and the child is killed as before.
    # NNC_BRIDGE_FRESH=1 turns reuse off.
    MAX_REUSES = 100
    DRAIN_TIMEOUT = 1.0

    def _recycled(self) -> Session | None:
        self.not_reused = self._reuse_refusal()
        if self.not_reused is not None:
            return None
        fresh = Session.__new__(Session)
        for name in ("_spec", "label", "proc", "_log", "_wfd", "_rfd", "_rbuf", "_poll", "ready", "_sockets_at_start"):
            setattr(fresh, name, getattr(self, name))
        fresh._inherited = False
        fresh._recycles = self._recycles + 1
        self._log.seek(0, os.SEEK_END)
        fresh._log_start = self._log.tell()
        fresh._reset_state()
        # This Session is over: its proxies must not reach the next test's.
        self._closed = True
        self._dead = BridgeError(f"{self.label}: this runtime was closed")
        return fresh

    def _reuse_refusal(self) -> str | None:
        """Why this child cannot serve another test, or None when it can."""
        if self._tainted or self._signalled:
            return "an uncaught exception, a timeout or an unsettled script"
        if self._inherited:
            return "an inherited descriptor"
        if self._recycles >= self.MAX_REUSES:
            return f"served {self.MAX_REUSES} tests"
        if open_sockets(self.pid).keys() != (self._sockets_at_start or {}).keys():
            return "it holds sockets it did not hold when it started"
        try:
            self._send(["loop"])
            msg = self._recv(time.monotonic() + self.DRAIN_TIMEOUT)
            if msg != ["idle"]:
                return f"its queues were not empty ({msg[0]!r} instead of idle)"
            reason = self.request(["recycle"], silence=5.0)
        except BaseException as exc:  # noqa: BLE001 - whatever went wrong, the child is not reused
            return f"{type(exc).__name__}: {exc}"
        return None if reason is None else str(reason)

    def _usable(self) -> bool:
        return self._dead is None and not self._broken and not self._closed

    def _died(self, hung: bool = False, what: str = "") -> BaseException:
        if self._dead is None:
            proc = self.proc
            if hung:
                if proc is not None:
                    proc.kill()
            code = proc.wait(5) if proc is not None else None
            stderr = self.stderr_tail()
            if hung:
                self._dead = RuntimeHung(f"{self.label} (pid {self.pid}) stopped answering {what}; killed it", stderr)
            else:
                self._dead = RuntimeCrashed(f"{self.label} (pid {self.pid}) exited with status {code}", stderr)
        return self._dead

    def _protocol_error(self, msg: object) -> BridgeError:
        self._broken = True
        return BridgeError(f"{self.label}: unexpected message {msg!r}")

    # =================================================================== wire

    def _send(self, msg: list[Any]) -> None:
        data = _ENCODER(msg).encode()
        data = len(data).to_bytes(4, "little") + data
        try:
            while data:
                written = os.write(self._wfd, data)
                data = data[written:]
        except (BrokenPipeError, OSError) as exc:
            if self._dead is None:
                raise self._died() from exc
            raise self._dead from exc

    def _recv(self, deadline: float | None) -> list[Any]:
        buf = self._rbuf
        while True:
            if len(buf) >= 4:
                size = 4 + int.from_bytes(buf[:4], "little")
                if len(buf) >= size:
                    payload = bytes(buf[4:size])
                    del buf[:size]
                    msg: list[Any] = self._decoder(payload.decode())
                    return msg
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0 or not self._poll.poll(left * 1000):
                    raise _Silence
            chunk = os.read(self._rfd, 1 << 16)
            if not chunk:
                raise self._died()
            buf += chunk

    # ============================================================== requests

    def request(self, msg: list[Any], silence: float = SILENCE_TIMEOUT) -> Any:
        """Send a request and return its answer, serving the child's requests meanwhile."""
        if not self._usable():
            raise self._dead or BridgeError(f"{self.label} is not usable any more (an earlier call was interrupted)")
        if self._looping and self._depth == 0:
            raise BridgeError("the runtime is running its event loop; call it from a callback or outside run()")
        self.used = True
        ok = False
        try:
            self._send(msg)
            while True:
                try:
                    reply = self._recv(time.monotonic() + silence)
                except _Silence:
                    raise self._died(hung=True, what=f"a {msg[0]!r} request for {silence:g} s") from None
                op = reply[0]
                if op == "ok":
                    ok = True
                    return reply[1]
                if op == "err":
                    ok = True
                    raise self.as_exception(reply[1])
                self._serve(reply)
        finally:
            if not ok and self._dead is None:
                self._broken = True

    def _serve(self, msg: list[Any]) -> None:
        """Answer one request from the child: call a Python function for it."""
        op = msg[0]
        self._depth += 1
        try:
            if op == "cb":
                result = self._py[msg[1]](*msg[2])
            elif op == "pm":
                result = getattr(msg[1], msg[2])(*msg[3])
            elif op == "warn":
                emit_warning(msg[1], msg[2], msg[3])
                result = None
            elif op == "await":
                result = thenable_then(self, self._py[msg[1]])
            else:
                raise self._protocol_error(msg)
            if inspect.iscoroutine(result):
                task = Task(self, result)
                task.start()
                reply: list[Any] = ["ok", task.wire_value()]
            else:
                reply = ["ok", self.encode(result)]
        except BaseException as exc:  # noqa: BLE001 - every exception crosses into JS, even pytest's outcomes
            if not self._usable():
                raise
            reply = ["err", self.encode(exc)]
        finally:
            self._depth -= 1
        self._send(reply)

    # ================================================================= run

    def run(self, main: Callable[[], object], timeout: float) -> None:
        if self._looping or self._depth:
            raise RuntimeError("run() cannot be nested inside a callback of the same runtime")
        if not self._usable():
            raise self._dead or BridgeError(f"{self.label} is not usable any more")
        self.used = True
        deadline = time.monotonic() + timeout
        script: Task | None = None
        result = main()
        if inspect.iscoroutine(result):
            script = Task(self, result, script=True)
            script.start()
            if script.state == 2:
                raise script.result
        event = self._loop(deadline, timeout)
        if event[0] == "idle":
            if script is not None and script.state == 2:
                self._tainted = True
                raise script.result
            if script is not None and script.state == 0:
                self._tainted = True
                raise RuntimeError("the loop went idle while the script's top-level await was still pending")
            return
        self._tainted = True
        if event[0] == "uncaught":
            raise self.as_exception(event[1])
        alive = "; ".join(str(item) for item in event[1]) or "nothing reported (a pending promise?)"
        raise TimeoutError(f"the loop was still busy after {timeout:g} s; alive: {alive}")

    def _loop(self, deadline: float, timeout: float) -> list[Any]:
        """Let the child run its event loop until it is idle, throws, or runs out of time."""
        self._send(["loop"])
        self._looping = True
        asked = False
        finished = False
        try:
            while True:
                try:
                    msg = self._recv(deadline)
                except _Silence:
                    if asked:
                        raise TimeoutError(
                            f"the loop was still busy after {timeout:g} s and {self.label} did not say what was "
                            f"alive: it is stuck in JavaScript\n" + str(self._died(hung=True, what="a timeout report"))
                        ) from None
                    os.kill(self.pid, signal.SIGUSR2)
                    asked = self._signalled = True
                    deadline = time.monotonic() + REPORT_GRACE
                    continue
                op = msg[0]
                if op in ("cb", "pm", "warn"):
                    self._serve(msg)
                elif op in ("idle", "uncaught"):
                    finished = True
                    return msg
                elif op == "timeout":
                    if asked or not self._signalled:
                        self._signalled = False
                        finished = True
                        return msg
                    # The answer to a signal of an earlier run that went idle first.
                    self._signalled = False
                    self._send(["loop"])
                else:
                    raise self._protocol_error(msg)
        finally:
            self._looping = False
            if not finished and self._dead is None:
                self._broken = True

    # ============================================================ operations

    def get(self, target: Any, key: str) -> Any:
        return self.request(["get", {"h": target._h}, key])

    def set(self, target: Any, key: str, value: Any) -> None:
        self.request(["set", {"h": target._h}, key, self.encode(value)])

    def has(self, target: Any, key: str) -> bool:
        return bool(self.request(["has", {"h": target._h}, key]))

    def get_static(self, cls: JSClass, key: str) -> Any:
        return self.request(["get", {"h": _native(cls)._js_h}, key])

    def set_static(self, cls: JSClass, key: str, value: Any) -> None:
        self.request(["set", {"h": _native(cls)._js_h}, key, self.encode(value)])

    def has_static(self, cls: JSClass, key: str) -> bool:
        return bool(self.request(["has", {"h": _native(cls)._js_h}, key]))

    def call(self, fnid: int, this: Any, args: Sequence[Any], pad: bool) -> Any:
        encode = self.encode
        wire = [encode(arg) for arg in args]
        if pad and args and callable(args[-1]) and not isinstance(args[-1], (JSFunction, JSClass)):
            wire[-1] = encode(_Padded(args[-1]))
        return self.request(["call", {"h": fnid}, None if this is None else {"h": this._h}, wire])

    def call_method(self, this: Any, key: str, args: Sequence[Any], pad: bool) -> Any:
        encode = self.encode
        wire = [encode(arg) for arg in args]
        if pad and args and callable(args[-1]) and not isinstance(args[-1], (JSFunction, JSClass)):
            wire[-1] = encode(_Padded(args[-1]))
        return self.request(["mcall", {"h": this._h}, key, wire])

    def construct(self, cls: JSClass, args: Sequence[Any]) -> Any:
        return self.request(["new", {"h": cls._js_h}, [self.encode(arg) for arg in args]])

    def create_instance(self, cls: JSClass) -> Any:
        """An instance of a Python subclass: Object.create of its JS constructor's prototype."""
        if "_js_h" not in cls.__dict__:
            self._define_subclass(cls)
        obj = self.request(["create", {"h": cls.__dict__["_js_h"]}])
        if type(obj) is not cls:  # pragma: no cover - a protocol invariant
            raise BridgeError(f"created {obj!r}, expected an instance of {cls!r}")
        return obj

    def init_instance(self, obj: JSObject, args: Sequence[Any]) -> None:
        base = _native(type(obj))
        self.request(["call", {"h": base._js_h}, {"h": obj._h}, [self.encode(arg) for arg in args]])

    def _define_subclass(self, cls: JSClass) -> None:
        base = _native(cls)
        forwarded: list[list[str]] = []
        seen: set[str] = set()
        for klass in cls.__mro__:
            if klass is base or klass.__dict__.get("_js_native", False) or klass is object:
                break
            for name, value in vars(klass).items():
                if name.startswith("__") or name in seen or not inspect.isfunction(value):
                    continue
                seen.add(name)
                forwarded.append([js_name(name), name])
        handle = self.request(["subclass", {"h": base._js_h}, cls.__name__, forwarded])
        type.__setattr__(cls, "_js_h", handle)
        self._classes[handle] = cls

    def module(self, name: str) -> JSModule:
        module = self._modules.get(name)
        if module is None:
            ready = self.wait_ready()
            module = self._modules[name] = JSModule(self, ready[name], name)
        return module

    def timer(self, kind: str, callback: Callable[..., object], ms: float, args: Sequence[Any]) -> Any:
        return self.request(["timer", kind, self.encode(callback), self.encode(ms), [self.encode(a) for a in args]])

    def clear_timer(self, kind: str, timer: Any) -> None:
        self.request(["clear", kind, self.encode(timer)])

    def new_task_id(self) -> int:
        self._task_count += 1
        return self._task_count

    # ============================================================== values

    def as_exception(self, value: Any) -> BaseException:
        if isinstance(value, BaseException):
            return value
        thrown = JSThrown(f"JavaScript threw a non-Error value: {value!r}")
        thrown.message = str(thrown)
        thrown.value = value
        return thrown

    def encode(self, value: Any) -> Any:
        """A Python value for the wire (host.cjs dec)."""
        kind = type(value)
        if value is None or kind is str or kind is bool or kind is int:
            return value
        if kind is float:
            if math.isfinite(value):
                return value
            return {"n": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
        if isinstance(value, (JSObject, JSFunction, JSPromise)) and value._s is self:
            return {"h": value._h}
        if isinstance(value, JSClass) and getattr(value, "_js_session", None) is self:
            if "_js_h" not in value.__dict__:
                self._define_subclass(value)
            return {"h": value.__dict__["_js_h"]}
        if isinstance(value, JSSymbol) and value._s is self:
            return {"s": value._h}
        if isinstance(value, (list, tuple)):
            return {"a": [self.encode(item) for item in value], "q": self._pyid(value)}
        if isinstance(value, dict):
            return {
                "o": [
                    [js_name(key) if isinstance(key, str) else str(key), self.encode(item)]
                    for key, item in value.items()
                ],
                "q": self._pyid(value),
            }
        if isinstance(value, (bytes, bytearray, memoryview)):
            return {"b": base64.b64encode(value).decode("ascii")}
        if isinstance(value, BaseException):
            js_handle = getattr(value, "_js_h", None)
            if isinstance(value, JSError) and js_handle is not None and getattr(value, "_js_s", None) is self:
                return {"h": js_handle}
            return self._encode_exception(value)
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return self.encode(float(value))
        if isinstance(value, str):
            return str(value)
        if isinstance(value, _Padded):
            return {"p": self._pyid(value.fn), "a": 1}
        if inspect.iscoroutine(value):
            task = Task(self, value)
            task.start()
            return task.wire_value()
        if hasattr(type(value), "__await__") and not isinstance(value, type):
            return {"t": self._pyid(value)}
        if callable(value):
            return {"p": self._pyid(value)}
        return {"y": self._pyid(value), "d": _describe(value)}

    def _encode_exception(self, exc: BaseException) -> dict[str, Any]:
        fields = []
        for key, item in vars(exc).items():
            if key.startswith("_") or callable(item):
                continue
            if key in ("message", "name"):
                continue
            try:
                fields.append([key, self.encode(item)])
            except Exception:  # noqa: BLE001 - a field that cannot cross stays behind
                continue
        kind = "TypeError" if isinstance(exc, TypeError) else ("RangeError" if isinstance(exc, ValueError) else "Error")
        name = getattr(exc, "name", None)
        message = getattr(exc, "message", None)
        return {
            "x": self._pyid(exc),
            "t": kind,
            "n": name if isinstance(name, str) else type(exc).__name__,
            "m": message if isinstance(message, str) else str(exc),
            "f": fields,
        }

    def _pyid(self, value: Any) -> int:
        try:
            pyid = self._py_ids.get(value)
            hashable = True
        except TypeError:
            pyid = self._py_ids_by_identity.get(id(value))
            hashable = False
        if pyid is None:
            pyid = len(self._py)
            self._py.append(value)
            if hashable:
                self._py_ids[value] = pyid
            else:
                self._py_ids_by_identity[id(value)] = pyid
        return pyid

    # json.loads object_hook: every JSON object on the wire is a tagged value.
    def _decode(self, d: dict[str, Any]) -> Any:
        for tag in d:
            break
        else:
            raise BridgeError("empty value on the wire")
        if tag == "h":
            obj = self._objects.get(d["h"])
            if obj is None:
                cls = d.get("c") or JSObject
                obj = object.__new__(cls)
                object.__setattr__(obj, "_h", d["h"])
                object.__setattr__(obj, "_s", self)
                self._objects[d["h"]] = obj
            return obj
        if tag == "o":
            return {py_name(key): value for key, value in d["o"]}
        if tag == "p":
            return self._py[d["p"]]
        if tag == "f":
            obj = self._objects.get(d["f"])
            if obj is None:
                obj = self._objects[d["f"]] = JSFunction(self, d["f"])
            return obj
        if tag == "k":
            return self._class(d)
        if tag == "b":
            return base64.b64decode(d["b"])
        if tag == "e":
            return self._error(d)
        if tag == "s":
            if d.get("g") and d.get("d") == "nodejs.rejection":
                return "nodejs_rejection"  # events.capture_rejection_symbol (CONFORMANCE.md 1.1)
            sym = self._symbols.get(d["s"])
            if sym is None:
                sym = self._symbols[d["s"]] = JSSymbol(self, d["s"], d.get("d"))
            return sym
        if tag == "P":
            obj = self._objects.get(d["P"])
            if obj is None:
                obj = self._objects[d["P"]] = JSPromise(self, d["P"])
            return obj
        if tag == "n":
            return {"-0": -0.0}.get(d["n"], float(d["n"]))
        if tag == "i":
            return int(d["i"])
        raise BridgeError(f"unknown value tag {tag!r}")

    def _class(self, d: dict[str, Any]) -> JSClass:
        cls = self._classes.get(d["k"])
        if cls is None:
            if "n" not in d:
                raise BridgeError(f"class #{d['k']} arrived without its description")
            cls = build_class(self, d["k"], d["n"], d["p"], [(str(m[0]), int(m[1])) for m in d["m"]], d["a"], self._functions)
            self._classes[d["k"]] = cls
        return cls

    def _error(self, d: dict[str, Any]) -> JSError:
        err = self._objects.get(d["e"])
        if err is not None:
            return err  # type: ignore[no-any-return]
        cls = error_class(d["t"], d["n"])
        err = cls(d["m"])
        err.name = d["n"]
        err.message = d["m"]
        err.js_stack = d.get("st", "")
        for key, value in d["f"]:
            try:
                setattr(err, py_name(key), value)
            except (AttributeError, TypeError):
                pass
        err._js_h = d["e"]  # type: ignore[attr-defined]
        err._js_s = self  # type: ignore[attr-defined]
        self._objects[d["e"]] = err
        return err


_dying: list[subprocess.Popen[bytes]] = []


def _reap() -> None:
    for proc in list(_dying):
        if proc.poll() is not None:
            _dying.remove(proc)


@atexit.register
def _reap_all() -> None:
    for proc in _dying:
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass


class _Silence(Exception):
    """No word from the child before the deadline."""


def _native(cls: type) -> JSClass:
    for klass in cls.__mro__:
        if klass.__dict__.get("_js_native", False):
            return klass  # type: ignore[return-value]
    raise BridgeError(f"{cls!r} does not derive from a JavaScript class")


def _describe(value: object) -> str:
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001
        text = object.__repr__(value)
    return text if len(text) <= 80 else text[:77] + "..."
