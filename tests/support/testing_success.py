"""Shared helpers: real CI artifacts of a tiny sample project, and running a suite end to end."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import coverage

from pytest_readiness.launcher.base import free_port
from pytest_readiness.probes.observability.prometheus import PrometheusAPI
from tests.support import readiness
from tests.support.metrics_app import MetricsApp
from tests.support.readiness import env_toml

REPO = Path(__file__).resolve().parents[2]
REALWORLD = Path(__file__).resolve().parents[1] / "data" / "realworld"

CALC = """
def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def mul(a, b):
    return a * b


def div(a, b):
    if b == 0:
        raise ZeroDivisionError("b")
    return a / b


def clamp(x, lo, hi):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x
"""

TESTS = {
    # every function exercised, all pass: coverage 100 %
    "passing": """
import pytest
from calc import add, sub, mul, div, clamp

def test_add(): assert add(1, 2) == 3
def test_sub(): assert sub(3, 2) == 1
def test_mul(): assert mul(2, 3) == 6
def test_div():
    assert div(6, 3) == 2
    with pytest.raises(ZeroDivisionError):
        div(1, 0)
def test_clamp(): assert (clamp(-1, 0, 5), clamp(9, 0, 5), clamp(3, 0, 5)) == (0, 5, 3)
""",
    # one assertion fails; only add is exercised: coverage well under 70 %
    "failing": """
from calc import add

def test_add(): assert add(1, 2) == 3
def test_add_wrong(): assert add(2, 2) == 5
""",
    # all run tests pass but one is skipped
    "skipped": """
import pytest
from calc import add, sub

def test_add(): assert add(1, 2) == 3
@pytest.mark.skip(reason="flaky upstream")
def test_sub(): assert sub(3, 2) == 1
""",
}


@dataclass(frozen=True)
class SampleArtifacts:
    junit: Path
    coverage_xml: Path
    coverage_json: Path


def make_variant(root: Path, name: str) -> SampleArtifacts:
    proj = root / name
    proj.mkdir()
    (proj / "pytest.ini").write_text("[pytest]\n")
    (proj / "calc.py").write_text(CALC)
    (proj / "test_calc.py").write_text(TESTS[name])
    junit = proj / "junit.xml"
    run = [
        sys.executable,
        "-m",
        "coverage",
        "run",
        "--branch",
        "--source=.",
        "--omit=test_*.py",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        f"--junitxml={junit}",
    ]
    subprocess.run(run, cwd=proj, capture_output=True, timeout=120, check=False)
    # what `coverage xml` and `coverage json` do, without two more interpreter start-ups
    cov = coverage.Coverage(data_file=str(proj / ".coverage"))
    cov.load()
    cwd = os.getcwd()
    with _LOCK:  # coverage resolves relative paths against the working directory
        os.chdir(proj)
        try:
            cov.xml_report(outfile="coverage.xml")
            cov.json_report(outfile="coverage.json")
        finally:
            os.chdir(cwd)
    return SampleArtifacts(junit, proj / "coverage.xml", proj / "coverage.json")


_LOCK = threading.Lock()


def run_suite(
    tmp_path: Path, suite: str, sections: dict[str, dict[str, Any]], *extra: str, timeout: float = 120
) -> dict[str, dict[str, Any]]:
    """Run ``suites/<suite>`` with a generated environment; return readiness.json items by id."""
    suite_path = str(REPO / "suites" / suite)
    return readiness.run_suite(
        tmp_path, env_toml(sections), suite_path, "--rootdir", str(REPO), *extra, timeout=timeout
    )


# ------------------------------------------------------------- Prometheus scraping known metrics

CONFIG = """
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: app
    static_configs:
      - targets: ["127.0.0.1:{app_port}"]
"""
DOWN_JOB = """
  - job_name: down-service
    static_configs:
      - targets: ["127.0.0.1:{down_port}"]
"""


@dataclass
class PromSetup:
    profile: str
    url: str
    api: PrometheusAPI


def wait_for_data(api: PrometheusAPI, deadline_s: float = 45) -> None:
    """Until two scrapes landed: rate(), deriv() and histogram_quantile() need two samples."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if api.query("count_over_time(process_resident_memory_bytes[1h]) >= 2"):
            return
        time.sleep(0.5)
    raise AssertionError("Prometheus never scraped the metrics endpoint")


def prom_setup(prometheus_factory, profile: str) -> Iterator[PromSetup]:
    app = MetricsApp(profile)
    config = CONFIG.replace("{app_port}", str(app.port))
    if profile == "bad":
        config += DOWN_JOB.replace("{down_port}", str(free_port()))
    try:
        prom = prometheus_factory(config)
        api = PrometheusAPI(prom.url, timeout=10)
        wait_for_data(api)
        yield PromSetup(profile, prom.url, api)
    finally:
        app.close()
