# The bridge: JavaScript runtimes (Node, Bun, Deno) as implementations of the
# kit's contract, so the same Python suite grades them.
#
# A runtime child process per test runs host.cjs; Python drives it
# synchronously over two pipes, and JS calls Python listeners back
# synchronously, to any depth. Layout: _session (the child, the wire, the
# tables that keep identities across it), _proxies (JS classes as Python
# classes), _tasks (coroutines on the JS loop), _names (snake_case <->
# camelCase), _errors, _warnings, _runtime/_implementation (the contract),
# _install (`python -m conformance.bridge install`: the pinned runtimes).

from __future__ import annotations

from ._errors import (
    BridgeError as BridgeError,
    JSError as JSError,
    JSRangeError as JSRangeError,
    JSThrown as JSThrown,
    JSTypeError as JSTypeError,
    RuntimeCrashed as RuntimeCrashed,
    RuntimeHung as RuntimeHung,
    RuntimeNotInstalled as RuntimeNotInstalled,
)
from ._implementation import (
    BridgeImplementation as BridgeImplementation,
    bun_implementation as bun_implementation,
    deno_implementation as deno_implementation,
    node_implementation as node_implementation,
)
from ._install import binary as binary, install as install, install_dir as install_dir
from ._proxies import (
    JSClass as JSClass,
    JSFunction as JSFunction,
    JSObject as JSObject,
    JSPromise as JSPromise,
    JSSymbol as JSSymbol,
)
from ._runtime import BridgeRuntime as BridgeRuntime

__all__ = [
    "BridgeError",
    "BridgeImplementation",
    "BridgeRuntime",
    "JSClass",
    "JSError",
    "JSFunction",
    "JSObject",
    "JSPromise",
    "JSRangeError",
    "JSSymbol",
    "JSThrown",
    "JSTypeError",
    "RuntimeCrashed",
    "RuntimeHung",
    "RuntimeNotInstalled",
    "binary",
    "bun_implementation",
    "deno_implementation",
    "install",
    "install_dir",
    "node_implementation",
]
