"""Honest GO end to end: the gate, INCOMPLETE, [applicability], unverified outcomes, coverage.

A small project catalog keeps each run fast; the empty-environment run uses the real suites.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from tests.support.core import ReadinessRun, item, status
from tests.support.readiness import REPO, run_readiness

CATALOG = """
[catalog]
name = "Small"
[[items]]
id = "DATA-BACKUP"
section = "Data"
title = "Backups run"
severity = "critical"
kind = "automated"
remediation = "schedule backups"
[[items]]
id = "CACHE-EVICTION"
section = "Cache"
title = "Eviction policy"
severity = "high"
kind = "automated"
[[items]]
id = "CACHE-TUNING"
section = "Cache"
title = "Tuned"
severity = "low"
kind = "automated"
[[items]]
id = "SIGNOFF-OPS"
section = "Sign-off"
title = "Operations sign-off"
severity = "critical"
kind = "attestation"
"""

CHECKS = """
import pytest
from pytest_readiness.fixtures import configured

@pytest.mark.checklist("DATA-BACKUP")
def test_backup(readiness_env, evidence):
    configured(readiness_env, "postgres", "dsn")
    evidence.record("backup", "daily", "daily", True)

@pytest.mark.checklist("CACHE-EVICTION")
def test_eviction(readiness_env, evidence):
    open("probed-cache", "w").close()
    configured(readiness_env, "redis", "url")
    evidence.record("eviction", {"policy": "allkeys-lru", "rls": False}, "allkeys-lru", True)

@pytest.mark.checklist("CACHE-TUNING")
def test_tuning(readiness_env):
    configured(readiness_env, "redis", "url")
"""

FULL = '[settings]\ntimeout_s = 2\n[postgres]\ndsn = "postgresql://x"\n[redis]\nurl = "redis://x"\n'


def _attestations(readiness: ReadinessRun, expires: dt.date) -> None:
    day = dt.date.today() - dt.timedelta(days=1)
    readiness.pytester.path.joinpath("attestations.toml").write_text(
        f'[[attestation]]\nid = "SIGNOFF-OPS"\nby = "ops@example.com"\ndate = {day}\n'
        f'evidence_url = "https://tickets.example.com/OPS-1"\nexpires = {expires}\n'
    )


@pytest.fixture
def small(readiness: ReadinessRun) -> ReadinessRun:
    readiness.pytester.path.joinpath("small.toml").write_text(CATALOG)
    readiness.pytester.makeini("[pytest]\nreadiness_catalog = small.toml\n")
    readiness.pytester.makepyfile(test_checks=CHECKS)
    return readiness


def test_every_check_passes_but_signoff_unattested_is_incomplete(small: ReadinessRun) -> None:
    small.env(text=FULL)
    result, report = small.run("--env", "dev")
    assert report is not None and result.ret == 3
    assert report["verdict"] == "INCOMPLETE" and report["ready"] is False
    assert status(report, "SIGNOFF-OPS") == "manual"
    assert report["missing"] == {"Sign-off": {"items": ["SIGNOFF-OPS"], "configure": []}}
    assert report["coverage"]["by_severity"]["critical"] == {
        "verified": 1, "attested": 0, "not_applicable": 0, "unverified": 0, "manual": 1, "total": 2,
    }  # fmt: skip
    result.stdout.fnmatch_lines(
        ["*Sign-off: SIGNOFF-OPS*", "coverage: 3 verified, 1 manual of 4*", "*INCOMPLETE*"]
    )


def test_same_with_attestation_is_go_and_expired_is_not(small: ReadinessRun) -> None:
    small.env(text=FULL)
    _attestations(small, dt.date.today() + dt.timedelta(days=30))
    result, report = small.run("--env", "dev")
    assert report is not None and result.ret == 0, result.stdout.str()
    assert report["verdict"] == "GO" and report["ready"] is True
    assert status(report, "SIGNOFF-OPS") == "attested"
    assert report["coverage"]["overall"]["attested"] == 1
    result.stdout.fnmatch_lines(["*GO (gate: high)*"])
    _attestations(small, dt.date.today() - dt.timedelta(days=1))
    result, report = small.run("--env", "dev")
    assert report is not None and result.ret == 3 and status(report, "SIGNOFF-OPS") == "manual"


def test_left_out_section_is_unverified_and_blocks_at_or_above_the_gate(small: ReadinessRun) -> None:
    _attestations(small, dt.date.today() + dt.timedelta(days=30))
    small.env(text='[settings]\ntimeout_s = 2\n[postgres]\ndsn = "postgresql://x"\n')
    result, report = small.run("--env", "dev")
    assert report is not None and result.ret == 3
    assert status(report, "CACHE-EVICTION") == "unverified"
    assert item(report, "CACHE-EVICTION")["unverified_kind"] == "not_configured"
    assert item(report, "CACHE-EVICTION")["reason"] == "not configured: [redis] url in dev.toml"
    assert report["missing"] == {"Cache": {"items": ["CACHE-EVICTION"], "configure": ["[redis] url"]}}
    assert "Cache: CACHE-EVICTION (configure [redis] url)" in result.stdout.str()
    # below the gate, the same unverified item does not block
    small.env(text='[settings]\ntimeout_s = 2\ngate = "critical"\n[postgres]\ndsn = "postgresql://x"\n')
    result, report = small.run("--env", "dev")
    assert report is not None and result.ret == 0 and report["gate"] == "critical"
    assert status(report, "CACHE-EVICTION") == "unverified"


def test_declared_not_applicable_does_not_block_and_never_probes(small: ReadinessRun) -> None:
    _attestations(small, dt.date.today() + dt.timedelta(days=30))
    small.env(
        text='[settings]\ntimeout_s = 2\n[postgres]\ndsn = "postgresql://x"\n'
        '[applicability]\n"CACHE-*" = "no cache in this deployment"\n'
    )
    result, report = small.run("--env", "dev")
    assert report is not None and result.ret == 0, result.stdout.str()
    for item_id in ("CACHE-EVICTION", "CACHE-TUNING"):
        assert status(report, item_id) == "not_applicable"
        assert item(report, item_id)["reason"] == "declared not applicable: no cache in this deployment"
        assert item(report, item_id)["tests"] == []  # deselected: nothing probed
    assert not small.pytester.path.joinpath("probed-cache").exists()
    assert report["applicability"] == {"CACHE-*": "no cache in this deployment"}
    assert report["coverage"]["overall"]["not_applicable"] == 2
    assert "declared not applicable: CACHE-*: no cache in this deployment" in result.stdout.str()
    out = small.pytester.path / "out"
    assert "- `CACHE-*`: no cache in this deployment" in (out / "checklist.md").read_text()
    page = (out / "readiness.html").read_text()
    assert "Declared not applicable" in page and 'aria-label="Verification coverage"' in page
    assert "<script" not in page


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("CACHE-EVICTON", "unknown checklist ID (closest known: CACHE-EVICTION"),
        ("NOPE-*", "the glob matches no checklist ID"),
    ],
)
def test_bad_applicability_is_exit_4_before_any_probe(small: ReadinessRun, key: str, problem: str) -> None:
    small.env(
        text=f'[settings]\ntimeout_s = 2\n[redis]\nurl = "redis://x"\n[applicability]\n"{key}" = "why"\n'
    )
    result, report = small.run("--env", "dev")
    assert result.ret == 4 and report is None
    assert not small.pytester.path.joinpath("probed-cache").exists()
    result.stderr.fnmatch_lines(
        [f"*readiness configuration error: dev.toml: applicability.{key}: {problem}*"]
    )


def test_bad_gate_is_exit_4(small: ReadinessRun) -> None:
    small.env(text='[settings]\ngate = "urgent"\n')
    result, _ = small.run("--env", "dev")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*settings.gate: 'urgent' is not a severity*"])


def test_fail_and_error_on_one_item_is_fail_with_the_error_listed(readiness: ReadinessRun) -> None:
    readiness.env()
    readiness.pytester.makepyfile(
        test_two="""
import pytest
from pytest_readiness.errors import ProbeError

@pytest.mark.checklist("ENV-REDIS-EVICTION")
def test_a_errors():
    raise ProbeError("connection refused")

@pytest.mark.checklist("ENV-REDIS-EVICTION")
def test_b_fails():
    assert False, "policy noeviction"
"""
    )
    result, report = readiness.run("--env", "dev")
    assert report is not None and result.ret == 1 and report["verdict"] == "NO-GO"
    assert status(report, "ENV-REDIS-EVICTION") == "fail"
    reason = item(report, "ENV-REDIS-EVICTION")["reason"]
    assert "policy noeviction" in reason and "also error: ProbeError: connection refused" in reason


def test_missing_chromium_is_unverified_missing_tool(
    readiness: ReadinessRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READINESS_CHROMIUM", "")  # as on a runner without Chromium
    repo = tmp_path / "app"
    repo.mkdir()
    (repo / "package.json").write_text("{}")
    readiness.env(text=f'[repo]\npath = "{repo}"\n[http]\nbase_url = "http://127.0.0.1:9"\n')
    readiness.pytester.makepyfile(
        test_console="""
import pytest

@pytest.mark.checklist("CODE-FRONTEND-CONSOLE")
def test_console(frontend_console):
    assert False, "must not run"
"""
    )
    result, report = readiness.run("--env", "dev")
    assert report is not None
    assert status(report, "CODE-FRONTEND-CONSOLE") == "unverified"
    assert item(report, "CODE-FRONTEND-CONSOLE")["unverified_kind"] == "missing_tool"
    assert "Chromium" in item(report, "CODE-FRONTEND-CONSOLE")["reason"]
    assert report["verdict"] == "INCOMPLETE" and result.ret == 3


def test_empty_environment_is_incomplete_with_no_pass_and_same_under_xdist(tmp_path: Path) -> None:
    """The issue's new-user run: only a description, the real suites, -n 0 and -n 2."""
    env = '[settings]\ndescription = "nothing configured"\ntimeout_s = 2\n'
    serial = run_readiness(tmp_path / "serial", env, "suites", "-n", "0", timeout=300)
    parallel = run_readiness(tmp_path / "parallel", env, "suites", "-n", "2", timeout=300)
    for run in (serial, parallel):
        assert run.returncode == 3, run.stdout[-2000:]
        assert run.report["verdict"] == "INCOMPLETE" and run.report["ready"] is False
        assert run.report["summary"]["pass"] == 0 and run.report["summary"]["not_applicable"] == 0
        assert run.report["missing"]["Environment Setup"]["configure"]
        assert "INCOMPLETE" in run.stdout and "coverage:" in run.stdout
    assert {i: s["status"] for i, s in serial.items.items()} == {
        i: s["status"] for i, s in parallel.items.items()
    }
    assert serial.report["coverage"] == parallel.report["coverage"]
    assert serial.report["missing"] == parallel.report["missing"]


# -------------------------------------------------------------------------------- static guarantees
STATUS_VALUES = {"pass", "fail", "error", "unverified", "waived", "attested", "not_applicable", "manual"}
#: The result pipeline: statuses are spelled only in pytest_readiness/status.py.
PIPELINE = [
    "verdicts.py", "collector.py", "wire.py", "drift.py", "waivers.py", "attestations.py", "release.py",
    "applicability.py", "results.py", "reporters/__init__.py", "reporters/terminal.py",
    "reporters/json_report.py", "reporters/markdown.py", "reporters/html.py", "reporters/pytest_html.py",
]  # fmt: skip


def test_no_status_string_literal_outside_status_module() -> None:
    found = []
    for name in PIPELINE:
        path = REPO / "pytest_readiness" / name
        tree = ast.parse(path.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in STATUS_VALUES and id(node) not in docstrings:
                found.append(f"{name}:{node.lineno}: {node.value!r}")
    assert not found, found


def _checks_and_fixtures() -> list[Path]:
    return [
        *sorted((REPO / "pytest_readiness" / "fixtures").glob("*.py")),
        *sorted((REPO / "suites").glob("*.py")),
        REPO / "pytest_readiness" / "plugin.py",
    ]


def test_no_bare_skip_and_no_outcome_decided_by_message_text() -> None:
    """Outcomes are exception types (outcomes.py); no check reads an exception's message to decide."""
    problems = []
    for path in _checks_and_fixtures():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in ("pytest.skip", "skip"):
                problems.append(f"{path.name}:{node.lineno}: bare pytest.skip")
            if isinstance(node, ast.ExceptHandler) and node.name:
                for sub in ast.walk(node):
                    if isinstance(sub, ast.Compare) and any(
                        isinstance(op, ast.In | ast.NotIn | ast.Eq | ast.NotEq) for op in sub.ops
                    ):
                        text = ast.unparse(sub)
                        if re.search(rf"\b(str|repr)\({node.name}\)|\b{node.name}\.(args|message)", text):
                            problems.append(f"{path.name}:{sub.lineno}: decides on message text: {text}")
    assert not problems, problems


V1 = {
    "schema_version": 1,
    "environment": "dev",
    "started_at": "2026-01-01T00:00:00+00:00",
    "duration_s": 1.0,
    "ready": True,
    "summary": {"pass": 2, "not_applicable": 1},
    "items": [
        {"id": "DATA-BACKUP", "status": "pass", "parent": ""},
        {"id": "CACHE-EVICTION", "status": "not_applicable", "parent": ""},
        {"id": "CACHE-TUNING", "status": "pass", "parent": ""},
    ],
    "meta": {},
}


def test_version_1_baseline_is_still_read_by_diff_and_baseline(small: ReadinessRun) -> None:
    import json

    from pytest_readiness import drift

    _attestations(small, dt.date.today() + dt.timedelta(days=30))
    old = small.pytester.path / "old.json"
    old.write_text(json.dumps(V1))
    small.env(text='[settings]\ntimeout_s = 2\n[postgres]\ndsn = "postgresql://x"\n')
    _, report = small.run("--env", "dev", "--baseline", str(old))
    assert report is not None and report["schema_version"] == 2
    assert report["meta"]["drift"]["changed"] == [
        {"id": "CACHE-EVICTION", "from": "not_applicable", "to": "unverified"},
    ]
    assert "CACHE-TUNING" in report["meta"]["drift"]["regressions"]  # was pass, no longer verified
    new = small.pytester.path / "out" / "readiness.json"
    lines: list[str] = []

    class Out:
        def write(self, text: str) -> None:
            lines.append(text)

    assert drift.main_diff(old, new, fail_on_drift=True, out=Out()) == 1  # type: ignore[arg-type]
    assert "REGRESSED" in "".join(lines) and "CACHE-TUNING" in "".join(lines)


def test_free_text_evidence_key_is_a_config_error_pointing_to_attestations(readiness: ReadinessRun) -> None:
    readiness.env(text='[kubernetes]\nautoscaler_evidence = "GKE Autopilot"\n')
    result, report = readiness.run("--env", "dev")
    assert result.ret == 4 and report is None
    assert (
        "dev.toml: kubernetes.autoscaler_evidence: no longer accepted: free text cannot pass an item; "
        "attest INFRA-K8S-AUTOSCALING in attestations.toml"
    ) in result.stderr.str()


def test_managed_fact_is_attested_not_configured(readiness: ReadinessRun) -> None:
    """A check that cannot see managed autoscaling errors; a dated, owned attestation vouches for it."""
    readiness.env()
    day = dt.date.today() - dt.timedelta(days=1)
    readiness.pytester.path.joinpath("attestations.toml").write_text(
        f'[[attestation]]\nid = "INFRA-K8S-AUTOSCALING"\nby = "sre@example.com"\ndate = {day}\n'
        f'evidence_url = "https://tickets.example.com/SRE-7"\nexpires = {day + dt.timedelta(days=90)}\n'
    )
    readiness.pytester.makepyfile(
        test_k8s="""
import pytest
from pytest_readiness.errors import ProbeError

@pytest.mark.checklist("INFRA-K8S-AUTOSCALING")
def test_autoscaler():
    raise ProbeError("cluster-autoscaler not visible: managed control plane")
"""
    )
    _, report = readiness.run("--env", "dev")
    assert report is not None
    found = item(report, "INFRA-K8S-AUTOSCALING")
    assert found["status"] == "attested" and found["attestation"]["by"] == "sre@example.com"
    assert "the check: ProbeError: cluster-autoscaler not visible" in found["reason"]


def test_missing_command_tool_is_unverified_missing_tool(tmp_path: Path) -> None:
    """No npm on the runner: the frontend items are unverified (missing tool), never n/a or error."""
    from pytest_readiness.fixtures.frontend import CommandRunner
    from pytest_readiness.outcomes import Unverified

    runner = CommandRunner(tmp_path, {"install": "npm-not-installed-here ci"}, 5.0)
    with pytest.raises(Unverified) as caught:
        runner("install")
    assert caught.value.kind == "missing_tool" and "npm-not-installed-here" in caught.value.reason
    with pytest.raises(Unverified) as caught:
        runner("build")
    assert caught.value.kind == "not_configured" and caught.value.configure == ("[repo] commands.build",)
