"""Drift: what changed between two runs of the same environment.

A baseline is an earlier ``readiness.json`` (``--baseline PATH``, ``readiness diff OLD NEW``) or,
without one, the statuses of the last run of the same environment kept in pytest's cache under
``readiness/last/<env>`` (``readiness/last/<env>/<phase>`` for phase runs): only ``{id: status}``, so
the cache stays small.

Only leaf items are compared (a group's verdict is derived from its sub-items: listing both would
count one change twice).  The notes go to ``result["meta"]["drift"]``::

    {"baseline": str, "regressions": [ids], "fixed": [ids], "still_failing": [ids], "new": [ids],
     "removed": [ids], "changed": [{"id", "from", "to"}]}

*regression*: was ``pass`` or ``attested``, now ``fail``, ``error`` or ``unverified``; *fixed*: the reverse;
*still failing*: ``fail``/``error``/``unverified`` both times; ``changed`` lists every other status
change.
Version 1 and 2 files are read alike: only ``id``, ``status`` and ``parent`` of the items matter.
``--fail-on-drift`` makes the exit status depend on regressions only.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from pytest_readiness.errors import ConfigError, read_config_text
from pytest_readiness.status import Status

GOOD = frozenset(s.value for s in Status if s.done)
BAD = frozenset(s.value for s in Status if s.regressed)
KINDS = ("regressions", "fixed", "still_failing", "new", "removed")
#: How a count of each kind reads in a summary line.
COUNTED = {
    "regressions": "regressed",
    "fixed": "fixed",
    "still_failing": "still failing",
    "new": "new",
    "removed": "removed",
}


def statuses(result: Mapping[str, Any]) -> dict[str, str]:
    """``{id: status}`` of the leaf items of a readiness.json, or of a cached ``{"statuses": ...}``."""
    if isinstance(result.get("statuses"), dict):
        return {str(k): str(v) for k, v in result["statuses"].items()}
    items = result.get("items")
    if not isinstance(items, list):
        raise ValueError("neither 'items' nor 'statuses': not a readiness.json")
    parents = {i.get("parent") for i in items if isinstance(i, dict) and i.get("parent")}
    return {
        str(i["id"]): str(i["status"])
        for i in items
        if isinstance(i, dict) and "id" in i and "status" in i and i["id"] not in parents
    }


def snapshot(result: Mapping[str, Any]) -> dict[str, Any]:
    """The small form kept in pytest's cache."""
    return {
        "environment": result.get("environment", ""),
        "started_at": result.get("started_at", ""),
        "statuses": statuses(result),
    }


def compare(old: Mapping[str, str], new: Mapping[str, str], baseline: str = "") -> dict[str, Any]:
    drift: dict[str, Any] = {"baseline": baseline, **{k: [] for k in KINDS}, "changed": []}
    for item_id, now in new.items():
        was = old.get(item_id)
        if was is None:
            drift["new"].append(item_id)
        elif was in GOOD and now in BAD:
            drift["regressions"].append(item_id)
        elif was in BAD and now in GOOD:
            drift["fixed"].append(item_id)
        elif was in BAD and now in BAD:
            drift["still_failing"].append(item_id)
        elif was != now:
            drift["changed"].append({"id": item_id, "from": was, "to": now})
    drift["removed"] = [item_id for item_id in old if item_id not in new]
    return drift


def load_baseline(path: Path) -> dict[str, Any]:
    """Read a baseline readiness.json; problems are configuration errors (before any probe runs)."""
    text = read_config_text(path, "baseline file not found")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(str(path), "", f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(str(path), "", "not a readiness.json (expected an object)")
    try:
        statuses(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(str(path), "items", str(exc)) from None
    return data


def counts(drift: Mapping[str, Any]) -> str:
    """``1 regressed, 2 fixed, 0 still failing, 0 new, 0 removed``: the one drift summary of every report."""
    return ", ".join(f"{len(drift.get(k) or [])} {COUNTED[k]}" for k in KINDS)


def summary(drift: Mapping[str, Any]) -> list[str]:
    """The drift lines of a report's notes: the counts, then the regressed IDs (the news)."""
    lines = [f"drift against {drift.get('baseline') or 'baseline'}: {counts(drift)}"]
    if drift.get("regressions"):
        lines.append("regressions: " + ", ".join(map(str, drift["regressions"])))
    return lines


def describe(
    drift: Mapping[str, Any],
    old_status: Mapping[str, str] | None = None,
    new_status: Mapping[str, str] | None = None,
) -> list[str]:
    """Readable lines, worst news first."""
    old_status, new_status = old_status or {}, new_status or {}
    lines = summary(drift)[:1]
    labels = {
        "regressions": "REGRESSED",
        "fixed": "FIXED",
        "still_failing": "STILL FAILING",
        "new": "NEW",
        "removed": "REMOVED",
    }
    for kind in KINDS:
        for item_id in drift[kind]:
            was, now = old_status.get(item_id, "-"), new_status.get(item_id, "-")
            lines.append(f"  {labels[kind]:<14} {item_id}  ({was} -> {now})")
    for change in drift.get("changed", []):
        lines.append(f"  {'CHANGED':<14} {change['id']}  ({change['from']} -> {change['to']})")
    return lines


def exit_status(drift: Mapping[str, Any]) -> int:
    return 1 if drift.get("regressions") else 0


def main_diff(old_path: Path, new_path: Path, fail_on_drift: bool, out: TextIO | None = None) -> int:
    """``readiness diff OLD NEW``: print the drift; 1 on regressions with ``--fail-on-drift``, else 0."""
    out = out or sys.stdout
    try:
        old, new = load_baseline(Path(old_path)), load_baseline(Path(new_path))
    except ConfigError as exc:
        print(f"readiness diff: {exc}", file=sys.stderr)
        return 2
    old_s, new_s = statuses(old), statuses(new)
    if old.get("environment") != new.get("environment"):
        print(
            f"note: comparing environment {old.get('environment')!r} with {new.get('environment')!r}",
            file=out,
        )
    drift = compare(old_s, new_s, baseline=f"{old_path} ({old.get('started_at', '?')})")
    for line in describe(drift, old_s, new_s):
        print(line, file=out)
    return exit_status(drift) if fail_on_drift else 0
