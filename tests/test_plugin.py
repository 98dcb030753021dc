"""The kit's pytest plugin, tested with pytester against toy implementations.

Each test writes a small suite (conformance_suite points the plugin at it) and
a toy implementation loaded with --impl=module:attr, then runs pytest on them
and checks outcomes, messages and the report.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

# A minimal implementation of the contract. `FEATURES`, `NODE_VERSION` and
# `EXPECTED` are module globals a test may rewrite before running.
TOY_IMPL = '''
from __future__ import annotations
import os
from pathlib import Path

FEATURES = frozenset({"net"})
NODE_VERSION = "24.21.0"
EXPECTED = None
LEAK = []


class ToyRuntime:
    events = None
    net = None
    pid = os.getpid()

    def set_timeout(self, callback, ms=0, *args): raise NotImplementedError
    def clear_timeout(self, timeout): pass
    def set_immediate(self, callback, *args): raise NotImplementedError
    def clear_immediate(self, immediate): pass
    def next_tick(self, callback, *args): raise NotImplementedError
    def abort_controller(self): raise NotImplementedError
    def run(self, main, timeout=10.0): main()
    def inherit_fd(self, sock): return os.dup(sock.fileno())
    def close(self): return list(LEAK)


class Toy:
    def __init__(self, name="toy"):
        self.name = name
    version = "1.2.3"
    @property
    def node_version(self): return NODE_VERSION
    @property
    def features(self): return FEATURES
    @property
    def expected_failures(self):
        return Path(EXPECTED) if EXPECTED else None
    def describe(self): return "a toy for the plugin's tests"
    def start(self): return ToyRuntime()


toy = Toy
other = lambda: Toy("other")
'''


@pytest.fixture
def kit(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(toyimpl=TOY_IMPL)
    (pytester.path / "suite").mkdir()
    (pytester.path / "suite" / "__init__.py").write_text("")
    pytester.makeini(
        """
        [pytest]
        conformance_suite = suite
        pythonpath = .
        addopts = -p no:cacheprovider -p no:randomly
        """
    )
    pytester.syspathinsert()
    return pytester


def write_suite(kit: pytest.Pytester, name: str, body: str) -> None:
    (kit.path / "suite" / name).write_text(textwrap.dedent(body))


PASSING = """
import pytest

@pytest.mark.clause("A1")
def test_one(runtime):
    runtime.run(lambda: None)

@pytest.mark.clause("A5")
def test_two(runtime):
    assert runtime.events is None
"""


def test_runs_each_test_once_per_implementation_with_its_name_in_the_id(kit: pytest.Pytester) -> None:
    write_suite(kit, "test_a.py", PASSING)
    result = kit.runpytest("--impl=toyimpl:toy", "--impl=toyimpl:other", "-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*test_one?toy? PASSED*", "*test_one?other? PASSED*"])


def test_an_unknown_implementation_is_a_usage_error_listing_the_installed_ones(kit: pytest.Pytester) -> None:
    write_suite(kit, "test_a.py", PASSING)
    result = kit.runpytest("--impl=no-such-impl")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown implementation 'no-such-impl'; installed: *reference*"])


def test_a_module_attr_that_is_not_an_implementation_is_rejected(kit: pytest.Pytester) -> None:
    kit.makepyfile(notimpl="thing = object()")
    result = kit.runpytest("--impl=notimpl:thing")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*does not provide an Implementation (missing: name, version*"])


def test_the_header_names_implementation_version_kit_and_baseline(kit: pytest.Pytester) -> None:
    write_suite(kit, "test_a.py", PASSING)
    result = kit.runpytest("--impl=toyimpl:toy")
    result.stdout.fnmatch_lines(
        [
            "node-net-conformance 0.1.0, spec baseline Node 24 LTS*",
            "implementation toy 1.2.3: follows Node 24.21.0; a toy for the plugin's tests; features: net",
        ]
    )


def test_without_impl_the_suite_grades_the_reference(kit: pytest.Pytester) -> None:
    write_suite(kit, "test_a.py", PASSING.replace("assert runtime.events is None", "assert runtime.events"))
    result = kit.runpytest("-v", "suite")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*test_one?reference? PASSED*", "*no --impl given, graded reference*"])


def test_a_missing_feature_is_a_skip_that_names_it_never_a_failure(kit: pytest.Pytester) -> None:
    write_suite(
        kit,
        "test_a.py",
        """
        import pytest

        @pytest.mark.clause("N185")
        @pytest.mark.requires("net-ipc-abstract")
        def test_abstract(runtime):
            raise AssertionError("must not run")
        """,
    )
    result = kit.runpytest("--impl=toyimpl:toy", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*unsupported: toy does not support 'net-ipc-abstract'*"])


def test_an_unknown_feature_name_is_a_collection_error(kit: pytest.Pytester) -> None:
    write_suite(
        kit,
        "test_a.py",
        """
        import pytest

        @pytest.mark.clause("A1")
        @pytest.mark.requires("net-teleport")
        def test_x(runtime):
            pass
        """,
    )
    result = kit.runpytest("--impl=toyimpl:toy")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown feature 'net-teleport'*"])


def test_an_implementation_declaring_an_unknown_feature_is_rejected(kit: pytest.Pytester) -> None:
    kit.makepyfile(badimpl=TOY_IMPL.replace('FEATURES = frozenset({"net"})', 'FEATURES = frozenset({"warp"})'))
    write_suite(kit, "test_a.py", PASSING)
    result = kit.runpytest("--impl=badimpl:toy")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*declares unknown features ?'warp'?*"])


def test_clauses_are_required_and_must_be_known(kit: pytest.Pytester) -> None:
    write_suite(
        kit,
        "test_a.py",
        """
        import pytest

        def test_uncited(runtime):
            pass

        @pytest.mark.clause("Z999")
        def test_unknown(runtime):
            pass
        """,
    )
    result = kit.runpytest("--impl=toyimpl:toy")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*test_uncited*must cite a clause*", "*test_unknown*unknown clause 'Z999'*"], consecutive=False
    )


def test_version_gates_skip_behaviour_of_other_node_releases(kit: pytest.Pytester) -> None:
    write_suite(
        kit,
        "test_a.py",
        """
        import pytest

        @pytest.mark.clause("I134")
        @pytest.mark.node_version("<21")
        def test_old(runtime):
            raise AssertionError("must not run on 24")

        @pytest.mark.clause("I134")
        @pytest.mark.node_version(">=21")
        def test_new(runtime):
            pass
        """,
    )
    result = kit.runpytest("--impl=toyimpl:toy", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*not applicable: pins Node <21 behaviour; toy follows Node 24.21.0*"])


FAILING = """
import pytest

@pytest.mark.clause("G119")
def test_fails(runtime):
    raise AssertionError("diverges")

@pytest.mark.clause("G119")
def test_passes(runtime):
    pass
"""


def expectations(kit: pytest.Pytester, body: str) -> None:
    path = kit.path / "expected.toml"
    path.write_text(textwrap.dedent(body))
    impl = (kit.path / "toyimpl.py").read_text().replace("EXPECTED = None", f"EXPECTED = {str(path)!r}")
    (kit.path / "toyimpl.py").write_text(impl)


def test_an_expected_failure_is_reported_as_such(kit: pytest.Pytester) -> None:
    write_suite(kit, "test_a.py", FAILING)
    expectations(
        kit,
        """
        [[xfail]]
        test = "test_a.py::test_fails"
        reason = "G119: emits 'close' once"
        """,
    )
    result = kit.runpytest("--impl=toyimpl:toy")
    result.assert_outcomes(passed=1, xfailed=1)


def test_an_unexpected_pass_fails_the_run(kit: pytest.Pytester) -> None:
    write_suite(kit, "test_a.py", FAILING)
    expectations(
        kit,
        """
        [[xfail]]
        test = "test_a.py::test_fails"
        reason = "G119: diverges"

        [[xfail]]
        test = "test_a.py::test_passes"
        reason = "G119: thought to diverge"
        """,
    )
    result = kit.runpytest("--impl=toyimpl:toy")
    result.assert_outcomes(failed=1, xfailed=1)
    result.stdout.fnmatch_lines(["*XPASS(strict)*G119: thought to diverge*"])


def test_a_stale_expected_failure_is_an_error(kit: pytest.Pytester) -> None:
    write_suite(kit, "test_a.py", FAILING)
    expectations(
        kit,
        """
        [[xfail]]
        test = "test_a.py::test_fails"
        reason = "G119: diverges"

        [[xfail]]
        test = "test_a.py::test_renamed_long_ago"
        reason = "G119: gone"
        """,
    )
    result = kit.runpytest("--impl=toyimpl:toy")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'test_a.py::test_renamed_long_ago' matches no test (stale entry)*"])


def test_a_deselected_expected_failure_is_not_stale(kit: pytest.Pytester) -> None:
    write_suite(kit, "test_a.py", FAILING)
    expectations(
        kit,
        """
        [[xfail]]
        test = "test_a.py::test_fails"
        reason = "G119: diverges"
        """,
    )
    result = kit.runpytest("--impl=toyimpl:toy", "-k", "passes")
    result.assert_outcomes(passed=1)


def test_an_expected_failure_must_name_a_clause_the_test_cites(kit: pytest.Pytester) -> None:
    write_suite(kit, "test_a.py", FAILING)
    expectations(
        kit,
        """
        [[xfail]]
        test = "test_a.py::test_fails"
        reason = "it is broken"
        """,
    )
    result = kit.runpytest("--impl=toyimpl:toy")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*the reason must name a clause the test cites ?'G119'?*"])


def test_report_all_ignores_expected_failures(kit: pytest.Pytester) -> None:
    write_suite(kit, "test_a.py", FAILING)
    expectations(
        kit,
        """
        [[xfail]]
        test = "test_a.py::test_fails"
        reason = "G119: diverges"
        """,
    )
    result = kit.runpytest("--impl=toyimpl:toy", "--report-all")
    result.assert_outcomes(passed=1, failed=1)


def test_a_socket_left_open_by_a_passing_test_is_an_error(kit: pytest.Pytester) -> None:
    write_suite(
        kit,
        "test_a.py",
        """
        import socket
        import pytest

        KEEP = []

        @pytest.mark.clause("G113")
        def test_leaks(runtime):
            KEEP.append(socket.socket())
        """,
    )
    result = kit.runpytest("--impl=toyimpl:toy")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*resource leak after a passing test: socket descriptors left open in pid*"])


def test_live_handles_at_the_end_of_a_passing_test_are_an_error(kit: pytest.Pytester) -> None:
    kit.makepyfile(leakyimpl=TOY_IMPL.replace("LEAK = []", 'LEAK = ["Server(listening on 127.0.0.1:1234)"]'))
    write_suite(kit, "test_a.py", PASSING)
    result = kit.runpytest("--impl=leakyimpl:toy")
    result.assert_outcomes(passed=2, errors=2)
    result.stdout.fnmatch_lines(["*handles still alive at the end of the test: Server(listening on 127.0.0.1:1234)*"])


def test_the_json_report_and_matrix(kit: pytest.Pytester) -> None:
    write_suite(kit, "test_a.py", FAILING)
    expectations(
        kit,
        """
        [[xfail]]
        test = "test_a.py::test_fails"
        reason = "G119: diverges"
        """,
    )
    report = kit.path / "report.json"
    kit.runpytest("--impl=toyimpl:toy", f"--conformance-report={report}").assert_outcomes(passed=1, xfailed=1)
    data = json.loads(report.read_text())
    assert data["schema"] == "node-net-conformance/report/1"
    assert data["kit"]["version"] == "0.1.0"
    assert data["implementations"][0]["name"] == "toy"
    assert data["platform"]["system"]
    by_test = {test["test"]: test for test in data["tests"]}
    assert by_test["test_a.py::test_fails"]["outcome"] == "expected-fail"
    assert by_test["test_a.py::test_fails"]["expected"] == "fail"
    assert by_test["test_a.py::test_fails"]["clauses"] == ["G119"]
    assert "diverges" in by_test["test_a.py::test_fails"]["error"]
    assert by_test["test_a.py::test_passes"]["outcome"] == "pass"

    from conformance.matrix import main

    output = kit.path / "MATRIX.md"
    assert main([str(report), "-o", str(output)]) == 0
    matrix = output.read_text()
    assert "| toy | 1.2.3 | 24.21.0 | 0/1 (0%) | 1 | 0 | 0 |" in matrix
    assert "| G119 |" in matrix and "⚠️ xfail" in matrix
    assert "`test_a.py::test_fails` · expected-fail: G119: diverges" in matrix


def test_the_report_is_written_under_xdist(kit: pytest.Pytester) -> None:
    write_suite(kit, "test_a.py", PASSING)
    report = kit.path / "report.json"
    result = kit.runpytest("--impl=toyimpl:toy", "-n", "2", f"--conformance-report={report}")
    result.assert_outcomes(passed=2)
    data = json.loads(report.read_text())
    assert sorted(test["outcome"] for test in data["tests"]) == ["pass", "pass"]


def test_every_suite_test_is_bounded_in_time(kit: pytest.Pytester) -> None:
    write_suite(
        kit,
        "test_a.py",
        """
        import pytest

        @pytest.mark.clause("A1")
        def test_t(runtime, request):
            assert request.node.get_closest_marker("timeout") is not None
        """,
    )
    kit.runpytest("--impl=toyimpl:toy").assert_outcomes(passed=1)


def test_the_installed_suite_is_collected_from_any_directory(pytester: pytest.Pytester) -> None:
    # No ini, no suite here: --impl alone collects the installed package's suite.
    result = pytester.runpytest("--impl=reference", "--co", "-q", "-p", "no:randomly")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-2000:]
    collected = [line for line in result.stdout.lines if "::" in line]
    assert collected and all(line.startswith(("test_", "conformance")) or "suite" in line for line in collected)
    assert Path(str(pytester.path)).exists()


def test_expected_failures_are_regenerated_from_a_report(kit: pytest.Pytester) -> None:
    write_suite(kit, "test_a.py", FAILING)
    report = kit.path / "report.json"
    kit.runpytest("--impl=toyimpl:toy", "--report-all", f"--conformance-report={report}")

    from conformance import load_expected_failures
    from conformance.expectations import main

    output = kit.path / "expected.toml"
    assert main([str(report), "--impl", "toy", "-o", str(output)]) == 0
    entries = load_expected_failures(output)
    assert list(entries) == ["test_a.py::test_fails"]
    assert entries["test_a.py::test_fails"].reason == "G119: expected fails; got AssertionError: diverges"
    # With the file in place the run is green, and strict.
    expectations(kit, output.read_text())
    kit.runpytest("--impl=toyimpl:toy").assert_outcomes(passed=1, xfailed=1)


WILDCARD = """
import socket
import pytest

@pytest.mark.clause("D80")
def test_unmarked(runtime):
    with socket.socket(socket.AF_INET6) as sock:
        sock.bind(("::", 0))

@pytest.mark.clause("D80")
@pytest.mark.binds_wildcard
def test_marked(runtime):
    with socket.socket(socket.AF_INET6) as sock:
        sock.bind(("::", 0))

@pytest.mark.clause("D80")
def test_loopback(runtime):
    with socket.socket(socket.AF_INET6) as sock:
        sock.bind(("::1", 0))
"""


@pytest.fixture
def networked(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine with network interfaces, even inside CI's private namespace."""
    from conformance import _wildcard

    monkeypatch.setattr(_wildcard, "loopback_only", lambda: False)


def test_a_wildcard_bind_needs_the_marker_and_a_safe_place(kit: pytest.Pytester, networked: None) -> None:
    write_suite(kit, "test_a.py", WILDCARD)
    result = kit.runpytest("--impl=toyimpl:toy", "-rs")
    result.assert_outcomes(passed=1, failed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*PermissionError: *test_unmarked* binds the wildcard address '::'*binds_wildcard*",
            "*binds the wildcard address as its clause requires*private network namespace*",
        ],
        consecutive=False,
    )
    kit.runpytest("--impl=toyimpl:toy", "--allow-wildcard-bind").assert_outcomes(passed=2, failed=1)


def test_an_expected_failure_of_a_test_skipped_here_for_a_wildcard_bind_is_not_stale(
    kit: pytest.Pytester, networked: None
) -> None:
    write_suite(kit, "test_a.py", WILDCARD)
    expectations(
        kit,
        """
        [[xfail]]
        test = "test_a.py::test_marked"
        reason = "D80: binds somewhere else"
        """,
    )
    kit.runpytest("--impl=toyimpl:toy", "-k", "marked and not unmarked").assert_outcomes(skipped=1)
    # Where the test runs, the same entry applies (and is strict: it passes here).
    result = kit.runpytest("--impl=toyimpl:toy", "-k", "marked and not unmarked", "--allow-wildcard-bind")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*XPASS(strict)*D80: binds somewhere else*"])
