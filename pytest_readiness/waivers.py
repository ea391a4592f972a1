"""Waivers: an accepted, owned, time-boxed failure, read from ``waivers.toml``.

```toml
[[waiver]]
id = "SEC-HEADERS-CSP"            # a catalog ID (a group ID waives each of its sub-items)
reason = "CSP rollout tracked in SEC-123"
owner = "alice@example.com"
ticket = "SEC-123"
expires = 2025-03-31              # a TOML date; valid up to and including that day
environments = ["prod"]           # optional: only these environments
```

Only a ``fail`` is waived: an ``error`` means the check could not decide, so we do not know that the
gap is still the one that was accepted; it stays ``error`` and its reason says the waiver was not
applied.  An expired waiver no longer applies.  Validation happens in ``pytest_configure``, before
any probe runs: a malformed file, an unknown key or an unknown ID is a
:class:`~pytest_readiness.errors.ConfigError` naming file, key and problem.

Notes for the terminal and the reports go to ``result["meta"]["waivers"]``::

    {"applied": [ids], "expired": [{"id", "expires"}], "unused": [ids], "not_applied": [ids]}

``unused`` lists valid waivers (in scope for this environment) whose items did not fail: clean them up.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_readiness.catalog import Catalog
from pytest_readiness.errors import ConfigError, read_config_text
from pytest_readiness.results import ItemResult, RunResult
from pytest_readiness.status import Status

TODAY_VARIABLE = "READINESS_TODAY"


def today() -> dt.date:
    """Today, or ``$READINESS_TODAY`` (ISO date) so tests and replays can pin the clock."""
    pinned = os.environ.get(TODAY_VARIABLE, "").strip()
    if pinned:
        try:
            return dt.date.fromisoformat(pinned)
        except ValueError:
            raise ConfigError(TODAY_VARIABLE, "", f"{pinned!r} is not an ISO date (YYYY-MM-DD)") from None
    return dt.date.today()


class Entry:
    """A waiver or attestation: an item, until a date, in some environments (none listed: every one)."""

    id: str
    expires: dt.date
    environments: tuple[str, ...]

    def expired(self, on: dt.date) -> bool:
        return on > self.expires

    def record(self) -> dict[str, Any]:
        """The JSON-safe form stored on the item (``item["waiver"]``, ``item["attestation"]``)."""
        return {key: _json_safe(value) for key, value in vars(self).items() if key != "id"}

    def in_scope(self, environment: str) -> bool:
        return not self.environments or environment in self.environments

    def overlaps(self, other: Entry) -> bool:
        """Same item and at least one environment in common: two entries would compete."""
        if self.id != other.id:
            return False
        mine, theirs = set(self.environments), set(other.environments)
        return not mine or not theirs or bool(mine & theirs)


@dataclass(frozen=True)
class Waiver(Entry):
    id: str
    reason: str
    owner: str
    ticket: str
    expires: dt.date
    environments: tuple[str, ...] = ()


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return list(value) if isinstance(value, tuple) else value


# -- reading and validating (shared with attestations) ------------------------------------------------


def read_toml(path: Path) -> dict[str, Any]:
    text = read_config_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "", f"malformed TOML: {exc}") from None


def entries(raw: dict[str, Any], table: str, shown: str) -> list[dict[str, Any]]:
    """The ``[[table]]`` entries; any other top-level key is a mistake worth naming."""
    for key in raw:
        if key != table:
            raise ConfigError(shown, key, f"unknown key (expected [[{table}]] tables)")
    found = raw.get(table, [])
    if not isinstance(found, list) or not all(isinstance(e, dict) for e in found):
        raise ConfigError(shown, table, f"expected an array of [[{table}]] tables")
    return found


def text_field(entry: dict[str, Any], key: str, shown: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(shown, f"{where}.{key}", "missing or empty (expected a string)")
    return value.strip()


def date_field(entry: dict[str, Any], key: str, shown: str, where: str) -> dt.date:
    value = entry.get(key)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None:
        raise ConfigError(shown, f"{where}.{key}", "missing (expected a TOML date like 2025-01-31)")
    raise ConfigError(
        shown, f"{where}.{key}", f"{value!r} is not a TOML date (write it unquoted: 2025-01-31)"
    )


def environments_field(entry: dict[str, Any], shown: str, where: str) -> tuple[str, ...]:
    """The optional ``environments = ["prod", ...]`` of an entry (absent: every environment)."""
    envs = entry.get("environments", [])
    if not isinstance(envs, list) or not all(isinstance(e, str) and e for e in envs):
        raise ConfigError(shown, f"{where}.environments", "expected an array of environment names")
    if "environments" in entry and not envs:
        raise ConfigError(shown, f"{where}.environments", "empty: leave it out to cover every environment")
    return tuple(envs)


def check_keys(entry: dict[str, Any], allowed: Iterable[str], shown: str, where: str) -> None:
    known = set(allowed)
    for key in entry:
        if key not in known:
            raise ConfigError(shown, f"{where}.{key}", f"unknown key (allowed: {', '.join(sorted(known))})")


def check_id(item_id: str, catalog: Catalog, shown: str, where: str) -> None:
    if item_id not in catalog:
        close = ", ".join(catalog.closest(item_id)) or "none"
        raise ConfigError(shown, f"{where}.id", f"unknown checklist ID {item_id!r} (closest known: {close})")


def entry_id(
    entry: dict[str, Any], table: str, index: int, allowed: Iterable[str], catalog: Catalog, shown: str
) -> tuple[str, str]:
    """Check an entry's keys and catalog ID; return the ID and where it is (``waiver[0] (ID)``)."""
    where = f"{table}[{index}]"
    check_keys(entry, allowed, shown, where)
    item_id = text_field(entry, "id", shown, where)
    check_id(item_id, catalog, shown, where)
    return item_id, f"{where} ({item_id})"


# -- waivers -------------------------------------------------------------------------------------------

FIELDS = ("id", "reason", "owner", "ticket", "expires", "environments")


def load(path: Path, catalog: Catalog) -> list[Waiver]:
    """Read and validate a waivers file against the catalog."""
    return parse(read_toml(path), catalog, str(path))


def parse(raw: dict[str, Any], catalog: Catalog, shown: str) -> list[Waiver]:
    waivers: list[Waiver] = []
    for index, entry in enumerate(entries(raw, "waiver", shown)):
        item_id, where = entry_id(entry, "waiver", index, FIELDS, catalog, shown)
        waiver = Waiver(
            id=item_id,
            reason=text_field(entry, "reason", shown, where),
            owner=text_field(entry, "owner", shown, where),
            ticket=text_field(entry, "ticket", shown, where),
            expires=date_field(entry, "expires", shown, where),
            environments=environments_field(entry, shown, where),
        )
        if any(other.overlaps(waiver) for other in waivers):
            raise ConfigError(shown, f"{where}.id", f"{item_id} is waived twice for the same environment")
        waivers.append(waiver)
    return waivers


def targets(item_id: str, items: list[ItemResult]) -> list[ItemResult]:
    """The items a waiver or attestation names: the item itself, or every sub-item of a group."""
    subs = [i for i in items if i["parent"] == item_id]
    own = [i for i in items if i["id"] == item_id]
    return subs + [i for i in own if not subs or i["tests"]]


def apply(
    result: RunResult, waivers: list[Waiver], on: dt.date | Callable[[], dt.date] = today
) -> dict[str, Any]:
    """Mark failing items ``waived`` where a valid in-scope waiver names them; return the notes."""
    day = on() if callable(on) else on
    env = result["environment"]
    notes: dict[str, Any] = {"applied": [], "expired": [], "unused": [], "not_applied": []}
    for waiver in waivers:
        if not waiver.in_scope(env):
            continue
        items = targets(waiver.id, result["items"])
        if waiver.expired(day):
            notes["expired"].append(
                {"id": waiver.id, "expires": waiver.expires.isoformat(), "ticket": waiver.ticket}
            )
            for item in items:
                if item["status"] == Status.FAIL:
                    item["reason"] = _join(
                        item["reason"], f"waiver {waiver.ticket} expired on {waiver.expires}"
                    )
            continue
        used = False
        for item in items:
            if item["status"] == Status.FAIL:
                item["status"] = Status.WAIVED
                item["waiver"] = waiver.record()
                item["reason"] = _join(
                    item["reason"],
                    f"waived until {waiver.expires} ({waiver.ticket}, {waiver.owner}): {waiver.reason}",
                )
                notes["applied"].append(item["id"])
                used = True
            elif item["status"] == Status.ERROR:
                item["reason"] = _join(
                    item["reason"], f"waiver {waiver.ticket} not applied: the check could not decide"
                )
                notes["not_applied"].append(item["id"])
                used = True
        if not used:
            notes["unused"].append(waiver.id)
    return notes


def _join(reason: str, note: str) -> str:
    return f"{reason} [{note}]" if reason else note
