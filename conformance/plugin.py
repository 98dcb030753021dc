# The pytest plugin (registered through the pytest11 entry point).
#
# It is loaded into every pytest session of an environment that has the kit
# installed, so it stays inert until a test asks for an implementation: only
# then are implementations loaded, and only `--impl` changes what is collected.
#
#   pytest --impl=reference                 the suite, from the installed package
#   pytest --impl=reference --impl=node     each test once per implementation
#   pytest --impl=mypkg.impl:implementation an implementation that is not installed
#   pytest --conformance-report=out.json    a JSON report (python -m conformance.matrix)

from __future__ import annotations

import sys
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from . import _report, _wildcard
from ._clauses import clause_registry
from ._contract import Implementation, Runtime
from ._expectations import ExpectationsError, ExpectedFailure, load_expected_failures
from ._features import feature_registry
from ._items import expectation_key, impl_name, in_suite, suite_dir
from ._leaks import call_passed_key, check_leaks, runtime_key
from ._markers import MARKERS, clauses_of, features_of, version_gates_of
from ._registry import ImplementationError, check_runtime, load_implementation
from ._version import KIT_VERSION, SPEC_BASELINE
from .probes._fds import open_sockets

DEFAULT_IMPLEMENTATION = "reference"
# Every suite test is bounded even when the user sets no timeout: a hung
# implementation fails its test, it never stalls the run.
SUITE_TIMEOUT = 60.0

_loaded_key = pytest.StashKey[dict[str, Implementation]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("node-net-conformance", "node-net-conformance")
    group.addoption(
        "--impl",
        action="append",
        default=[],
        metavar="NAME|module:attr",
        help="implementation to grade; repeat for several. Without it the suite runs the reference.",
    )
    group.addoption(
        "--conformance-report",
        metavar="PATH",
        default=None,
        help="write a JSON report of outcomes per test and clause (merge with python -m conformance.matrix)",
    )
    parser.addini("conformance_suite", "directory of the conformance suite (default: the installed one)", default="")
    group.addoption(
        "--allow-wildcard-bind",
        action="store_true",
        default=False,
        help="run tests that bind the wildcard address even where that exposes a port (see README)",
    )
    group.addoption(
        "--report-all",
        action="store_true",
        default=False,
        help="ignore expected-failure files: run and report every test as it is",
    )


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    config.stash[_loaded_key] = {}
    _wildcard.install()
    config.pluginmanager.import_plugin("conformance.probes.fixtures")
    if config.getoption("impl"):
        _implementations(config)  # fail fast on a bad --impl, before collection
        if config.args_source != pytest.Config.ArgsSource.ARGS:
            # `pytest --impl=X` from any directory runs the installed suite.
            config.args = [str(suite_dir(config))]
    report_path = config.getoption("conformance_report")
    if report_path and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_report.ReportWriter(config, Path(report_path)), "conformance-report")


def _implementations(config: pytest.Config) -> dict[str, Implementation]:
    loaded = config.stash[_loaded_key]
    if not loaded:
        names = config.getoption("impl") or [DEFAULT_IMPLEMENTATION]
        for spec in dict.fromkeys(names):
            try:
                impl = load_implementation(spec)
            except ImplementationError as exc:
                raise pytest.UsageError(str(exc)) from exc
            if impl.name in loaded:
                raise pytest.UsageError(f"--impl={spec} loads {impl.name!r} a second time")
            loaded[impl.name] = impl
    return loaded


def pytest_report_header(config: pytest.Config) -> list[str]:
    if not config.getoption("impl"):
        return []
    lines = [f"node-net-conformance {KIT_VERSION}, spec baseline {SPEC_BASELINE}"]
    for impl in _implementations(config).values():
        features = ", ".join(sorted(impl.features)) or "none"
        lines.append(
            f"implementation {impl.name} {impl.version}: follows Node {impl.node_version}; "
            f"{impl.describe()}; features: {features}"
        )
    return lines


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "implementation" in metafunc.fixturenames:
        names = list(_implementations(metafunc.config))
        metafunc.parametrize("implementation", names, ids=names, indirect=True)


@pytest.fixture
def implementation(request: pytest.FixtureRequest) -> Implementation:
    return _implementations(request.config)[request.param]


@pytest.fixture
def runtime(implementation: Implementation, request: pytest.FixtureRequest) -> Runtime:
    """A fresh Node process of the implementation under test.

    After the test (and every other fixture) has finished, the kit checks from
    outside that the runtime holds no socket it did not hold at the start, then
    closes it and checks that nothing was still alive.
    """
    rt = check_runtime(implementation.start(), implementation.name)
    request.node.stash[runtime_key] = (rt, open_sockets(rt.pid))
    return rt


@pytest.fixture
def events(runtime: Runtime) -> object:
    """``runtime.events``."""
    return runtime.events


@pytest.fixture
def net(runtime: Runtime) -> object:
    """``runtime.net``; tests that use it carry ``requires("net")``."""
    if runtime.net is None:
        pytest.fail("the runtime has no net module but declares the 'net' feature")
    return runtime.net


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[call_passed_key] = report.passed
    _report.annotate(item, report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    # Arm the wildcard-bind guard for suite tests (see _wildcard).
    if in_suite(item):
        _wildcard.guard.item = item
        _wildcard.guard.allowed = item.get_closest_marker(_wildcard.WILDCARD_MARKER) is not None
    try:
        yield
    finally:
        _wildcard.guard.item = None
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    yield  # every fixture finalizer (probe clients included) runs first
    check_leaks(item)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    # tryfirst: see every item before -k/-m deselect some, so an expected
    # failure of a deselected test is not mistaken for a stale entry.
    suite_items = [item for item in items if in_suite(item)]
    if not suite_items:
        return
    loaded = _implementations(config)
    clauses = clause_registry()
    features = feature_registry()
    expected = {} if config.getoption("report_all") else _expected_failures(loaded)
    matched: dict[str, set[str]] = {name: set() for name in expected}
    collected_modules: set[str] = set()
    errors: list[str] = []

    for item in suite_items:
        key = expectation_key(item)
        collected_modules.add(key.split("::", 1)[0])
        cited = clauses_of(item)
        if not cited:
            errors.append(f"{item.nodeid}: a conformance test must cite a clause (@pytest.mark.clause)")
        errors.extend(f"{item.nodeid}: unknown clause {cid!r}" for cid in cited if cid not in clauses)
        needed = features_of(item)
        errors.extend(f"{item.nodeid}: unknown feature {name!r}" for name in needed if name not in features)
        graded = impl_name(item)
        if graded is None:
            continue
        impl = loaded[graded]
        missing = [name for name in needed if name in features and name not in impl.features]
        if missing:
            item.add_marker(pytest.mark.skip(reason=_report.unsupported_reason(impl.name, missing)))
            continue
        try:
            gates = list(version_gates_of(item))
        except ValueError as exc:
            errors.append(f"{item.nodeid}: {exc}")
            continue
        closed = [gate.spec for gate in gates if not gate.admits(impl.node_version)]
        if closed:
            item.add_marker(
                pytest.mark.skip(reason=_report.version_reason(impl.name, impl.node_version, closed))
            )
            continue
        entry = expected.get(impl.name, {}).get(key)
        if entry is not None:
            # Matched even if this machine skips the test below: one file
            # serves the loopback-only namespace, where it runs, and the rest.
            matched[impl.name].add(key)
            if not any(cid in entry.reason for cid in cited):
                errors.append(
                    f"{impl.name} expected failure {key}: the reason must name a clause the test cites {cited}"
                )
        if item.get_closest_marker(_wildcard.WILDCARD_MARKER) is not None:
            reason = _wildcard.skip_reason(config)
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=reason))
                continue
        if entry is not None:
            item.add_marker(pytest.mark.xfail(reason=entry.reason, strict=True))
        if SUITE_TIMEOUT and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(SUITE_TIMEOUT))

    for graded_name, entries in expected.items():
        for key, entry in entries.items():
            if key in matched[graded_name]:
                continue
            if entry.module in collected_modules or not (suite_dir(config) / entry.module).exists():
                errors.append(f"{graded_name} expected failure {key!r} matches no test (stale entry)")
    if errors:
        raise pytest.UsageError("conformance suite collection:\n  " + "\n  ".join(errors))


def _expected_failures(loaded: dict[str, Implementation]) -> dict[str, dict[str, ExpectedFailure]]:
    result = {}
    for name, impl in loaded.items():
        path = impl.expected_failures
        if path is None:
            continue
        try:
            result[name] = load_expected_failures(Path(path))
        except ExpectationsError as exc:
            raise pytest.UsageError(f"implementation {name!r}: {exc}") from exc
    return result


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    loaded = config.stash.get(_loaded_key, {})
    if loaded and not config.getoption("impl"):
        terminalreporter.write_line(
            f"node-net-conformance: no --impl given, graded {', '.join(loaded)}", yellow=True
        )
    if sys.platform != "linux":
        terminalreporter.write_line("node-net-conformance: descriptor leak checks need Linux /proc; not run")
