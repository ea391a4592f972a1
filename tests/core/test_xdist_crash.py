"""A worker killed mid-run (SIGKILL): its check is ``error``, the rest of its group runs, the run ends."""

from __future__ import annotations

import json
import time

import pytest

from tests.support.core import ReadinessRun, status

SUITE_A = """
import os, signal, time, pytest
@pytest.mark.checklist("ENV-REDIS-EVICTION")
def test_a1(): time.sleep(0.3)
@pytest.mark.checklist("ENV-REDIS-PERSISTENCE")
def test_a2(): os.kill(os.getpid(), signal.SIGKILL)
@pytest.mark.checklist("ENV-REDIS-MAXMEMORY")
def test_a3(): pass
"""
SUITE_B = """
import time, pytest
@pytest.mark.checklist("ENV-POSTGRES-BACKUPS")
def test_b1(): time.sleep(0.5)
@pytest.mark.checklist("ENV-POSTGRES-REPLICAS")
def test_b2(): pass
"""


@pytest.mark.parametrize("workers", ["2", "4"])
def test_sigkilled_worker(readiness: ReadinessRun, workers: str) -> None:
    readiness.env()
    readiness.pytester.makepyfile(test_a=SUITE_A, test_b=SUITE_B)
    started = time.monotonic()
    result = readiness.pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--readiness-dir", "out", "--env", "dev", "-n", workers, timeout=90
    )
    elapsed = time.monotonic() - started
    report = json.loads((readiness.pytester.path / "out" / "readiness.json").read_text())
    assert status(report, "ENV-REDIS-PERSISTENCE") == "error"  # the check that killed its worker
    for item_id in (
        "ENV-REDIS-EVICTION",
        "ENV-REDIS-MAXMEMORY",
        "ENV-POSTGRES-BACKUPS",
        "ENV-POSTGRES-REPLICAS",
    ):
        assert status(report, item_id) == "pass", item_id  # the rest of the group ran on a new worker
    assert result.stdout.str().count("replacing crashed worker") == 1  # reported once, never re-run
    assert result.ret != 0
    assert elapsed < 60
