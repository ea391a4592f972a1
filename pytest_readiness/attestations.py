"""Attestations: a person vouches for a manual item, with evidence, until a date.

```toml
[[attestation]]
id = "SIGNOFF-SECURITY"           # a manual or attestation item (a group ID attests its sub-items)
by = "alice@example.com"
date = 2025-01-10                 # when it was attested (TOML date, not in the future)
evidence_url = "https://tickets.example.com/SEC-42"
expires = 2025-04-10              # valid up to and including that day
environments = ["prod"]           # optional: only these environments (a staging sign-off is not prod's)
```

An item no check decided (status ``manual``) becomes ``attested`` while the attestation is valid; an
expired one leaves it ``manual`` with the reason ``attestation expired on ...``.  Attesting an
``automated`` item is a configuration error: its check decides it (accept a failure with a waiver),
except the items of :data:`ATTESTABLE`, whose fact a managed platform hides from the check (managed
node autoscaling, managed backups): there an attestation vouches for what the check could not see,
replacing the old free-text ``autoscaler_evidence`` / ``managed_evidence`` keys.
The sign-off items of the checklist (kind ``attestation``) are attested this way.

Notes go to ``result["meta"]["attestations"]``::

    {"applied": [ids], "expired": [{"id", "expires"}], "unused": [ids]}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pytest_readiness.catalog import Catalog
from pytest_readiness.errors import ConfigError
from pytest_readiness.results import ItemResult, RunResult
from pytest_readiness.status import Status
from pytest_readiness.waivers import (
    Entry,
    date_field,
    entries,
    entry_id,
    environments_field,
    read_toml,
    targets,
    text_field,
    today,
)

FIELDS = ("id", "by", "date", "evidence_url", "expires", "environments")
#: Automated items a person may vouch for when their check cannot decide (managed platforms).
ATTESTABLE = frozenset({"INFRA-K8S-AUTOSCALING", "INFRA-BACKUP-STRATEGY"})


@dataclass(frozen=True)
class Attestation(Entry):
    id: str
    by: str
    date: dt.date
    evidence_url: str
    expires: dt.date
    environments: tuple[str, ...] = ()


def load(path: Path, catalog: Catalog, on: dt.date | None = None) -> list[Attestation]:
    return parse(read_toml(path), catalog, str(path), on)


def parse(raw: dict[str, Any], catalog: Catalog, shown: str, on: dt.date | None = None) -> list[Attestation]:
    day = on or today()
    found: list[Attestation] = []
    for index, entry in enumerate(entries(raw, "attestation", shown)):
        item_id, where = entry_id(entry, "attestation", index, FIELDS, catalog, shown)
        named = [catalog.get(item_id), *catalog.children(item_id)]
        automated = [i["id"] for i in named if i["kind"] == "automated" and i["id"] not in ATTESTABLE]
        if automated:
            raise ConfigError(
                shown,
                f"{where}.id",
                f"{', '.join(automated)} is automated: its check decides it "
                "(use a waiver to accept a failure)",
            )
        url = text_field(entry, "evidence_url", shown, where)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(shown, f"{where}.evidence_url", f"{url!r} is not an http(s) URL")
        attestation = Attestation(
            id=item_id,
            by=text_field(entry, "by", shown, where),
            date=date_field(entry, "date", shown, where),
            evidence_url=url,
            expires=date_field(entry, "expires", shown, where),
            environments=environments_field(entry, shown, where),
        )
        if attestation.date > day:
            raise ConfigError(shown, f"{where}.date", f"{attestation.date} is in the future")
        if attestation.expires < attestation.date:
            raise ConfigError(
                shown, f"{where}.expires", f"{attestation.expires} is before date {attestation.date}"
            )
        if any(other.overlaps(attestation) for other in found):
            raise ConfigError(shown, f"{where}.id", f"{item_id} is attested twice for the same environment")
        found.append(attestation)
    return found


def apply(
    result: RunResult, attestations: list[Attestation], on: dt.date | Callable[[], dt.date] = today
) -> dict[str, Any]:
    """Mark undecided manual items ``attested`` while an in-scope attestation is valid; return the notes."""
    day = on() if callable(on) else on
    notes: dict[str, Any] = {"applied": [], "expired": [], "unused": []}
    for attestation in attestations:
        if not attestation.in_scope(result["environment"]):
            continue
        items = [i for i in targets(attestation.id, result["items"]) if _open(i)]
        if not items:
            notes["unused"].append(attestation.id)
            continue
        if attestation.expired(day):
            notes["expired"].append({"id": attestation.id, "expires": attestation.expires.isoformat()})
            for item in items:
                item["reason"] = f"attestation expired on {attestation.expires} (by {attestation.by})"
            continue
        for item in items:
            checked = item["status"] != Status.MANUAL and item["reason"]
            seen = f" (the check: {item['reason']})" if checked else ""
            item["status"] = Status.ATTESTED
            item["attestation"] = attestation.record()
            item["reason"] = (
                f"attested by {attestation.by} on {attestation.date}, valid until "
                f"{attestation.expires}: {attestation.evidence_url}{seen}"
            )
            notes["applied"].append(item["id"])
    return notes


def _open(item: ItemResult) -> bool:
    """An attestation applies to a manual item, or to an attestable automated one its check could not decide.

    Never to a ``fail``: a failure wins over everything (accept one with a waiver, which has a ticket).
    """
    if item["status"] == Status.MANUAL:
        return True
    return item["id"] in ATTESTABLE and item["status"] in (Status.ERROR, Status.UNVERIFIED)
