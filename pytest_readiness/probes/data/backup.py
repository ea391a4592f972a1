"""Backup and recovery evidence: a recent restore test, a DR plan, RTO and RPO targets.

The backup *schedule* lives in the Kubernetes inventory (:func:`..kubernetes.rules.assess_backup_schedule`);
PostgreSQL WAL archiving is checked by Environment Setup.  Here:

* restore test: ``[backup] restore_evidence`` is a file or an http(s) URL whose content names the
  date of the last successful restore (JSON/YAML key ``date``/``restored_at``/``last_restore``/
  ``completed_at``, else the latest ISO date in the text); it must be younger than the threshold.
* DR plan: a document named like the topic (``docs/disaster-recovery.md``, ``DR.md``...) or a Markdown
  heading "Disaster recovery" / "Business continuity" in ``README.md`` or ``docs/``, not a stub.
* RTO/RPO: both stated with a duration (``RTO: 4 hours``, ``Recovery Point Objective ≤ 15 min``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from pytest_readiness import safe_yaml
from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes import transport
from pytest_readiness.probes.repo import docs

DATE_KEYS = ("last_restore", "restored_at", "completed_at", "date", "finished_at", "timestamp")
_ISO_DATE = re.compile(
    r"\b(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})?)?\b"
)
DR_FILES = re.compile(r"^(disaster[-_ ]?recovery.*|dr[-_ ]?plan.*|dr|business[-_ ]?continuity.*|bcp)$", re.I)
DR_HEADING = re.compile(r"^#{1,6}\s+.*\b(disaster[- ]recovery|business continuity|dr plan)\b", re.I | re.M)
DOC_SUFFIXES = (".md", ".mdx", ".rst", ".txt", ".adoc")
SKIP_DIRS = {"node_modules", ".git", ".venv", "venv", "vendor", "dist", "build", ".next"}
MIN_WORDS = 30
_DURATION = r"(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b"
OBJECTIVES = {
    "RTO": re.compile(r"\b(?:RTO|recovery[- ]time[- ]objective)\b[^\n\d]{0,40}?" + _DURATION, re.I),
    "RPO": re.compile(r"\b(?:RPO|recovery[- ]point[- ]objective)\b[^\n\d]{0,40}?" + _DURATION, re.I),
}


# ---------------------------------------------------------------------------------- restore test
def read_evidence(source: str, root: Path, timeout: float = 10.0) -> str:
    """The evidence text from a file (relative to ``root``) or an http(s) URL (GET, verified TLS)."""
    if source.startswith(("http://", "https://")):
        try:
            with transport.new_session() as http:
                resp = transport.fetch(http, "GET", source, timeout=timeout)
        except transport.TransportError as exc:
            raise ProbeError(f"restore evidence URL {transport.describe(exc)}") from None
        if resp.status_code != 200:
            raise ProbeError(f"restore evidence URL answered HTTP {resp.status_code}")
        return resp.text
    path = Path(os.path.expanduser(source))
    path = path if path.is_absolute() else root / path
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProbeError(f"restore evidence {path}: {exc.__class__.__name__}") from None


def restore_date(text: str) -> dt.datetime | None:
    """The restore date: a known key of a JSON/YAML document, else the latest ISO date in the text."""
    try:
        doc: Any = json.loads(text)
    except ValueError:
        try:
            doc = safe_yaml.load(text, "restore evidence")
        except yaml.YAMLError:
            doc = None
    if isinstance(doc, dict):
        for key in DATE_KEYS:
            value = doc.get(key)
            if isinstance(value, dt.datetime | dt.date):
                return _aware(value)
            if isinstance(value, str) and (parsed := _parse(value)) is not None:
                return parsed
    dates = [d for m in _ISO_DATE.finditer(text) if (d := _parse(m.group(0))) is not None]
    return max(dates) if dates else None


def _parse(value: str) -> dt.datetime | None:
    try:
        return _aware(dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
    except ValueError:
        return None


def _aware(value: dt.date) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def assess_restore_age(
    when: dt.datetime | None, max_days: float, source: str, now: dt.datetime | None = None
) -> Assessment:
    """The last restore test happened within ``max_days`` (and not in the future)."""
    now = now or dt.datetime.now(dt.UTC)
    if when is None:
        return Assessment.single(
            "restore tested",
            f"restore evidence {source}",
            "no date found",
            f"a restore date within {max_days:g} days",
            False,
        )
    age = (now - when).total_seconds() / 86400
    ok = 0 <= age <= max_days or (-1 < age < 0)
    note = "" if ok else ("dated in the future" if age < 0 else f"{age:.0f} days old")
    return Assessment.single("restore tested", f"restore evidence {source}",
                             {"date": when.isoformat(), "age_days": round(age, 1)},
                             f"<= {max_days:g} days old", ok, note)  # fmt: skip


# ----------------------------------------------------------------------------------- documents
DocMatch = docs.DocHit  # a DR document: the same facts as any other document of the repository


def _docs(root: Path) -> list[Path]:
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        out.extend(Path(dirpath) / f for f in sorted(filenames) if f.lower().endswith(DOC_SUFFIXES))
    return out


def find_dr_plan(root: Path, configured: str | None = None) -> list[DocMatch]:
    """Files named like a DR plan, then DR headings in the repository's documents."""
    if configured:
        path = root / configured
        if not path.is_file():
            return []
        words = _word_count(path.read_text(encoding="utf-8", errors="replace"))
        return [DocMatch(configured, words, "configured")]
    found: list[DocMatch] = []
    for path in _docs(root):
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        if DR_FILES.match(path.stem):
            found.append(DocMatch(rel, _word_count(text), "file"))
            continue
        m = DR_HEADING.search(text)
        if m:
            heading = m.group(0).lstrip("#").strip()
            found.append(DocMatch(f"{rel}#{heading}", _section_words(text, m), "heading"))
    return found


def _word_count(text: str) -> int:
    body = re.sub(r"(?im)^\s*(#.*|todo.*|tbd.*)$", "", text)
    return len(re.findall(r"\w+", body))


def _section_words(text: str, m: re.Match[str]) -> int:
    level = len(m.group(0)) - len(m.group(0).lstrip("#"))
    rest = text[m.end() :]
    nxt = re.search(rf"^#{{1,{level}}}\s", rest, re.M)
    return _word_count(rest[: nxt.start()] if nxt else rest)


def assess_dr_plan(matches: Sequence[DocMatch]) -> Assessment:
    """At least one disaster-recovery document that is more than a stub."""
    expected = "docs/disaster-recovery.md or a 'Disaster recovery' section"
    missing = Finding("repository docs", "no disaster recovery plan", expected, False)
    return docs.assess_not_stub("disaster recovery plan", matches, missing, MIN_WORDS)


def find_objectives(root: Path, paths: Iterable[str] = ()) -> dict[str, tuple[str, str]]:
    """``{"RTO": ("4 hours", "docs/dr.md:12"), ...}``: the first stated value of each objective."""
    files = [root / p for p in paths] if paths else _docs(root)
    out: dict[str, tuple[str, str]] = {}
    for path in files:
        if not path.is_file():
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for name, rx in OBJECTIVES.items():
                if name not in out and (m := rx.search(line)):
                    out[name] = (
                        f"{m.group(1)} {m.group(2)}",
                        f"{path.relative_to(root).as_posix()}:{lineno}",
                    )
        if len(out) == len(OBJECTIVES):
            break
    return out


def assess_objectives(found: dict[str, tuple[str, str]]) -> Assessment:
    """Both RTO and RPO are stated with a duration."""
    findings = []
    for name in OBJECTIVES:
        hit = found.get(name)
        findings.append(Finding(hit[1] if hit else f"{name} target", hit[0] if hit else "not stated",
                                f"{name} with a duration", hit is not None))  # fmt: skip
    return Assessment.of("RTO/RPO targets", findings)
