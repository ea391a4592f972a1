"""Waivers and attestations: validation of the files and their effect on a hand-built result."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pytest_readiness import attestations, waivers
from pytest_readiness.errors import ConfigError
from tests.support.release import (
    CATALOG,
    REDIS_WAIVERS,
    SIGNOFF_ATTESTATIONS,
    attestation,
    by_id,
    make_result,
    waiver,
)

TODAY = dt.date(2025, 1, 15)
W = '[[waiver]]\nid = "ENV-REDIS-MAXMEMORY"\nreason = "r"\nowner = "o"\nticket = "t"\n'

GOOD_WAIVERS = (
    REDIS_WAIVERS
    + waiver("ENV-POSTGRES-BACKUPS", "DBA-9", "2025-12-31", "old", owner="dba@example.com")
    + waiver("ENV-REDIS-EVICTION", "OPS-3", "2025-12-31", "staging only", environments=["staging"])
    + waiver("ENV-REDIS-PROVISIONED", "OPS-4", "2025-12-31", "cluster being replaced")
)


def _load(tmp_path: Path, text: str) -> list[waivers.Waiver]:
    path = tmp_path / "waivers.toml"
    path.write_text(text)
    return waivers.load(path, CATALOG)


def test_waiver_states_on_a_result(tmp_path: Path) -> None:
    result = make_result(
        {
            "ENV-REDIS-MAXMEMORY": "fail",
            "ENV-REDIS-PERSISTENCE": "fail",
            "ENV-POSTGRES-BACKUPS": "pass",
            "ENV-REDIS-EVICTION": "fail",
            "ENV-REDIS-PROVISIONED": "error",
        },
        derive=False,
    )
    notes = waivers.apply(result, _load(tmp_path, GOOD_WAIVERS), on=TODAY)
    waived = by_id(result, "ENV-REDIS-MAXMEMORY")
    assert waived["status"] == "waived"
    assert waived["waiver"] == {
        "reason": "maxmemory set by the managed service",
        "owner": "ops@example.com",
        "ticket": "OPS-1",
        "expires": "2025-02-01",
        "environments": [],
    }
    assert "OPS-1" in waived["reason"]
    # expired the day before: no longer applied, and said so
    expired = by_id(result, "ENV-REDIS-PERSISTENCE")
    assert expired["status"] == "fail" and "expired on 2025-01-14" in expired["reason"]
    # scoped to another environment: ignored entirely
    assert by_id(result, "ENV-REDIS-EVICTION")["status"] == "fail"
    # an error is not waived: we do not know the gap is the accepted one
    errored = by_id(result, "ENV-REDIS-PROVISIONED")
    assert errored["status"] == "error" and "not applied" in errored["reason"]
    assert notes == {
        "applied": ["ENV-REDIS-MAXMEMORY"],
        "expired": [{"id": "ENV-REDIS-PERSISTENCE", "expires": "2025-01-14", "ticket": "OPS-2"}],
        "unused": ["ENV-POSTGRES-BACKUPS"],
        "not_applied": ["ENV-REDIS-PROVISIONED"],
    }


def test_waiver_valid_through_its_last_day(tmp_path: Path) -> None:
    result = make_result({"ENV-REDIS-MAXMEMORY": "fail"}, derive=False)
    waivers.apply(result, _load(tmp_path, GOOD_WAIVERS), on=dt.date(2025, 2, 1))
    assert by_id(result, "ENV-REDIS-MAXMEMORY")["status"] == "waived"
    result = make_result({"ENV-REDIS-MAXMEMORY": "fail"}, derive=False)
    waivers.apply(result, _load(tmp_path, GOOD_WAIVERS), on=dt.date(2025, 2, 2))
    assert by_id(result, "ENV-REDIS-MAXMEMORY")["status"] == "fail"


def test_group_waiver_covers_failing_sub_items(tmp_path: Path) -> None:
    text = '[[waiver]]\nid = "ENV-REDIS"\nreason = "r"\nowner = "o"\nticket = "T-1"\nexpires = 2030-01-01\n'
    result = make_result({"ENV-REDIS-MAXMEMORY": "fail", "ENV-REDIS-EVICTION": "pass"}, derive=False)
    notes = waivers.apply(result, _load(tmp_path, text), on=TODAY)
    assert notes["applied"] == ["ENV-REDIS-MAXMEMORY"]
    assert by_id(result, "ENV-REDIS-EVICTION")["status"] == "pass"


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("[[waiver]\nid=", "", "malformed TOML"),
        (
            '[[waiver]]\nid = "ENV-REDIS-MAXMEMRY"\n',
            "waiver[0].id",
            "unknown checklist ID 'ENV-REDIS-MAXMEMRY' (closest known: ENV-REDIS-MAXMEMORY",
        ),
        (
            W + 'expires = "2025-01-01"\n',
            "waiver[0] (ENV-REDIS-MAXMEMORY).expires",
            "is not a TOML date",
        ),
        (
            '[[waiver]]\nid = "ENV-REDIS-MAXMEMORY"\nreason = "r"\nowner = "o"\nexpires = 2025-01-01\n',
            "waiver[0] (ENV-REDIS-MAXMEMORY).ticket",
            "missing",
        ),
        ('[[waiver]]\nid = "ENV-REDIS-MAXMEMORY"\nexpire = 2025-01-01\n', "waiver[0].expire", "unknown key"),
        ('[[waivers]]\nid = "X"\n', "waivers", "unknown key"),
        (
            W + 'expires = 2025-01-01\nenvironments = "prod"\n',
            "waiver[0] (ENV-REDIS-MAXMEMORY).environments",
            "expected an array",
        ),
        (
            W + "expires = 2025-01-01\n" + W + 'expires = 2025-01-01\nenvironments = ["prod"]\n',
            "waiver[1] (ENV-REDIS-MAXMEMORY).id",
            "waived twice",
        ),
    ],
)
def test_bad_waiver_files(tmp_path: Path, text: str, key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    assert caught.value.file == str(tmp_path / "waivers.toml")
    assert caught.value.key == key
    assert problem in caught.value.problem


ATTESTATIONS = (
    SIGNOFF_ATTESTATIONS
    + attestation("DEPLOY-PRE-NOTIFY", "dba@example.com", "DBA-1", "2025-01-15", "2025-01-16")
    # a staging rehearsal's sign-off does not vouch for prod; the prod one does
    + attestation("DEPLOY-PRE-MERGE-PRS", "dba@example.com", "DBA-2", "2025-01-14", "2025-01-20",
                  environments=["staging"])
    + attestation("DEPLOY-POST-STATUS-PAGE", "dba@example.com", "DBA-3", "2025-01-14", "2025-01-20",
                  environments=["staging"])
    + attestation("DEPLOY-POST-STATUS-PAGE", "rm@example.com", "REL-3", "2025-01-15", "2025-01-20",
                  environments=["prod"])
)  # fmt: skip


def test_attestation_states_on_a_result(tmp_path: Path) -> None:
    path = tmp_path / "attestations.toml"
    path.write_text(ATTESTATIONS)
    loaded = attestations.load(path, CATALOG, on=TODAY)
    result = make_result(derive=False)
    notes = attestations.apply(result, loaded, on=TODAY)
    attested = by_id(result, "SIGNOFF-SECURITY")
    assert attested["status"] == "attested"
    assert attested["attestation"] == {
        "by": "alice@example.com",
        "date": "2025-01-10",
        "evidence_url": "https://tickets.example.com/SEC-42",
        "expires": "2025-04-10",
        "environments": [],
    }
    expired = by_id(result, "SIGNOFF-PRODUCT")
    assert expired["status"] == "manual"
    assert expired["reason"].startswith("attestation expired on 2024-12-31")
    assert by_id(result, "DEPLOY-PRE-NOTIFY")["status"] == "attested"  # manual deployment step
    assert result["environment"] == "prod"
    assert by_id(result, "DEPLOY-PRE-MERGE-PRS")["status"] == "manual"  # attested for staging only
    frozen = by_id(result, "DEPLOY-POST-STATUS-PAGE")
    assert frozen["status"] == "attested" and frozen["attestation"]["by"] == "rm@example.com"
    assert notes == {
        "applied": ["SIGNOFF-SECURITY", "DEPLOY-PRE-NOTIFY", "DEPLOY-POST-STATUS-PAGE"],
        "expired": [{"id": "SIGNOFF-PRODUCT", "expires": "2024-12-31"}],
        "unused": [],
    }


@pytest.mark.parametrize(
    ("entry", "key", "problem"),
    [
        ('id = "ENV-REDIS-EVICTION"', "attestation[0] (ENV-REDIS-EVICTION).id", "is automated"),
        ('id = "SIGNOFF-NOPE"', "attestation[0].id", "unknown checklist ID"),
        (
            'id = "SIGNOFF-RISK"\nevidence_url = "file:///etc/passwd"',
            "attestation[0] (SIGNOFF-RISK).evidence_url",
            "not an http(s) URL",
        ),
        ('id = "SIGNOFF-RISK"\ndate = 2025-02-01', "attestation[0] (SIGNOFF-RISK).date", "in the future"),
        ('id = "SIGNOFF-RISK"\nexpires = 2024-01-01', "attestation[0] (SIGNOFF-RISK).expires", "before date"),
        ('id = "SIGNOFF-RISK"\nenvironments = []', "attestation[0] (SIGNOFF-RISK).environments", "empty"),
        ('id = "SIGNOFF-RISK"\nenvironments = "prod"', "attestation[0] (SIGNOFF-RISK).environments", "array"),
    ],
)
def test_bad_attestations(tmp_path: Path, entry: str, key: str, problem: str) -> None:
    fields = {
        "by": '"a"',
        "date": "2025-01-10",
        "evidence_url": '"https://x.example/1"',
        "expires": "2025-03-01",
    }
    lines = entry.splitlines()
    given = {line.split(" = ")[0] for line in lines}
    lines += [f"{k} = {v}" for k, v in fields.items() if k not in given]
    path = tmp_path / "attestations.toml"
    path.write_text("[[attestation]]\n" + "\n".join(lines) + "\n")
    with pytest.raises(ConfigError) as caught:
        attestations.load(path, CATALOG, on=TODAY)
    assert caught.value.key == key
    assert problem in caught.value.problem


@pytest.mark.parametrize(
    ("first", "second", "clash"),
    [([], ["prod"], True), (["staging"], ["prod"], False), (["prod", "staging"], ["staging"], True)],
)
def test_one_item_attested_twice_only_for_separate_environments(
    tmp_path: Path, first: list[str], second: list[str], clash: bool
) -> None:
    def scoped(envs: list[str]) -> dict[str, list[str]]:
        return {"environments": envs} if envs else {}

    path = tmp_path / "attestations.toml"
    path.write_text(
        attestation("SIGNOFF-RISK", "a@example.com", "R-1", "2025-01-10", "2025-03-01", **scoped(first))
        + attestation("SIGNOFF-RISK", "b@example.com", "R-2", "2025-01-10", "2025-03-01", **scoped(second))
    )
    if not clash:
        assert len(attestations.load(path, CATALOG, on=TODAY)) == 2
        return
    with pytest.raises(ConfigError) as caught:
        attestations.load(path, CATALOG, on=TODAY)
    assert caught.value.key == "attestation[1] (SIGNOFF-RISK).id"
    assert "attested twice for the same environment" in caught.value.problem


def test_today_is_injectable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_TODAY", "2031-05-06")
    assert waivers.today() == dt.date(2031, 5, 6)
    monkeypatch.setenv("READINESS_TODAY", "tomorrow")
    with pytest.raises(ConfigError, match="READINESS_TODAY"):
        waivers.today()
