"""The one Status type: order, traits and the verdict's exit statuses."""

from __future__ import annotations

from pytest_readiness.status import ORDER, Status, Verdict


def test_aggregation_order_and_traits() -> None:
    assert [s.value for s in ORDER[:5]] == ["fail", "error", "unverified", "waived", "pass"]
    blocking = {Status.FAIL, Status.ERROR, Status.UNVERIFIED, Status.MANUAL}
    assert {s for s in Status if s.blocks_gate} == blocking
    assert not Status.ERROR.verified and Status.FAIL.verified and Status.PASS.verified
    assert Status.ERROR.coverage == "unverified" and Status.WAIVED.coverage == "verified"
    assert Status.NOT_APPLICABLE.label == "n/a" and Status("pass") is Status.PASS == "pass"
    assert [v.exit_status for v in Verdict] == [0, 1, 3]
