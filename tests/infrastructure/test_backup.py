"""Backup evidence: restore-test date, DR plan and RTO/RPO in repository docs."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.data import backup
from tests.support.http_server import QuietHandler, serve
from tests.support.infrastructure import DR_TEXT

NOW = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (json.dumps({"last_restore": "2025-05-20T03:00:00Z", "db": "prod"}), "2025-05-20T03:00:00+00:00"),
        ("restored_at: 2025-04-01\nresult: ok\n", "2025-04-01T00:00:00+00:00"),
        ("Restore drills:\n- 2024-12-01 ok\n- 2025-03-15 ok\n", "2025-03-15T00:00:00+00:00"),
        ("no date here", None),
    ],
)
def test_restore_date_from_json_yaml_or_text(text, expected):
    when = backup.restore_date(text)
    assert (when.isoformat() if when else None) == expected


def test_restore_age_good_old_and_missing():
    ok = backup.assess_restore_age(dt.datetime(2025, 5, 20, tzinfo=dt.UTC), 90, "docs/restore.json", NOW)
    assert ok.ok and ok.findings[0].observed == {"date": "2025-05-20T00:00:00+00:00", "age_days": 12.0}
    old = backup.assess_restore_age(dt.datetime(2024, 12, 1, tzinfo=dt.UTC), 90, "docs/restore.json", NOW)
    assert not old.ok and old.findings[0].note == "182 days old"
    assert not backup.assess_restore_age(None, 90, "x", NOW).ok
    assert not backup.assess_restore_age(dt.datetime(2025, 7, 1, tzinfo=dt.UTC), 90, "x", NOW).ok  # future


def test_restore_evidence_from_url_and_errors(tmp_path):
    class Handler(QuietHandler):
        def do_GET(self):
            body = b'{"date": "2025-05-30"}' if self.path == "/restore.json" else b"gone"
            self.send_response(200 if self.path == "/restore.json" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with serve(Handler) as url:
        assert backup.restore_date(backup.read_evidence(f"{url}/restore.json", tmp_path, 5)).day == 30
        with pytest.raises(ProbeError, match="HTTP 404"):
            backup.read_evidence(f"{url}/missing", tmp_path, 5)
    with pytest.raises(ProbeError, match="restore evidence"):
        backup.read_evidence("nope.json", tmp_path, 5)


def test_dr_plan_and_objectives_found(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "disaster-recovery.md").write_text(DR_TEXT)
    (tmp_path / "README.md").write_text("# App\n")
    matches = backup.find_dr_plan(tmp_path)
    assert backup.assess_dr_plan(matches).ok and matches[0].path == "docs/disaster-recovery.md"
    found = backup.find_objectives(tmp_path)
    assert found == {
        "RTO": ("4 hours", "docs/disaster-recovery.md:7"),
        "RPO": ("15 minutes", "docs/disaster-recovery.md:8"),
    }
    assert backup.assess_objectives(found).ok


def test_dr_heading_in_handbook_counts_and_stub_does_not(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "ops.md").write_text("# Ops\n\n" + DR_TEXT.replace("# Disaster", "## Disaster"))
    assert backup.assess_dr_plan(backup.find_dr_plan(tmp_path)).ok
    stub = tmp_path / "stub"
    stub.mkdir()
    (stub / "DR.md").write_text("# DR plan\nTODO\n")
    a = backup.assess_dr_plan(backup.find_dr_plan(stub))
    assert not a.ok and a.findings[0].note == "a stub"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert not backup.assess_dr_plan(backup.find_dr_plan(empty)).ok


def test_objectives_missing_rpo(tmp_path):
    (tmp_path / "README.md").write_text("We target an RTO of 2h. RPO is to be decided.\n")
    found = backup.find_objectives(tmp_path)
    a = backup.assess_objectives(found)
    assert found["RTO"] == ("2 h", "README.md:1") and not a.ok
    assert [f.subject for f in a.failures] == ["RPO target"]
