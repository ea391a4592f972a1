"""Builders for hand-made RunResults and a pytester runner with the release plugin."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness import catalog as catalog_mod
from pytest_readiness import verdicts
from pytest_readiness.results import ItemResult, RunResult
from tests.support.readiness import toml_value

SEED = Path(__file__).resolve().parents[1] / "data" / "seed"
CATALOG = catalog_mod.load()


def waiver(
    item: str, ticket: str, expires: str, reason: str, owner: str = "ops@example.com", **extra: Any
) -> str:
    """One ``[[waiver]]`` table of waivers.toml (``expires`` YYYY-MM-DD; ``extra``: environments=[...])."""
    fields = {"id": item, "reason": reason, "owner": owner, "ticket": ticket, **extra}
    return _table("waiver", fields, expires=expires)


def attestation(item: str, by: str, ticket: str, date: str, expires: str, **extra: Any) -> str:
    """One ``[[attestation]]`` table, its evidence the ticket's URL (``extra``: environments=[...])."""
    fields = {"id": item, "by": by, "evidence_url": f"https://tickets.example.com/{ticket}", **extra}
    return _table("attestation", fields, date=date, expires=expires)


def _table(name: str, fields: dict[str, Any], **dates: str) -> str:
    lines = [f"{k} = {toml_value(v)}" for k, v in fields.items()]
    lines += [f"{k} = {dt.date.fromisoformat(v)}" for k, v in dates.items()]  # TOML dates are bare
    return f"\n[[{name}]]\n" + "\n".join(lines) + "\n"


#: Two Redis waivers seen on 2025-01-15: MAXMEMORY valid until February, PERSISTENCE expired the day before.
REDIS_WAIVERS = waiver(
    "ENV-REDIS-MAXMEMORY", "OPS-1", "2025-02-01", "maxmemory set by the managed service"
) + waiver("ENV-REDIS-PERSISTENCE", "OPS-2", "2025-01-14", "AOF after the migration")
#: Two sign-offs seen on 2025-01-15: SECURITY valid until April, PRODUCT expired at the end of 2024.
SIGNOFF_ATTESTATIONS = attestation(
    "SIGNOFF-SECURITY", "alice@example.com", "SEC-42", "2025-01-10", "2025-04-10"
) + attestation("SIGNOFF-PRODUCT", "bob@example.com", "PM-7", "2024-10-01", "2024-12-31")


def make_result(
    statuses: dict[str, str] | None = None,
    environment: str = "prod",
    evidence: dict[str, list[dict[str, Any]]] | None = None,
    derive: bool = True,
) -> RunResult:
    """A result over the whole packaged catalog: every item manual unless given a status."""
    items: list[ItemResult] = verdicts.item_results(CATALOG, [])
    for item in items:
        status = (statuses or {}).get(item["id"])
        if status:
            item["status"] = status  # type: ignore[typeddict-item]
            item["reason"] = "" if status == "pass" else f"{status} reason of {item['id']}"
            item["tests"] = [
                {
                    "nodeid": f"suites/test_x.py::test_{item['id'].lower()}",
                    "outcome": status,
                    "duration_s": 0.01,
                    "message": "",
                }
            ]
        if evidence and item["id"] in evidence:
            item["evidence"] = evidence[item["id"]]
    if derive:
        verdicts.derive_groups(items)
    summary = verdicts.summarize(items)
    return RunResult(
        schema_version=1,
        environment=environment,
        started_at="2025-01-15T02:00:00+00:00",
        duration_s=12.5,
        ready=summary["fail"] == 0 and summary["error"] == 0,
        summary=summary,
        items=items,
        meta={
            "tool": "pytest-readiness 0.1.0",
            "catalog": CATALOG.name,
            "git_revision": "abc1234",
            "tests": 3,
        },
    )


def by_id(result: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(i for i in result["items"] if i["id"] == item_id)


class ReleaseRun:
    """Run pytest in a pytester folder with an environment and the release plugin."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        (pytester.path / "environments").mkdir()
        (pytester.path / "environments" / "prod.toml").write_text("[settings]\ntimeout_s = 2\n")

    def write(self, name: str, text: str) -> Path:
        path = self.pytester.path / name
        path.write_text(text)
        return path

    def run(self, *args: str, cache: bool = False) -> tuple[pytest.RunResult, dict[str, Any] | None]:
        argv = ["--env", "prod", "--readiness-dir", "out", *args]
        if not cache:
            argv = ["-p", "no:cacheprovider", *argv]
        result = self.pytester.runpytest(*argv)
        path = self.pytester.path / "out" / "readiness.json"
        report = json.loads(path.read_text()) if path.exists() else None
        if path.exists():
            path.unlink()
        return result, report
