"""End to end through pytester: markers, outcome → verdict, exit statuses, xdist equality."""

from __future__ import annotations

import pytest

from tests.support.core import ReadinessRun, item, status

CHECKS = """
import os, pytest
from pytest_readiness.assessment import Assessment
from pytest_readiness.errors import ProbeError

@pytest.mark.checklist("ENV-REDIS-EVICTION")
def test_pass(evidence):
    evidence.check(Assessment.single("eviction", "redis", "allkeys-lru", "allkeys-lru", True))

@pytest.mark.checklist("ENV-REDIS-MAXMEMORY")
def test_fail(evidence):
    evidence.check(Assessment.single("maxmemory", "redis", 0, "> 0", False))

@pytest.mark.checklist("ENV-REDIS-PERSISTENCE")
def test_error():
    raise ProbeError("connection refused")

@pytest.fixture
def broken():
    raise ProbeError("cannot reach target")

@pytest.mark.checklist("ENV-REDIS-PROVISIONED")
def test_setup_error(broken):
    pass

@pytest.mark.checklist("ENV-REDIS-MONITORING")
def test_skip():
    pytest.skip("not configured: [redis] exporter_job")

@pytest.mark.checklist("ENV-POSTGRES-BACKUPS", "ENV-POSTGRES-REPLICAS")
def test_two_items(evidence):
    evidence.record("archive", "on", "on", True)

@pytest.mark.checklist("ENV-POSTGRES-REPLICAS")
def test_second_proof_fails():
    assert 1 == 2, "replica lag 90 s"
"""


def test_outcomes_map_to_verdicts(readiness: ReadinessRun) -> None:
    readiness.env()
    readiness.pytester.makepyfile(test_checks=CHECKS)
    result, report = readiness.run("--env", "dev")
    assert report is not None
    assert status(report, "ENV-REDIS-EVICTION") == "pass"
    assert status(report, "ENV-REDIS-MAXMEMORY") == "fail"
    assert status(report, "ENV-REDIS-PERSISTENCE") == "error"
    assert status(report, "ENV-REDIS-PROVISIONED") == "error"
    assert "setup failed" in item(report, "ENV-REDIS-PROVISIONED")["reason"]
    # a plain skip is unverified (never not_applicable)
    assert status(report, "ENV-REDIS-MONITORING") == "unverified"
    assert item(report, "ENV-REDIS-MONITORING")["reason"] == "not configured: [redis] exporter_job"
    assert item(report, "ENV-REDIS-MONITORING")["unverified_kind"] == "skipped"
    # one test proves two items; an item proved by two tests takes the worst
    assert status(report, "ENV-POSTGRES-BACKUPS") == "pass"
    assert status(report, "ENV-POSTGRES-REPLICAS") == "fail"
    assert len(item(report, "ENV-POSTGRES-REPLICAS")["tests"]) == 2
    # group items derive from sub-items; untested items are manual
    assert status(report, "ENV-REDIS") == "fail"  # fail wins over error
    assert status(report, "SIGNOFF-ENGINEERING") == "manual"
    # evidence: observed vs expected
    evidence = item(report, "ENV-REDIS-MAXMEMORY")["evidence"][0]
    assert evidence["findings"][0] | {} == {
        "subject": "redis",
        "observed": 0,
        "expected": "> 0",
        "ok": False,
        "note": "",
    }
    # every catalog item exactly once
    ids = [i["id"] for i in report["items"]]
    assert len(ids) == len(set(ids)) == 204
    assert report["summary"]["fail"] >= 2 and report["ready"] is False
    assert report["schema_version"] == 2 and report["verdict"] == "NO-GO" and report["gate"] == "high"
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*production readiness: dev*", "FAIL*ENV-REDIS-MAXMEMORY*", "*NO-GO*"])


@pytest.mark.parametrize(
    ("body", "expected_exit"),
    [
        ("def test_ok(evidence):\n    pass\n", 0),
        ("def test_ok():\n    raise ProbeError('timeout after 2 s')\n", 3),
        ("def test_ok():\n    assert False, 'not ready'\n", 1),
    ],
)
def test_exit_status(readiness: ReadinessRun, body: str, expected_exit: int) -> None:
    readiness.env()
    one_item_catalog(readiness)
    readiness.pytester.makepyfile(
        test_one="import pytest\nfrom pytest_readiness.errors import ProbeError\n"
        "@pytest.mark.checklist('ENV-REDIS-EVICTION')\n" + body
    )
    result, report = readiness.run("--env", "dev")
    assert result.ret == expected_exit
    assert report is not None and report["ready"] is (expected_exit == 0)


def one_item_catalog(readiness: ReadinessRun) -> None:
    """A project catalog of one automated item: its check alone decides GO."""
    readiness.pytester.makefile(
        ".toml",
        one='[catalog]\nname = "One"\n[[items]]\nid = "ENV-REDIS-EVICTION"\nsection = "Redis"\n'
        'title = "Eviction policy"\nseverity = "high"\nkind = "automated"\n',
    )
    readiness.pytester.makeini("[pytest]\nreadiness_catalog = one.toml\n")


def test_unknown_id_is_collection_error_naming_closest(readiness: ReadinessRun) -> None:
    readiness.env()
    readiness.pytester.makepyfile(
        test_bad="import pytest\n@pytest.mark.checklist('SEC-CORS')\ndef test_x():\n    pass\n"
    )
    result, _ = readiness.run("--env", "dev")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*unknown checklist ID 'SEC-CORS' (closest known: SEC-API-CORS*"])


def test_unknown_id_also_without_env(readiness: ReadinessRun) -> None:
    readiness.pytester.makepyfile(
        test_bad="import pytest\npytestmark = pytest.mark.checklist('NOPE-1')\ndef test_x():\n    pass\n"
    )
    result, report = readiness.run()
    assert report is None
    result.stdout.fnmatch_lines(["*unknown checklist ID 'NOPE-1'*"])


def test_plugin_is_inert_without_env(readiness: ReadinessRun) -> None:
    readiness.pytester.makepyfile(
        test_plain="import pytest\n@pytest.mark.checklist('ENV-REDIS')\ndef test_x():\n    assert False\n"
    )
    result, report = readiness.run()
    assert report is None and result.ret == 1
    assert "production readiness" not in result.stdout.str()


CRASH = """
import os, pytest

@pytest.mark.checklist("ENV-REDIS-EVICTION")
def test_pass():
    pass

@pytest.mark.checklist("ENV-REDIS-MAXMEMORY")
def test_crash():
    os._exit(1)
"""


def test_xdist_gives_identical_verdicts_and_crash_is_error(readiness: ReadinessRun) -> None:
    readiness.env()
    readiness.pytester.makepyfile(test_checks=CHECKS)
    _, serial = readiness.run("--env", "dev", "-n", "0", subprocess=True)
    _, parallel = readiness.run("--env", "dev", "-n", "2", subprocess=True)
    assert serial is not None and parallel is not None

    def strip(report: dict) -> list:  # type: ignore[type-arg]
        return [
            (i["id"], i["status"], i["reason"], i["evidence"], [t["nodeid"] for t in i["tests"]])
            for i in report["items"]
        ]

    assert strip(serial) == strip(parallel)
    assert serial["summary"] == parallel["summary"]

    readiness.pytester.makepyfile(test_checks=CRASH)
    result, crashed = readiness.run("--env", "dev", "-n", "2", subprocess=True)
    assert crashed is not None
    assert status(crashed, "ENV-REDIS-MAXMEMORY") == "error"
    assert "crashed" in item(crashed, "ENV-REDIS-MAXMEMORY")["reason"]
    assert status(crashed, "ENV-REDIS-EVICTION") == "pass"
    assert result.ret != 0


def test_collect_only_writes_no_verdict(readiness: ReadinessRun) -> None:
    readiness.env()
    readiness.pytester.makepyfile(test_checks=CHECKS)
    result, report = readiness.run("--env", "dev", "--collect-only")
    assert report is None and result.ret == 0
    assert "GO" not in result.stdout.str()


def test_interrupted_run_is_never_a_go(readiness: ReadinessRun) -> None:
    readiness.env()
    readiness.pytester.makepyfile(
        test_stop="""
import pytest

@pytest.mark.checklist("ENV-REDIS-EVICTION")
def test_pass():
    pass

@pytest.mark.checklist("ENV-REDIS-MAXMEMORY")
def test_interrupt():
    raise KeyboardInterrupt
"""
    )
    result, report = readiness.run("--env", "dev", subprocess=True)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    assert report is not None and report["ready"] is False
    assert "did not complete" in report["meta"]["incomplete"]
    assert status(report, "ENV-REDIS-EVICTION") == "pass"
    assert status(report, "ENV-REDIS-MAXMEMORY") in ("error", "manual")  # never pass
    assert report["verdict"] == "INCOMPLETE"
    result.stdout.fnmatch_lines(["*did not complete*", "*INCOMPLETE*"])
