"""The typed API (stubs/nodeapi): its typing cases, the reference against it, the typecheck
command on toy implementations, and its packaging as the stub-only package nodeapi-stubs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

from conformance import typecheck

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "typing"

mypy_api = pytest.importorskip("mypy.api", reason="mypy is in the test extra: pip install -e '.[test]'")


def run_typecheck(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = typecheck.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out + captured.err


# -- the typing cases -------------------------------------------------------------------------


@pytest.mark.timeout(300)
def test_the_typing_cases_hold() -> None:
    # assert_type lines pin the API; `# type: ignore[code]` lines must be errors, or
    # warn_unused_ignores reports the ignore itself (typeshed's check_*.py convention).
    stdout, stderr, status = mypy_api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", os.devnull, "--strict", str(CASES)]
    )
    assert status == 0, stdout + stderr


def test_the_typing_cases_expect_errors_as_well_as_types() -> None:
    # A case file of only assert_type lines would not notice a stub that accepts everything.
    for case in sorted(CASES.glob("check_*.py")):
        text = case.read_text("utf-8")
        assert "assert_type(" in text, case.name
        assert "# type: ignore[" in text, case.name
        assert text.startswith('# mypy: enable-error-code="deprecated"'), f"{case.name}: the listener guard needs it"


# -- the reference has the shape of the API ----------------------------------------------------


@pytest.mark.timeout(300)
def test_the_reference_events_module_has_the_shape_of_the_api(capsys: pytest.CaptureFixture[str]) -> None:
    status, output = run_typecheck(capsys, "--events", "reference.events")
    assert status == 0, output


@pytest.mark.timeout(300)
def test_the_reference_net_module_has_the_shape_of_the_api(capsys: pytest.CaptureFixture[str]) -> None:
    status, output = run_typecheck(capsys, "--net", "reference.net")
    assert status == 0, output


@pytest.mark.timeout(300)
def test_the_reference_runtime_and_implementation_have_the_contract_s_shape(capsys: pytest.CaptureFixture[str]) -> None:
    status, output = run_typecheck(
        capsys,
        "--runtime",
        "reference._implementation:ReferenceRuntime",
        "--implementation",
        "reference._implementation:ReferenceImplementation",
    )
    assert status == 0, output


# -- the typecheck command on toy implementations ------------------------------------------------

# The smallest node:events of the binding's shape, bodies left out: the command must accept it.
CONFORMING_EVENTS = '''
from __future__ import annotations

from abc import ABCMeta
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Any

from typing_extensions import Self

Listener = Callable[..., object]
error_monitor: Hashable = object()
capture_rejection_symbol = "nodejs_rejection"


class _Statics(ABCMeta):
    default_max_listeners: float = 10
    capture_rejections: bool = False


class EventEmitter(metaclass=_Statics):
    error_monitor = error_monitor
    capture_rejection_symbol = capture_rejection_symbol

    def __init__(self, options: Mapping[str, object] | None = None) -> None: ...
    def add_listener(self, event_name: Hashable, listener: Listener) -> Self: return self
    on = add_listener
    def prepend_listener(self, event_name: Hashable, listener: Listener) -> Self: return self
    def once(self, event_name: Hashable, listener: Listener) -> Self: return self
    def prepend_once_listener(self, event_name: Hashable, listener: Listener) -> Self: return self
    def remove_listener(self, event_name: Hashable, listener: Listener) -> Self: return self
    off = remove_listener
    def remove_all_listeners(self, event_name: Hashable | None = None) -> Self: return self
    def emit(self, event_name: Hashable, *args: object) -> bool: return False
    def event_names(self) -> list[Hashable]: return []
    def listener_count(self, event_name: Hashable, listener: Listener | None = None) -> int: return 0
    def listeners(self, event_name: Hashable) -> list[Listener]: return []
    def raw_listeners(self, event_name: Hashable) -> list[Listener]: return []
    def get_max_listeners(self) -> float: return 10
    def set_max_listeners(self, n: float) -> Self: return self


class MaxListenersExceededWarning(Warning): ...


def once(emitter: object, name: Hashable) -> Awaitable[list[Any]]: raise NotImplementedError
def set_max_listeners(n: float, *targets: object) -> None: ...
def get_max_listeners(emitter: object) -> float: return 10
def listener_count(emitter: object, name: Hashable) -> int: return 0
'''

# The same with the mistakes a port makes: a constructor of its own, on() returning None,
# camelCase names, and a module without set_max_listeners.
WRONG_EVENTS = (
    CONFORMING_EVENTS.replace(
        "def __init__(self, options: Mapping[str, object] | None = None) -> None: ...",
        "def __init__(self, capture_rejections: bool) -> None: ...",
    )
    .replace("    on = add_listener\n", "    def on(self, event_name: str, listener: Listener) -> None: ...\n")
    .replace("def listener_count(self,", "def listenerCount(self,")
    .replace("def set_max_listeners(n: float, *targets: object) -> None: ...\n", "")
)


def write_toy(directory: Path, events_source: str) -> None:
    package = directory / "toy"
    package.mkdir()
    (package / "__init__.py").write_text("", "utf-8")
    (package / "events.py").write_text(textwrap.dedent(events_source), "utf-8")


@pytest.mark.timeout(300)
def test_typecheck_accepts_a_conforming_toy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_toy(tmp_path, CONFORMING_EVENTS)
    status, output = run_typecheck(capsys, "--events", "toy.events", "--output", str(tmp_path / "check_toy.py"))
    assert status == 0, output


@pytest.mark.timeout(300)
def test_typecheck_rejects_a_wrong_toy_naming_each_difference(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_toy(tmp_path, WRONG_EVENTS)
    check_file = tmp_path / "check_toy.py"
    status, output = run_typecheck(capsys, "--events", "toy.events", "--output", str(check_file))
    assert status == 1, output
    lines = check_file.read_text("utf-8").splitlines()

    def error_lines(code: str) -> set[str]:
        # The check-file lines mypy reports with this error code.
        pattern = re.compile(rf"check_toy\.py:(\d+): error: .*\[{code}\]$")
        return {lines[int(m[1]) - 1].strip() for m in map(pattern.search, output.splitlines()) if m}

    assigned = error_lines("assignment")
    missing = error_lines("attr-defined")
    assert "event_emitter_constructor: nodeapi.events.EventEmitterConstructor = events_under_test.EventEmitter" in assigned
    assert "m_on = under_test.on" in assigned
    assert "m_listener_count = under_test.listener_count" in missing
    assert "m_set_max_listeners = events_under_test.set_max_listeners" in missing
    # What conforms is not reported.
    assert "m_emit = under_test.emit" not in assigned | missing


def test_typecheck_validates_its_targets(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        typecheck.main(["--events", "toy.events; import os"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        typecheck.main([])
    assert exit_info.value.code == 2
    assert "nothing to check" in capsys.readouterr().err


def test_typecheck_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "conformance.typecheck", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "--events" in result.stdout and "--net" in result.stdout


# -- packaging: the stubs install as nodeapi-stubs (PEP 561) -------------------------------------


def test_every_package_is_listed() -> None:
    # pyproject lists its packages (a find directive cannot name nodeapi-stubs): every directory
    # of conformance/ or reference/ with Python files must be in the list, and only those.
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    # The committed files when there is a checkout (work in progress is listed once committed),
    # else whatever is on disk.
    tracked = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "--", "conformance", "reference"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if tracked.returncode == 0:
        files = [ROOT / line for line in tracked.stdout.splitlines()]
    else:
        files = [path for top in ("conformance", "reference") for path in (ROOT / top).rglob("*")]
    packages = {".".join(path.parent.relative_to(ROOT).parts) for path in files if path.suffix == ".py"}
    assert packages - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert config["package-dir"] == {"nodeapi-stubs": "stubs/nodeapi"}
    for name in listed - {"nodeapi-stubs"}:
        assert (ROOT / name.replace(".", "/")).is_dir(), f"{name} is listed but not in the tree"


@pytest.mark.timeout(600)
def test_a_non_editable_install_lets_mypy_find_the_stubs(tmp_path: Path) -> None:
    # Build the wheel, install it into a fresh environment, and type-check against it from a
    # directory that has no stubs/ and no mypy_path: mypy must find the nodeapi-stubs package.
    # From a copy: building in the checkout would leave build/ there, whose stale files a later
    # build would pick up.
    source = tmp_path / "source"
    skipped = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "node_modules")
    shutil.copytree(ROOT, source, ignore=skipped)
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        # With build isolation: pyproject needs setuptools>=68 (older ones reject the name nodeapi-stubs).
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = wheels.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"nodeapi-stubs/py.typed", "nodeapi-stubs/__init__.pyi", "nodeapi-stubs/net.pyi"} <= names
    environment = tmp_path / "env"
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    zipfile.ZipFile(wheel).extractall(purelib)  # what pip does with a pure-Python wheel
    user = tmp_path / "user"
    user.mkdir()
    (user / "uses_the_stubs.py").write_text(
        textwrap.dedent(
            """
            from typing_extensions import assert_type
            from nodeapi.net import NetModule, Server

            def main(net: NetModule) -> None:
                assert_type(net.create_server().listen(0), Server)
                net.create_server({"allowHalfOpen": True})  # type: ignore[call-overload]
            """
        ),
        "utf-8",
    )
    cwd = os.getcwd()
    os.chdir(user)  # no pyproject here: nothing points mypy at the checkout's stubs/
    try:
        stdout, stderr, status = mypy_api.run(
            ["--strict", "--warn-unused-ignores", "--no-incremental", "--python-executable", str(python), "uses_the_stubs.py"]
        )
    finally:
        os.chdir(cwd)
    assert status == 0, stdout + stderr
