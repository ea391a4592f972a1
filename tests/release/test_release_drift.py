"""Drift between two results, and ``readiness diff OLD NEW``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from pytest_readiness import cli, drift
from tests.support.release import make_result


def test_compare_classifies_each_change() -> None:
    old = {"A": "pass", "B": "fail", "C": "error", "D": "pass", "E": "pass", "G": "attested", "R": "pass"}
    new = {
        "A": "fail",
        "B": "pass",
        "C": "fail",
        "D": "pass",
        "E": "not_applicable",
        "G": "error",
        "N": "fail",
    }
    assert drift.compare(old, new, "old.json") == {
        "baseline": "old.json",
        "regressions": ["A", "G"],
        "fixed": ["B"],
        "still_failing": ["C"],
        "new": ["N"],
        "removed": ["R"],
        "changed": [{"id": "E", "from": "pass", "to": "not_applicable"}],
    }


def test_only_leaf_items_are_compared() -> None:
    result = make_result({"ENV-REDIS-MAXMEMORY": "fail"})
    statuses = drift.statuses(result)  # type: ignore[arg-type]
    assert "ENV-REDIS" not in statuses and statuses["ENV-REDIS-MAXMEMORY"] == "fail"
    assert drift.statuses(drift.snapshot(result)) == statuses  # type: ignore[arg-type]


def _write(path: Path, result: object) -> Path:
    path.write_text(json.dumps(result))
    return path


def test_main_diff_prints_and_fails_on_regressions_only(tmp_path: Path) -> None:
    old = _write(
        tmp_path / "old.json", make_result({"ENV-REDIS-EVICTION": "pass", "ENV-REDIS-MAXMEMORY": "fail"})
    )
    new = _write(
        tmp_path / "new.json", make_result({"ENV-REDIS-EVICTION": "fail", "ENV-REDIS-MAXMEMORY": "pass"})
    )
    out = io.StringIO()
    assert drift.main_diff(old, new, fail_on_drift=True, out=out) == 1
    text = out.getvalue()
    assert "1 regressed, 1 fixed, 0 still failing" in text
    assert "REGRESSED      ENV-REDIS-EVICTION  (pass -> fail)" in text
    assert "FIXED          ENV-REDIS-MAXMEMORY  (fail -> pass)" in text
    assert drift.main_diff(old, new, fail_on_drift=False, out=io.StringIO()) == 0
    # still failing only: not a regression
    same = _write(tmp_path / "same.json", make_result({"ENV-REDIS-MAXMEMORY": "fail"}))
    assert drift.main_diff(same, same, fail_on_drift=True, out=io.StringIO()) == 0


def test_cli_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = _write(tmp_path / "old.json", make_result({"ENV-REDIS-EVICTION": "pass"}))
    new = _write(tmp_path / "new.json", make_result({"ENV-REDIS-EVICTION": "error"}))
    assert cli.main(["diff", str(old), str(new), "--fail-on-drift"]) == 1
    assert "REGRESSED" in capsys.readouterr().out
    assert cli.main(["diff", str(old), str(tmp_path / "missing.json")]) == 2
    assert "baseline file not found" in capsys.readouterr().err
    _write(tmp_path / "bad.json", [1, 2])
    assert cli.main(["diff", str(old), str(tmp_path / "bad.json")]) == 2


def test_nightly_workflow_example_keeps_and_compares_readiness_json() -> None:
    import yaml

    path = Path(__file__).resolve().parents[2] / "examples" / "nightly-readiness.yml"
    workflow = yaml.safe_load(path.read_text())
    assert "schedule" in workflow[True]  # YAML 1.1 reads the key `on` as True
    steps = workflow["jobs"]["readiness"]["steps"]
    run = "\n".join(step.get("run", "") for step in steps)
    assert "gh run download" in run and "--baseline=baseline/readiness.json" in run
    assert "--fail-on-drift" in run and "readiness diff baseline/readiness.json reports/readiness.json" in run
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()" and upload["with"]["path"] == "reports/"


def test_a_check_that_no_longer_runs_is_a_regression():
    from pytest_readiness import drift

    found = drift.compare({"A": "pass", "B": "pass"}, {"A": "unverified", "B": "pass"}, "last night")
    assert found["regressions"] == ["A"]
