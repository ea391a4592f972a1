"""The terminal summary: a table per section, one line per failed or errored item, go / no-go."""

from __future__ import annotations

from typing import Any

from pytest_readiness import redact
from pytest_readiness.reporters import COLUMNS
from pytest_readiness.results import RunResult
from pytest_readiness.verdicts import by_section

MARKUP = {
    "fail": {"red": True, "bold": True},
    "error": {"red": True, "bold": True},
    "waived": {"yellow": True},
    "pass": {"green": True},
}


def write(tr: Any, result: RunResult, reports: list[str]) -> None:
    env = result["environment"]
    tr.write_sep("=", f"production readiness: {env}", bold=True)
    table = by_section(result["items"])
    width = max([len(s) for s in table] + [len("section")])
    tr.write_line("section".ljust(width) + "".join(f"{label:>9}" for _, label in COLUMNS))
    for section, row in table.items():
        tr.write_line(section.ljust(width) + "".join(f"{row[key]:>9}" for key, _ in COLUMNS))
    bad = [i for i in result["items"] if i["status"] in ("fail", "error") and not _is_group(result, i["id"])]
    if bad:
        tr.write_line("")
    for item in bad:
        text = f"{item['status'].upper():6} {item['id']}  {item['title']}: {item['reason']}"
        tr.write_line(redact.redact(_one_line(text)), **MARKUP[item["status"]])
    for line in _notes(result["meta"]):
        tr.write_line(redact.redact(line), yellow=True)
    s = result["summary"]
    counts = ", ".join(f"{s[k]} {label}" for k, label in COLUMNS if s.get(k))
    verdict = "GO" if result["ready"] else "NO-GO"
    tr.write_sep("=", f"{verdict}: {counts}", green=result["ready"], red=not result["ready"], bold=True)
    for path in reports:
        tr.write_line(f"readiness report: {path}")


def _is_group(result: RunResult, item_id: str) -> bool:
    return any(i["parent"] == item_id for i in result["items"])


def _one_line(text: str, width: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _notes(meta: dict[str, Any]) -> list[str]:
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
    drift = meta.get("drift") or {}
    if drift:
        lines.append(
            f"drift against {drift.get('baseline', 'baseline')}: "
            f"{len(drift.get('regressions', []))} regressed, "
            f"{len(drift.get('fixed', []))} fixed, {len(drift.get('still_failing', []))} still failing"
        )
        if drift.get("regressions"):
            lines.append("regressions: " + ", ".join(map(str, drift["regressions"])))
    if meta.get("unmarked_tests"):
        lines.append(f"{meta['unmarked_tests']} test(s) prove no checklist item (no @pytest.mark.checklist)")
    return lines
