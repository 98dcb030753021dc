"""The parts of reference.net that are plain values and rules: is_ip, the
JavaScript number semantics listen() relies on, Buffer encodings, BlockList,
and AbortController. Expected values were checked on Node 24."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from reference import NodeError, NodeRangeError, NodeTypeError, net
from reference._abort import AbortController, AbortSignal, DOMException
from reference._process import Process, set_current_process
from reference.net._encoding import StringDecoder, encode, normalize_encoding
from reference.net._validators import js_number, js_to_int32, to_number, validate_port


@pytest.fixture
def process() -> Iterator[Process]:
    proc = Process()
    previous = set_current_process(proc)
    try:
        yield proc
    finally:
        proc.close()
        set_current_process(previous)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.2.3.4", 4),
        ("01.2.3.4", 0),
        ("256.1.1.1", 0),
        ("::1", 6),
        ("::ffff:1.2.3.4", 6),
        ("fe80::1%eth0", 6),
        ("1::2::3", 0),
        ("1.2.3.4\n", 0),
        ("", 0),
        (None, 0),
        (1234, 0),
    ],
)
def test_is_ip(value: object, expected: int) -> None:
    assert net.is_ip(value) == expected
    assert net.is_ipv4(value) is (expected == 4)
    assert net.is_ipv6(value) is (expected == 6)


@pytest.mark.parametrize(
    ("text", "number"),
    [("", 0.0), ("  0", 0.0), ("8080", 8080.0), ("0x10", 16.0), ("1e3", 1000.0), ("-1", -1.0), ("abc", math.nan), ("1_0", math.nan), ("inf", math.nan), ("Infinity", math.inf)],
)
def test_js_number(text: str, number: float) -> None:
    result = js_number(text)
    assert (math.isnan(result) and math.isnan(number)) or result == number


def test_pipe_names_and_ports() -> None:
    # isPipeName: a string that is not Number() >= 0.
    assert to_number("abc") is None and to_number("-1") is None and to_number("12") == 12
    assert js_to_int32(2**32 + 5) == 5 and js_to_int32(math.inf) == 0 and js_to_int32(2**31) == -(2**31)
    assert validate_port("  80 ") == 80 and validate_port(0) == 0 and validate_port("-0") == 0
    for bad in (-1, 65536, 1.5, "", " ", True, None, math.nan, math.inf, "0x10000"):
        with pytest.raises(NodeRangeError) as info:
            validate_port(bad)
        assert info.value.code == "ERR_SOCKET_BAD_PORT"


def test_encodings() -> None:
    assert normalize_encoding("UTF-8") == "utf8" and normalize_encoding("Binary") == "latin1"
    assert normalize_encoding("nope") is None
    assert encode("\u00e9", "latin1") == b"\xe9" and encode("\u00e9", "utf8") == b"\xc3\xa9"
    assert encode("aGk=", "base64") == b"hi" and encode("aGk", "base64url") == b"hi"
    assert encode("6869zz", "hex") == b"hi" and encode("686", "hex") == b"h"
    assert encode("hi", "utf16le") == b"h\x00i\x00"
    decoder = StringDecoder("base64")
    assert decoder.write(b"h") + decoder.write(b"i") + decoder.end() == "aGk="
    decoder = StringDecoder("utf8")
    assert decoder.write(b"\xe2\x82") == "" and decoder.write(b"\xac") == "\u20ac"


def test_block_list_rules_and_checks(process: Process) -> None:
    block = net.BlockList()
    block.add_address("1.2.3.4")
    block.add_range("10.0.0.1", "10.0.0.10")
    block.add_subnet("192.168.1.0", 24)
    block.add_address("::1", "ipv6")
    block.add_subnet("2001:db8::", 32, "ipv6")
    block.add_address("1.2.3.4")  # already there
    assert block.rules == [
        "Address: IPv6 ::1",
        "Address: IPv4 1.2.3.4",
        "Subnet: IPv6 2001:db8::/32",
        "Subnet: IPv4 192.168.1.0/24",
        "Range: IPv4 10.0.0.1-10.0.0.10",
    ]
    assert block.check("1.2.3.4") and block.check("::ffff:1.2.3.4", "ipv6")
    assert block.check("10.0.0.5") and not block.check("10.0.0.11")
    assert block.check("::ffff:192.168.1.3", "ipv6") and block.check("2001:db8::5", "ipv6")
    assert not block.check("127.0.0.1") and not block.check("1.2.3.4", "ipv6") and not block.check("zz")
    assert net.BlockList.is_block_list(block) and not net.BlockList.is_block_list({})
    with pytest.raises(NodeError) as invalid:
        block.add_address("300.1.1.1")
    assert invalid.value.code == "ERR_INVALID_ADDRESS"
    with pytest.raises(NodeTypeError) as order:
        block.add_range("10.0.0.9", "10.0.0.1")
    assert order.value.code == "ERR_INVALID_ARG_VALUE"
    with pytest.raises(NodeRangeError):
        block.add_subnet("1.2.3.0", 33)
    with pytest.raises(NodeTypeError):
        block.add_address(1)  # type: ignore[arg-type]
    with pytest.raises(NodeTypeError) as server_option:
        net.create_server({"block_list": {}})
    assert server_option.value.code == "ERR_INVALID_ARG_TYPE"


def test_abort_controller(process: Process) -> None:
    seen: list[object] = []
    controller = AbortController()
    signal = controller.signal
    signal.add_event_listener("abort", lambda event: seen.append((event.type, signal.aborted)))
    signal.onabort = lambda event: seen.append("onabort")
    assert not signal.aborted and signal.reason is None
    controller.abort()
    controller.abort("again")  # a second abort changes nothing
    assert seen == ["onabort", ("abort", True)]
    assert isinstance(signal.reason, DOMException) and signal.reason.name == "AbortError"
    with pytest.raises(DOMException):
        signal.throw_if_aborted()
    assert AbortSignal.abort("why").reason == "why"


def test_an_abort_listener_that_raises_is_uncaught_not_thrown_by_abort(process: Process) -> None:
    controller = AbortController()

    def bad(event: object) -> None:
        raise KeyError("listener")

    controller.signal.add_event_listener("abort", bad)
    with pytest.raises(KeyError):
        process.run(controller.abort, 5)
