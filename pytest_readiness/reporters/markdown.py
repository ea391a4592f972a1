"""``checklist.md``: the checklist re-rendered with its verdicts, ready to paste into a release ticket.

Layout follows the checklist: ``##`` parts, ``###`` sections (or the step headings of flat parts
such as Deployment Steps), groups in bold with their sub-items indented, numbered steps numbered.
``[x]`` means passed or attested; ``[ ]`` is followed by `` — `` and the verdict with its reason
(FAIL, ERROR, UNVERIFIED, WAIVED with the ticket, N/A, manual).  Every catalog item appears exactly once.
Reasons are one line, redacted and stripped of HTML, since trackers render Markdown with inline HTML.
"""

from __future__ import annotations

from pathlib import Path

from pytest_readiness import drift, redact
from pytest_readiness.catalog import Catalog
from pytest_readiness.reporters import COLUMNS, verdict, write_atomic
from pytest_readiness.reporters.terminal import missing_lines
from pytest_readiness.results import ItemResult, RunMeta, RunResult
from pytest_readiness.status import Status
from pytest_readiness.verdicts import coverage_line

FILENAME = "checklist.md"
SEPARATOR = " — "
DONE = frozenset(s for s in Status if s.done)
SUMMARY_ORDER = COLUMNS
LABEL = {
    Status.FAIL: "**FAIL**",
    Status.ERROR: "**ERROR**",
    Status.UNVERIFIED: "**UNVERIFIED**",
    Status.NOT_APPLICABLE: "N/A",
    Status.MANUAL: Status.MANUAL.label,
    Status.ATTESTED: Status.ATTESTED.label,
    Status.WAIVED: "**WAIVED**",
}


def clean(text: str, width: int = 300) -> str:
    """One line, no HTML, no secret, bounded."""
    text = " ".join(redact.redact(str(text)[: width * 4 + 256]).split())
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return text if len(text) <= width else text[: width - 1] + "…"


def verdict_note(item: ItemResult) -> str:
    status, reason = Status(item["status"]), item["reason"]
    if status is Status.PASS:
        return ""
    if status is Status.ATTESTED and item.get("attestation"):
        a = item["attestation"] or {}
        return (
            f"attested by {clean(a.get('by', ''), 80)} on {a.get('date', '')}, valid until "
            f"{a.get('expires', '')} ([evidence]({clean(a.get('evidence_url', ''), 200)}))"
        )
    if status is Status.WAIVED and item.get("waiver"):
        w = item["waiver"] or {}
        return (
            f"**WAIVED** ({clean(w.get('ticket', ''), 60)}, {clean(w.get('owner', ''), 80)}, until "
            f"{w.get('expires', '')}): {clean(w.get('reason', ''))}"
        )
    label = LABEL.get(status, status.value)
    return f"{label}: {clean(reason)}" if reason else label


def line(item: ItemResult, bold: bool = False) -> str:
    mark = "[x]" if item["status"] in DONE else "[ ]"
    title = f"**{item['title']}**" if bold else item["title"]
    note = verdict_note(item)
    return f"{mark} {title}{SEPARATOR}{note}" if note else f"{mark} {title}"


def render(result: RunResult, catalog: Catalog | None = None) -> str:
    meta = result["meta"]
    name = meta.get("catalog") or (catalog.name if catalog else "Production readiness")
    out = [f"# {name}: readiness report", ""]
    gate = f" (gate: {result['gate']})" if result.get("gate") else ""
    if meta.get("incomplete"):
        out += [f"> **INCOMPLETE RUN:** {clean(str(meta['incomplete']), 300)}", ""]
    facts = [
        f"**Verdict:** {verdict(result).value}{gate}",
        f"**Environment:** {clean(result['environment'], 80)}",
        f"**Run:** {result['started_at']}",
    ]
    if meta.get("phase"):
        facts.append(f"**Phase:** {meta['phase']}")
    if revision := meta.get("git_revision"):
        facts.append(f"**Revision:** `{clean(revision, 40)}`")
    if meta.get("tool"):
        facts.append(f"**Tool:** {clean(meta['tool'], 60)}")
    out += [" · ".join(facts), ""]
    summary = result["summary"]
    out += ["**Summary:** " + ", ".join(f"{summary.get(k, 0)} {label}" for k, label in SUMMARY_ORDER), ""]
    cov = result.get("coverage")
    if cov:
        out += [f"**Coverage:** {coverage_line(cov['overall'])}", ""]
        out += [f"- {sev}: {coverage_line(row)}" for sev, row in cov["by_severity"].items()] + [""]
    declared = result.get("applicability") or {}
    if declared:
        out += ["**Declared not applicable:**", ""]
        out += [f"- `{clean(k, 80)}`: {clean(v)}" for k, v in declared.items()] + [""]
    missing = missing_lines(result)
    if missing:
        out += [missing[0], "", *(f"- {clean(line.strip(), 400)}" for line in missing[1:]), ""]
    out += _notes(meta)
    out += _body(result["items"], catalog)
    return "\n".join(out).rstrip() + "\n"


def _notes(meta: RunMeta) -> list[str]:
    lines: list[str] = []
    for entry in (meta.get("waivers") or {}).get("expired", []):
        lines.append(f"- Waiver for {entry['id']} expired on {entry['expires']}: no longer applied")
    unused = (meta.get("waivers") or {}).get("unused", [])
    if unused:
        lines.append(f"- Unused waivers (items not failing): {', '.join(unused)}")
    for entry in (meta.get("attestations") or {}).get("expired", []):
        lines.append(f"- Attestation for {entry['id']} expired on {entry['expires']}")
    if meta.get("drift"):
        lines += [f"- {clean(line[:1].upper() + line[1:], 2000)}" for line in drift.summary(meta["drift"])]
    return [*lines, ""] if lines else []


def _body(items: list[ItemResult], catalog: Catalog | None) -> list[str]:
    parents = {i["parent"] for i in items if i["parent"]}
    out: list[str] = []
    part = heading = None
    for item in items:
        known = catalog.get(item["id"]) if catalog is not None and item["id"] in catalog else None
        item_part = (known["part"] if known else "") or item["section"]
        style = known["style"] if known else "checkbox"
        number = known["number"] if known else 0
        flat = item["section"] == item_part
        if item_part != part:
            if out and out[-1] != "":
                out.append("")
            out += [f"## {item_part}", ""]
            part, heading = item_part, None
        new_heading = (item["group"] or item["section"]) if flat else item["section"]
        if new_heading != heading and not (flat and new_heading == item_part):
            if out and out[-1] != "":
                out.append("")
            out += [f"### {new_heading}", ""]
        heading = new_heading
        if item["parent"] and not flat:
            out.append(f"  - {line(item)}")
            continue
        if item["id"] in parents and out and out[-1] != "" and not out[-1].startswith("#"):
            out.append("")
        bullet = f"{number}." if style == "numbered" and number else "-"
        out.append(f"{bullet} {line(item, bold=item['id'] in parents)}")
    return out


def write(result: RunResult, out_dir: Path, catalog: Catalog | None = None) -> Path:
    path = out_dir / FILENAME
    write_atomic(path, render(result, catalog))
    return path
