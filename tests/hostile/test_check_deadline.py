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


def test_overrunning_checks_become_error_and_the_run_goes_on(pytester: pytest.Pytester) -> None:
    (pytester.path / "environments").mkdir()
    env_file = pytester.path / "environments" / "dev.toml"
    env_file.write_text("[settings]\ntimeout_s = 2\ncheck_budget_s = 1\n")
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


@pytest.mark.parametrize(("settings", "expected"), [("", 200.0), ("check_budget_s = 45\n", 45.0)])
def test_budget_default_and_setting(pytester: pytest.Pytester, settings: str, expected: float) -> None:
    (pytester.path / "environments").mkdir()
    (pytester.path / "environments" / "dev.toml").write_text(f"[settings]\ntimeout_s = 10\n{settings}")
    config = pytester.parseconfig("--env", "dev")
    config._do_configure()
    try:
        assert deadline.budget_s(config) == expected  # default: max(120, 20 x timeout_s)
    finally:
        config._ensure_unconfigure()


def test_budget_out_of_bounds_is_a_config_error(pytester: pytest.Pytester) -> None:
    (pytester.path / "environments").mkdir()
    (pytester.path / "environments" / "dev.toml").write_text("[settings]\ncheck_budget_s = 0\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--env", "dev")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*dev.toml: settings.check_budget_s: must be > 0 and <= 3600*"])
