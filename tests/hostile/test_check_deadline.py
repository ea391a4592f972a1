"""The per-check deadline: a check that overruns (setup or call) is ``error`` and the run goes on."""

from __future__ import annotations

import json
import time

import pytest

from pytest_readiness import deadline

CHECKS = """
import time, pytest

@pytest.fixture(scope="session")
def stuck_target():
    time.sleep(30)  # a probe that no other bound catches

@pytest.mark.checklist("ENV-REDIS-EVICTION")
def test_hangs_in_call(evidence):
    time.sleep(30)

@pytest.mark.checklist("ENV-REDIS-MAXMEMORY")
def test_hangs_in_setup(stuck_target):
    pass

@pytest.mark.checklist("ENV-REDIS-PERSISTENCE")
def test_after_them(evidence):
    evidence.record("persistence", "aof", "aof", True)
"""


def test_overrunning_checks_become_error_and_the_run_goes_on(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deadline, "MIN_S", 1.0)
    monkeypatch.setattr(deadline, "FACTOR", 0.0)
    (pytester.path / "environments").mkdir()
    (pytester.path / "environments" / "dev.toml").write_text("[settings]\ntimeout_s = 2\n")
    pytester.makepyfile(test_checks=CHECKS)
    started = time.monotonic()
    pytester.runpytest("-p", "no:cacheprovider", "--readiness-dir", "out", "--env", "dev")
    assert time.monotonic() - started < 10
    items = {i["id"]: i for i in json.loads((pytester.path / "out" / "readiness.json").read_text())["items"]}
    assert items["ENV-REDIS-EVICTION"]["status"] == "error"
    assert (
        "check: still running after 1 s (per-check deadline), stopped"
        in items["ENV-REDIS-EVICTION"]["reason"]
    )
    assert items["ENV-REDIS-MAXMEMORY"]["status"] == "error"
    assert "setup: still running after 1 s" in items["ENV-REDIS-MAXMEMORY"]["reason"]
    assert items["ENV-REDIS-PERSISTENCE"]["status"] == "pass"


def test_budget_is_generous_and_only_for_readiness_runs(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfig()
    assert deadline.budget_s(config) == 0.0  # no --env: no deadline
