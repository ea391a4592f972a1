"""The terminal summary: a table per section, one line per failed or errored item, the coverage line,
what an INCOMPLETE verdict misses, and GO / NO-GO / INCOMPLETE."""

from __future__ import annotations

from typing import Any

from pytest_readiness import drift, redact
from pytest_readiness.reporters import COLUMNS, verdict
from pytest_readiness.results import RunMeta, RunResult
from pytest_readiness.status import Status, Verdict
from pytest_readiness.verdicts import by_section, coverage_line

MARKUP = {
    Status.FAIL: {"red": True, "bold": True},
    Status.ERROR: {"red": True, "bold": True},
    Status.WAIVED: {"yellow": True},
    Status.PASS: {"green": True},
}
#: Sections listed under an INCOMPLETE verdict, and keys per section.
MISSING_SECTIONS, MISSING_KEYS = 12, 3


def write(tr: Any, result: RunResult, reports: list[str]) -> None:
    env = result["environment"]
    tr.write_sep("=", f"production readiness: {env}", bold=True)
    table = by_section(result["items"])
    width = max([len(s) for s in table] + [len("section")])
    tr.write_line("section".ljust(width) + "".join(f"{label:>11}" for _, label in COLUMNS))
    for section, row in table.items():
        tr.write_line(section.ljust(width) + "".join(f"{row[key]:>11}" for key, _ in COLUMNS))
    bad = [i for i in result["items"] if Status(i["status"]).bad and not _is_group(result, i["id"])]
    if bad:
        tr.write_line("")
    for item in bad:
        status = Status(item["status"])
        text = f"{status.value.upper():6} {item['id']}  {item['title']}: {item['reason']}"
        tr.write_line(redact.redact(_one_line(text)), **MARKUP[status])
    for line in _notes(result["meta"]):
        tr.write_line(redact.redact(line), yellow=True)
    for key, reason in (result.get("applicability") or {}).items():
        tr.write_line(redact.redact(_one_line(f"declared not applicable: {key}: {reason}")))
    for line in missing_lines(result):
        tr.write_line(redact.redact(_one_line(line)), yellow=True)
    cov = result.get("coverage")
    if cov:
        per = "; ".join(f"{sev}: {coverage_line(row)}" for sev, row in cov["by_severity"].items())
        tr.write_line(_one_line(f"coverage: {coverage_line(cov['overall'])} ({per})", 400))
    s = result["summary"]
    counts = ", ".join(f"{s[k]} {label}" for k, label in COLUMNS if s.get(k))
    v = verdict(result)
    gate = f" (gate: {result['gate']})" if result.get("gate") else ""
    tr.write_sep(
        "=",
        f"{v.value}{gate}: {counts}",
        green=v is Verdict.GO,
        red=v is Verdict.NO_GO,
        yellow=v is Verdict.INCOMPLETE,
        bold=True,
    )
    for path in reports:
        tr.write_line(f"readiness report: {path}")


def missing_lines(result: RunResult) -> list[str]:
    """What keeps an INCOMPLETE verdict from GO, by section, with the first keys to configure."""
    missing = result.get("missing") or {}
    if not missing:
        return []
    lines = [f"INCOMPLETE: items at or above the gate ({result.get('gate', 'high')}) not verified:"]
    for section, row in list(missing.items())[:MISSING_SECTIONS]:
        ids = row["items"]
        shown = ", ".join(ids[:4]) + (f" and {len(ids) - 4} more" if len(ids) > 4 else "")
        keys = row["configure"][:MISSING_KEYS]
        hint = f" (configure {', '.join(keys)})" if keys else ""
        lines.append(f"  {section}: {shown}{hint}")
    if len(missing) > MISSING_SECTIONS:
        lines.append(f"  ... {len(missing) - MISSING_SECTIONS} more sections (see readiness.json: missing)")
    return lines


def _is_group(result: RunResult, item_id: str) -> bool:
    return any(i["parent"] == item_id for i in result["items"])


def _one_line(text: str, width: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _notes(meta: RunMeta) -> list[str]:
    lines: list[str] = []
    if meta.get("incomplete"):
        lines.append(str(meta["incomplete"]))
    waivers = meta.get("waivers") or {}
    for entry in waivers.get("expired", []):
        lines.append(f"waiver for {entry.get('id')} expired on {entry.get('expires')}: no longer applied")
    if waivers.get("unused"):
        lines.append("unused waivers: " + ", ".join(map(str, waivers["unused"])))
    attestations = meta.get("attestations") or {}
    for entry in attestations.get("expired", []):
        lines.append(f"attestation for {entry.get('id')} expired on {entry.get('expires')}")
    if meta.get("drift"):
        lines += drift.summary(meta["drift"])
    if meta.get("unmarked_tests"):
        lines.append(f"{meta['unmarked_tests']} test(s) prove no checklist item (no @pytest.mark.checklist)")
    return lines
