# mypy: enable-error-code="deprecated"
# Type-level cases for what a suite test gets from the kit's contract (conformance/_contract.py):
# the Runtime's modules, timers and AbortController are typed by stubs/nodeapi, so a test written
# against `runtime` is checked against the binding. Never run (see check_events.py).
from __future__ import annotations

from typing_extensions import assert_type

from conformance import Runtime
from nodeapi.abort import AbortController, AbortSignal
from nodeapi.events import EventEmitter, EventsModule
from nodeapi.net import NetModule, Server
from nodeapi.timers import Immediate, Timeout


def modules(runtime: Runtime) -> None:
    assert_type(runtime.events, EventsModule)
    assert_type(runtime.net, NetModule | None)
    net = runtime.net
    assert net is not None
    assert_type(net.create_server(), Server)
    assert_type(runtime.events.EventEmitter(), EventEmitter)


def timers(runtime: Runtime) -> None:
    timeout = runtime.set_timeout(print, 10, "late")
    assert_type(timeout, Timeout)
    assert_type(timeout.unref().ref(), Timeout)
    assert_type(timeout.has_ref(), bool)
    runtime.clear_timeout(timeout)
    runtime.clear_timeout(None)
    immediate = runtime.set_immediate(print, "soon")
    assert_type(immediate.unref(), Immediate)
    runtime.clear_immediate(immediate)


def abort_signal(runtime: Runtime, server: Server) -> None:
    # ListenOptions.signal (clause J145): aborting closes the server.
    controller = runtime.abort_controller()
    assert_type(controller, AbortController)
    assert_type(controller.signal, AbortSignal)
    assert_type(controller.signal.aborted, bool)
    server.listen({"port": 0, "signal": controller.signal})
    controller.abort()
    controller.abort(ValueError("why"))
    controller.signal.throw_if_aborted()
    controller.signal.aborted = True  # type: ignore[misc]
