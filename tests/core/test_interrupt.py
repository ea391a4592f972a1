"""Interrupted runs: SIGTERM like SIGINT (reports written, marked incomplete, never GO), no stale GO."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SLOW = """
import pathlib, time, pytest
@pytest.mark.checklist("ENV-REDIS-EVICTION")
def test_quick():
    pass
@pytest.mark.checklist("ENV-REDIS-PERSISTENCE")
def test_slow():
    pathlib.Path("started").write_text("yes")
    time.sleep(60)
"""
STALE_GO = {"schema_version": 1, "environment": "dev", "ready": True, "items": [], "summary": {}, "meta": {}}


def _start(tmp_path: Path, workers: str) -> subprocess.Popen[str]:
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "dev.toml").write_text("[settings]\ntimeout_s = 2\n")
    (tmp_path / "test_slow.py").write_text(SLOW)
    out = tmp_path / "out"
    out.mkdir()
    (out / "readiness.json").write_text(json.dumps(STALE_GO))  # the previous run said GO
    (out / "checklist.md").write_text("**Verdict:** GO\n")
    cmd = [sys.executable, "-m", "pytest", "--env", "dev", "-p", "no:cacheprovider",
           "--readiness-dir", "out", "-n", workers, "-q"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while not (tmp_path / "started").exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[0]
        time.sleep(0.1)
    return proc


@pytest.mark.parametrize("workers", ["0", "2"])
def test_sigterm_writes_incomplete_reports(tmp_path: Path, workers: str) -> None:
    proc = _start(tmp_path, workers)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=30)
    elapsed = time.monotonic() - started
    print(f"SIGTERM -n {workers}: reports after {elapsed:.1f} s")
    assert elapsed < 8, output  # under xdist's 10 s shutdown wait: the workers were interrupted too
    assert proc.returncode not in (0, None), output
    out = tmp_path / "out"
    report = json.loads((out / "readiness.json").read_text())
    assert report["ready"] is False
    assert "did not complete" in report["meta"]["incomplete"]
    assert "INCOMPLETE RUN" in (out / "checklist.md").read_text()
    assert "**Verdict:** GO" not in (out / "checklist.md").read_text()
    assert report.get("verdict", "NO-GO") != "GO"
    assert "INCOMPLETE RUN" in (out / "readiness.html").read_text()
    assert "GO" not in output.replace("NO-GO", "")


def test_stale_go_removed_at_start(tmp_path: Path) -> None:
    """A run killed outright (SIGKILL) leaves no report: never the previous run's GO."""
    proc = _start(tmp_path, "0")
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert not (tmp_path / "out" / "readiness.json").exists()
    assert not (tmp_path / "out" / "checklist.md").exists()


def test_bad_config_keeps_previous_reports(tmp_path: Path) -> None:
    """Exit 4 happens before the run starts: the folder is left as it was (nothing ran)."""
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "dev.toml").write_text("[settings]\ntimeout_s = 0\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "readiness.json").write_text(json.dumps(STALE_GO))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--env", "dev", "-p", "no:cacheprovider", "--readiness-dir", "out"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR
    assert (tmp_path / "out" / "readiness.json").exists()
