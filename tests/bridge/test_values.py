"""Values and names crossing the bridge (CONFORMANCE.md 1.1, 1.2), both ways."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from conformance.bridge import BridgeRuntime, JSFunction, JSSymbol, RuntimeNotInstalled, node_implementation
from conformance.bridge._names import js_name, py_name


def echo(rt: BridgeRuntime) -> Any:
    """A JS function that returns its argument: a value's round trip."""
    return rt.evaluate("(value) => value")


@pytest.mark.parametrize(
    ("python", "js"),
    [
        ("add_listener", "addListener"),
        ("remove_all_listeners", "removeAllListeners"),
        ("is_ipv4", "isIPv4"),
        ("is_ip", "isIP"),
        ("ipv6_only", "ipv6Only"),
        ("keep_alive_initial_delay", "keepAliveInitialDelay"),
        ("_connection_key", "_connectionKey"),
        ("_events", "_events"),
        ("listening", "listening"),
        ("BlockList", "BlockList"),
        ("nodejs_rejection", "@@nodejs.rejection"),
        ("aclose", "@@asyncDispose"),
    ],
)
def test_names_map_both_ways(python: str, js: str) -> None:
    assert js_name(python) == js
    assert py_name(js) == python


def test_primitives_round_trip(rt: BridgeRuntime) -> None:
    identity = echo(rt)
    for value in [None, True, False, 0, -7, 2**40, 1.5, "text", "ünï©ødé", ""]:
        back = identity(value)
        assert back == value and type(back) is type(value), value
    assert math.isnan(identity(math.nan))
    assert identity(math.inf) == math.inf and identity(-math.inf) == -math.inf
    assert rt.evaluate("undefined") is None and rt.evaluate("null") is None
    assert rt.evaluate("3.0") == 3 and type(rt.evaluate("3.0")) is int


def test_bytes_are_buffers(rt: BridgeRuntime) -> None:
    assert rt.evaluate("(b) => Buffer.isBuffer(b) && b.length")(b"\x00\xffab") == 4
    assert echo(rt)(bytearray(b"xy")) == b"xy"
    assert rt.evaluate("Buffer.from('hi')") == b"hi"


def test_plain_objects_are_dicts_with_snake_case_keys(rt: BridgeRuntime) -> None:
    got = rt.evaluate("({localAddress: '::1', remotePort: 5, nested: {isIPv4: true}, list: [1, 'a']})")
    assert got == {"local_address": "::1", "remote_port": 5, "nested": {"is_ipv4": True}, "list": [1, "a"]}
    assert rt.evaluate("(o) => Object.keys(o).join()")({"keep_alive": 1, "no_delay": 2}) == "keepAlive,noDelay"


def test_python_containers_come_home_as_the_same_objects(rt: BridgeRuntime) -> None:
    identity = echo(rt)
    for value in [{"a": 1}, [1, 2], (3, 4)]:
        assert identity(value) is value


def test_python_objects_are_symbols_in_js(rt: BridgeRuntime) -> None:
    marker = object()
    assert rt.evaluate("(s) => typeof s")(marker) == "symbol"
    assert echo(rt)(marker) is marker


def test_js_symbols_keep_their_identity(rt: BridgeRuntime) -> None:
    symbol = rt.evaluate("globalThis.__s = Symbol('mine')")
    assert isinstance(symbol, JSSymbol) and symbol.description == "mine"
    assert rt.evaluate("globalThis.__s") is symbol
    assert rt.evaluate("(s) => s === globalThis.__s")(symbol) is True
    assert rt.events.capture_rejection_symbol == "nodejs_rejection"


def test_callables_are_one_js_function_each(rt: BridgeRuntime) -> None:
    def f() -> None:
        pass

    same = rt.evaluate("(a, b) => a === b")
    assert same(f, f) is True
    assert echo(rt)(f) is f
    emitter = rt.events.EventEmitter()
    emitter.on("x", f)
    emitter.once("y", f)
    assert emitter.listeners("x") == [f] and emitter.listeners("x")[0] is f
    wrapper = emitter.raw_listeners("y")[0]
    assert isinstance(wrapper, JSFunction) and wrapper.listener is f
    emitter.off("x", f)
    assert emitter.listener_count("x") == 0


def test_js_classes_are_python_classes(rt: BridgeRuntime) -> None:
    events, net = rt.events, rt.net
    assert net is not None
    emitter_class = events.EventEmitter
    server = net.create_server()
    assert isinstance(server, net.Server) and isinstance(server, emitter_class)
    assert issubclass(net.Server, emitter_class)
    assert emitter_class.on is emitter_class.add_listener
    assert events.EventEmitter is emitter_class
    assert rt.evaluate("(s) => s")(server) is server


def test_statics_read_and_write(rt: BridgeRuntime) -> None:
    emitter_class = rt.events.EventEmitter
    assert emitter_class.default_max_listeners == 10
    emitter_class.default_max_listeners = 3
    assert rt.evaluate("require('events').defaultMaxListeners") == 3
    with pytest.raises(ValueError) as info:
        emitter_class.default_max_listeners = -1
    assert getattr(info.value, "code", None) == "ERR_OUT_OF_RANGE"
    assert isinstance(emitter_class.error_monitor, JSSymbol)
    assert emitter_class.error_monitor is rt.events.error_monitor


def test_properties_read_and_write(rt: BridgeRuntime) -> None:
    assert rt.net is not None
    server = rt.net.create_server()
    assert server.listening is False
    assert server.max_connections is None
    server.max_connections = 4
    assert server.max_connections == 4
    assert rt.evaluate("(s) => s.maxConnections")(server) == 4


def test_a_missing_runtime_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NNC_RUNTIMES_DIR", str(tmp_path))
    with pytest.raises(RuntimeNotInstalled, match="-m conformance.bridge install"):
        node_implementation()


@pytest.mark.skipif(not Path("/usr/bin/node").exists(), reason="no Node at /usr/bin/node on this machine")
def test_another_node_by_path_is_named_by_its_version() -> None:
    impl = node_implementation("/usr/bin/node")
    assert impl.name == f"node-{impl.version}" and impl.node_version == impl.version
    assert impl.expected_failures is None and "/usr/bin/node" in impl.describe()
    runtime = impl.start()
    try:
        assert runtime.events.EventEmitter().emit("x") is False
    finally:
        runtime.close()
