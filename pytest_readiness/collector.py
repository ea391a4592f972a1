"""The controller-only collector: test reports in, one verdict per checklist item out.

Modelled on pytest's junitxml: registered only on the controller, kept in ``config.stash``, fed by
``pytest_runtest_logreport`` (from every xdist worker), written in ``pytest_sessionfinish``.  It
reads nothing from items: IDs, failure kinds and evidence arrive in ``report.user_properties``.
"""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness import __version__, applicability, interrupt, redact, verdicts, wire
from pytest_readiness.catalog import Catalog
from pytest_readiness.environment import Environment
from pytest_readiness.reporters import json_report, terminal
from pytest_readiness.results import SCHEMA_VERSION, RunResult
from pytest_readiness.status import Outcome, Status, Verdict
from pytest_readiness.verdicts import TestState

#: Exit statuses of a completed readiness run (GO, NO-GO, INCOMPLETE).
READY, NOT_READY, UNDECIDED = (v.exit_status for v in (Verdict.GO, Verdict.NO_GO, Verdict.INCOMPLETE))


class Collector:
    def __init__(self, config: pytest.Config, catalog: Catalog, env: Environment, out_dir: Path) -> None:
        self.config = config
        self.catalog = catalog
        self.env = env
        self.out_dir = out_dir
        self.tests: dict[str, TestState] = {}
        self.collection: dict[str, list[str]] = {}
        self.started_at = datetime.now(UTC)
        self.started = time.monotonic()
        self.result: RunResult | None = None
        self.reports: list[str] = []
        #: xdist's loadgroup appends "@group" to node ids; reports name tests as without xdist.
        self.strip_group = getattr(config.option, "dist", "no") == "loadgroup"

    def _nodeid(self, nodeid: str) -> str:
        if self.strip_group and "@" in nodeid.rsplit("::", 1)[-1]:
            return nodeid.rsplit("@", 1)[0]
        return nodeid

    # -- feeding -----------------------------------------------------------------------------------
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = wire.properties(report)
        if wire.COLLECTION in props:
            self.collection.update({self._nodeid(k): v for k, v in props[wire.COLLECTION].items()})
        nodeid = self._nodeid(report.nodeid)
        test = self.tests.setdefault(nodeid, TestState(nodeid))
        ids = props.get(wire.IDS)
        if ids is not None:
            test.ids = list(ids)
        elif not test.ids:
            test.ids = list(self.collection.get(nodeid, []))
        if props["evidence"]:
            test.evidence = props["evidence"]
        test.duration_s += float(getattr(report, "duration", 0.0) or 0.0)
        outcome, message = _phase_outcome(report, props.get(wire.FAILURE))
        if outcome:
            skipped = props.get(wire.OUTCOME) if outcome == Outcome.SKIPPED else None
            status = Status(skipped["status"]) if skipped else None
            if skipped and skipped.get("reason"):
                message = str(skipped["reason"])  # the outcome's own reason, without the class name
            test.merge(outcome, redact.redact(message), status)
            if skipped and test.status is status:
                test.kind, test.configure = str(skipped["kind"]), list(skipped["configure"])

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Remove the previous run's reports: a stale GO must not survive a run that dies early."""
        for name in report_files():
            (self.out_dir / name).unlink(missing_ok=True)

    @pytest.hookimpl(tryfirst=True)
    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        interrupt.note("SIGINT")

    # -- finishing ---------------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        for nodeid, test in self.tests.items():
            if not test.ids:
                test.ids = list(self.collection.get(nodeid, []))
        result = self.build()
        declared = self.config.stash.get(applicability.DECLARED_KEY, {})
        applicability.apply(result, declared, self.env.section(applicability.SECTION))
        hook = self.config.hook
        hook.pytest_readiness_modify_result(config=self.config, result=result)
        verdicts.derive_groups(result["items"])
        result["summary"] = verdicts.summarize(result["items"])
        # an empty collection (every check declared n/a) is complete: the gate judges what is left
        complete = interrupt.interrupted is None and int(exitstatus) in (
            pytest.ExitCode.OK,
            pytest.ExitCode.TESTS_FAILED,
            pytest.ExitCode.NO_TESTS_COLLECTED,
        )
        if not complete:  # interrupted, collection errors: never a GO
            why = f"interrupted ({interrupt.interrupted})" if interrupt.interrupted else ""
            result["meta"]["incomplete"] = (
                f"the run did not complete ({why or f'pytest exit status {int(exitstatus)}'}):"
                " items it did not reach are manual"
            )
        gate = self.config.stash.get(applicability.GATE_KEY, verdicts.DEFAULT_GATE)
        verdict = verdicts.verdict(result["items"], gate)
        if not complete and verdict is Verdict.GO:
            verdict = Verdict.INCOMPLETE
        configure: dict[str, list[str]] = {}
        for test in sorted(self.tests.values(), key=lambda t: t.nodeid):  # same under xdist
            for item_id in test.ids:
                keys = configure.setdefault(item_id, [])
                keys += [k for k in test.configure if k not in keys]
        result["gate"] = gate
        result["verdict"] = verdict.value
        result["coverage"] = verdicts.coverage(result["items"])
        if verdict is Verdict.INCOMPLETE:
            result["missing"] = verdicts.missing(result["items"], gate, configure)
        result["ready"] = verdict is Verdict.GO
        result["duration_s"] = round(time.monotonic() - self.started, 3)
        self.result = result
        self.reports += [str(path) for path in write_reports(result, self.out_dir, self.catalog)]
        for paths in hook.pytest_readiness_write_reports(
            config=self.config, result=result, out_dir=self.out_dir
        ):
            self.reports += [str(path) for path in paths]
        if complete:
            status = self.exit_status(result)
            override = hook.pytest_readiness_exit_status(config=self.config, result=result, status=status)
            session.exitstatus = override if override is not None else status

    def build(self) -> RunResult:
        tests = list(self.tests.values())
        items = verdicts.item_results(self.catalog, tests)
        unmarked = sum(1 for t in tests if not t.ids)
        return RunResult(
            schema_version=SCHEMA_VERSION,
            environment=self.env.name,
            started_at=self.started_at.isoformat(timespec="seconds"),
            duration_s=0.0,
            ready=False,
            summary={},
            items=items,
            meta={
                "tool": f"pytest-readiness {__version__}",
                "catalog": self.catalog.name,
                "environment_file": self.env.file.name,
                "git_revision": git_revision(self.config.rootpath),
                "tests": len(tests),
                "unmarked_tests": unmarked,
            },
        )

    @staticmethod
    def exit_status(result: RunResult) -> int:
        """0 GO, 1 NO-GO (something failed), 3 INCOMPLETE (items at or above the gate not verified)."""
        if "verdict" in result:
            return Verdict(result["verdict"]).exit_status
        summary = result["summary"]
        if summary.get(Status.FAIL, 0):
            return NOT_READY
        return UNDECIDED if summary.get(Status.ERROR, 0) else READY

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.result is not None:
            terminal.write(terminalreporter, self.result, self.reports)


def _phase_outcome(report: pytest.TestReport, failure: str | None) -> tuple[str, str]:
    """The outcome one phase report contributes: ``(passed|failed|error|skipped, message)``."""
    when = report.when
    if report.skipped:
        if hasattr(report, "wasxfail"):
            return Outcome.SKIPPED, f"expected failure: {report.__dict__.get('wasxfail', '')}"
        return Outcome.SKIPPED, _skip_reason(report)
    if report.passed:
        if when == "call":
            if hasattr(report, "wasxfail"):
                return Outcome.FAILED, f"unexpectedly passed: {report.__dict__.get('wasxfail', '')}"
            return Outcome.PASSED, ""
        return "", ""
    message = _failure_message(report)
    if when == "call" and failure == wire.ASSERTION:
        return Outcome.FAILED, message
    if when == "setup":
        return Outcome.ERROR, f"setup failed: {message}"
    if when == "teardown":
        return Outcome.ERROR, f"teardown failed: {message}"
    if when == "call":
        return Outcome.ERROR, message
    return Outcome.ERROR, message or "the test was lost (worker crashed)"


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return str(longrepr or "skipped")


def _failure_message(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    crash = getattr(longrepr, "reprcrash", None)
    message = str(getattr(crash, "message", "") or "")
    if message:
        text = message
    else:
        lines = [line for line in str(longrepr or "").splitlines() if line.strip()]
        text = next((line for line in reversed(lines) if line.startswith("E ")), lines[-1] if lines else "")
        text = text.removeprefix("E").strip()
    text = " ".join(text.split()).removeprefix("AssertionError: ")
    text = text.replace("pytest_readiness.errors.ProbeError: ", "ProbeError: ")
    return text[:1000]


def git_revision(root: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def report_files() -> tuple[str, ...]:
    """The file names the built-in reporters write (removed at the start of a run)."""
    from pytest_readiness.reporters import html, markdown

    return (json_report.FILENAME, markdown.FILENAME, html.FILENAME)


def write_reports(result: RunResult, out_dir: Path, catalog: Catalog) -> list[Path]:
    """The built-in file reports, readiness.json first (the others are renderings of it)."""
    from pytest_readiness.reporters import html, markdown

    return [
        json_report.write(result, out_dir),
        markdown.write(result, out_dir, catalog),
        html.write(result, out_dir),
    ]
