# Static conformance: does an implementation have the shape of the typed API (stubs/nodeapi)?
#
#     python -m conformance.typecheck --events mypkg.events --net mypkg.net
#     python -m conformance.typecheck --events mypkg.events --runtime mypkg.kit:MyRuntime --output typecheck_mypkg.py
#
# It writes a small check file that assigns the implementation's modules and classes to the
# Protocols, `_: nodeapi.events.EventsModule = mypkg.events` and
# `_: type[nodeapi.events.EventEmitter] = mypkg.events.EventEmitter` (an assignment is what makes
# mypy compare the shapes; `cast(P, None)` checks nothing, python/mypy#17799), runs mypy --strict
# on it with the kit's own settings, prints what mypy says and exits with mypy's status.
# mypy explains a failed Protocol assignment only when one or two members differ, so the file
# also compares member by member (`m = api.on; m = under_test.on`): each difference is then an
# error of its own, on a line that names the member. It checks the shape, not the implementation's
# own code: errors inside the implementation's modules are not reported (follow_imports = silent).
#
# The stubs come from the installed `nodeapi-stubs` package, or from the stubs/ directory of a
# checkout when the kit runs from one. The implementation must be importable by mypy: installed
# in the Python environment mypy inspects (--python-executable), or beside the --output file.

from __future__ import annotations

import argparse
import ast
import os
import re
import sys
import sysconfig
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CheckTargets", "generate_check_file", "main", "run_mypy"]

_DOTTED = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
# `pkg.module` or `pkg.module:attribute` (the attribute may be dotted: `pkg.mod:Class.inner`)
_TARGET = re.compile(rf"(?P<module>{_DOTTED})(?::(?P<attribute>{_DOTTED}))?")

# A checkout keeps the stubs in stubs/nodeapi next to this package (pyproject: mypy_path = "stubs").
_CHECKOUT = Path(__file__).resolve().parent.parent
_CHECKOUT_STUBS = _CHECKOUT / "stubs"


@dataclass(frozen=True)
class CheckTargets:
    """What to check, each as ``pkg.module`` or ``pkg.module:attribute``."""

    events: str | None = None  # the node:events module (EventsModule)
    net: str | None = None  # the node:net module (NetModule)
    runtime: str | None = None  # a class of conformance.Runtime's shape
    implementation: str | None = None  # a class of conformance.Implementation's shape

    def __post_init__(self) -> None:
        for field, value in self.__dict__.items():
            if value is not None and not _TARGET.fullmatch(value):
                raise ValueError(f"--{field} {value!r}: expected pkg.module or pkg.module:attribute")
        if not any(self.__dict__.values()):
            raise ValueError("nothing to check: give --events, --net, --runtime or --implementation")


def _import(target: str, alias: str) -> str:
    match = _TARGET.fullmatch(target)
    assert match is not None  # CheckTargets validated it
    module, attribute = match["module"], match["attribute"]
    if attribute is None:
        return f"import {module} as {alias}"
    head, _, rest = attribute.partition(".")
    line = f"from {module} import {head} as {alias}"
    return line if not rest else f"from {module} import {head}\n{alias} = {head}.{rest}"


def _stub_directory() -> Path | None:
    # The stubs of a checkout, or the installed nodeapi-stubs package.
    for candidate in (_CHECKOUT_STUBS / "nodeapi", Path(sysconfig.get_paths()["purelib"]) / "nodeapi-stubs"):
        if (candidate / "__init__.pyi").is_file():
            return candidate
    return None


def _protocol_members(source: Path) -> dict[str, list[str]]:
    """Each Protocol class of a stub or module: the members a conforming class must have,
    those of its Protocol bases in the same file included."""
    own: dict[str, tuple[list[str], list[str]]] = {}
    for node in ast.parse(source.read_text("utf-8")).body:
        if not isinstance(node, ast.ClassDef):
            continue
        bases = [base.id for base in node.bases if isinstance(base, ast.Name)]
        if "Protocol" not in bases:
            continue
        names: list[str] = []
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name not in ("__init__", "__call__"):
                name = item.name
            elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                name = item.target.id
            else:
                continue
            if name not in names:
                names.append(name)
        own[node.name] = ([base for base in bases if base != "Protocol"], names)

    def resolve(name: str) -> list[str]:
        bases, names = own[name]
        inherited = [member for base in bases if base in own for member in resolve(base)]
        return names + [member for member in inherited if member not in names]

    return {name: resolve(name) for name in own}


def _member_checks(function: str, api_type: str, under_test: str | None, members: list[str]) -> list[str]:
    """``m = api.x; m = under_test.x`` for each member: the first assignment gives ``m`` the
    Protocol member's type, the second checks the implementation's against it."""
    parameters = f"api: {api_type}" + (f", under_test: {under_test}" if under_test else "")
    target = "under_test" if under_test else None
    lines = ["", "", f"def {function}({parameters}) -> None:"]
    for member in members:
        lines += [f"    m_{member} = api.{member}", f"    m_{member} = {target or '{module}'}.{member}"]
    return lines


def generate_check_file(targets: CheckTargets) -> str:
    """The check file's source: never run, only type-checked."""
    stubs = _stub_directory()
    events = _protocol_members(stubs / "events.pyi") if stubs else {}
    net = _protocol_members(stubs / "net.pyi") if stubs else {}
    contract = _protocol_members(Path(__file__).with_name("_contract.py"))
    described = " ".join(f"--{k} {v}" for k, v in targets.__dict__.items() if v is not None)
    lines = [
        "# Generated by python -m conformance.typecheck " + described,
        "# Each assignment makes mypy prove that the implementation has the shape of the typed API",
        "# (stubs/nodeapi); the functions are never called. The check_*_members functions repeat the",
        "# comparison one member at a time, so that an error names the member that differs.",
        "from __future__ import annotations",
        "",
        "from collections.abc import Hashable",
        "",
    ]
    imports = ["import nodeapi.events", "import nodeapi.net"]
    body: list[str] = []

    def members(function: str, api_type: str, under_test: str | None, names: list[str], module: str = "") -> None:
        body.extend(line.replace("{module}", module) for line in _member_checks(function, api_type, under_test, names))

    if targets.runtime or targets.implementation:
        imports.append("import conformance")
    if targets.events:
        imports.append(_import(targets.events, "events_under_test"))
        body += [
            "",
            "# node:events",
            "events_module: nodeapi.events.EventsModule = events_under_test",
            "event_emitter: type[nodeapi.events.EventEmitter] = events_under_test.EventEmitter",
            "event_emitter_constructor: nodeapi.events.EventEmitterConstructor = events_under_test.EventEmitter",
            "",
            "",
            "def check_event_emitter_class_properties() -> None:",
            "    # One by one: they may live on the class or on a metaclass (stubs/nodeapi/events.pyi).",
            "    cls = events_under_test.EventEmitter",
            "    default_max_listeners: float = cls.default_max_listeners",
            "    cls.default_max_listeners = default_max_listeners",
            "    capture_rejections: bool = cls.capture_rejections",
            "    cls.capture_rejections = capture_rejections",
            "    error_monitor: Hashable = cls.error_monitor",
            "    capture_rejection_symbol: str = cls.capture_rejection_symbol",
        ]
        if events:
            members(
                "check_events_module_members", "nodeapi.events.EventsModule", None, events["EventsModule"], "events_under_test"
            )
            members(
                "check_event_emitter_members",
                "nodeapi.events.EventEmitter",
                "events_under_test.EventEmitter",
                events["EventEmitter"],
            )
    if targets.net:
        imports.append(_import(targets.net, "net_under_test"))
        body += [
            "",
            "",
            "# node:net",
            "net_module: nodeapi.net.NetModule = net_under_test",
            "server: type[nodeapi.net.Server] = net_under_test.Server",
            "server_constructor: nodeapi.net.ServerConstructor = net_under_test.Server",
            "socket: type[nodeapi.net.Socket] = net_under_test.Socket",
            "socket_constructor: nodeapi.net.SocketConstructor = net_under_test.Socket",
            "block_list: type[nodeapi.net.BlockList] = net_under_test.BlockList",
            "block_list_constructor: nodeapi.net.BlockListConstructor = net_under_test.BlockList",
        ]
        if net:
            members("check_net_module_members", "nodeapi.net.NetModule", None, net["NetModule"], "net_under_test")
            for name in ("Server", "Socket", "BlockList"):
                members(f"check_{_snake(name)}_members", f"nodeapi.net.{name}", f"net_under_test.{name}", net[name])
    for field, protocol in (("runtime", "Runtime"), ("implementation", "Implementation")):
        target = getattr(targets, field)
        if target:
            imports.append(_import(target, f"{field}_under_test"))
            body += ["", "", f"{field}: type[conformance.{protocol}] = {field}_under_test"]
            members(f"check_{field}_members", f"conformance.{protocol}", f"{field}_under_test", contract[protocol])
    return "\n".join(lines + imports + body) + "\n"


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _mypy_config(directory: Path) -> Path:
    # The kit's settings, not the caller's: the verdict must not depend on the directory it runs in.
    mypy_path = [_CHECKOUT_STUBS, _CHECKOUT] if (_CHECKOUT_STUBS / "nodeapi" / "__init__.pyi").is_file() else []
    config = directory / "typecheck_mypy.ini"
    config.write_text(
        "[mypy]\n"
        "strict = True\n"
        "warn_unused_ignores = True\n"
        "follow_imports = silent\n"
        + (f"mypy_path = {os.pathsep.join(map(str, mypy_path))}\n" if mypy_path else ""),
        "utf-8",
    )
    return config


def run_mypy(check_file: Path, python_executable: str | None = None) -> tuple[str, str, int]:
    """mypy --strict on ``check_file``: (stdout, stderr, exit status)."""
    from mypy import api  # the test extra; imported here so `--help` works without it

    with tempfile.TemporaryDirectory(prefix="nnc-typecheck-") as scratch:
        args = ["--config-file", str(_mypy_config(Path(scratch))), "--cache-dir", os.devnull, "--no-error-summary"]
        if python_executable:
            args += ["--python-executable", python_executable]
        stdout, stderr, status = api.run([*args, str(check_file)])
    return stdout, stderr, status


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m conformance.typecheck",
        description="Check with mypy --strict that an implementation has the shape of the typed API (stubs/nodeapi).",
    )
    parser.add_argument("--events", metavar="MODULE", help="the node:events module, e.g. mypkg.events")
    parser.add_argument("--net", metavar="MODULE", help="the node:net module, e.g. mypkg.net")
    parser.add_argument("--runtime", metavar="MODULE:CLASS", help="a class of conformance.Runtime's shape")
    parser.add_argument("--implementation", metavar="MODULE:CLASS", help="a class of conformance.Implementation's shape")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the check file here and keep it")
    parser.add_argument("--python-executable", metavar="PYTHON", help="the Python environment to find packages in")
    args = parser.parse_args(argv)
    try:
        targets = CheckTargets(args.events, args.net, args.runtime, args.implementation)
    except ValueError as exc:
        parser.error(str(exc))
    source = generate_check_file(targets)
    with tempfile.TemporaryDirectory(prefix="nnc-typecheck-") as scratch:
        check_file = args.output or Path(scratch) / "typecheck_implementation.py"
        check_file.write_text(source, "utf-8")
        stdout, stderr, status = run_mypy(check_file, args.python_executable)
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    if status == 0:
        print(f"{described(targets)}: the shape of the typed API (mypy --strict, stubs/nodeapi)")
    elif args.output is None:
        # The file is gone: show it, so the line numbers in mypy's messages mean something.
        print(f"\n{check_file.name}:", file=sys.stderr)
        for number, line in enumerate(source.splitlines(), 1):
            print(f"{number:4} {line}", file=sys.stderr)
    return status


def described(targets: CheckTargets) -> str:
    return ", ".join(v for v in targets.__dict__.values() if v is not None)


if __name__ == "__main__":
    raise SystemExit(main())
