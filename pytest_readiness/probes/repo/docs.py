"""Documentation in the repository: present, not a stub, and fresh where freshness matters.

Each kind of document has default locations (overridable with ``[repo] docs``): file globs, plus a
Markdown heading in ``docs/`` or ``README.md`` naming the topic (an "Incident response" section in
an ops handbook counts).  A file of only a title or ``TODO`` is a stub.  Freshness and the
changelog read git metadata of the checkout (``git log``), never the network.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.repo.git_repo import run_git

F = TypeVar("F", bound=Callable[..., Any])

DOC_SUFFIXES = (".md", ".mdx", ".rst", ".txt", ".adoc", ".html", ".pdf")
MIN_WORDS = 20
#: kind -> (globs, heading keywords). Globs are relative to the repository root, case-insensitive.
DEFAULTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "architecture": (
        (
            "docs/architecture*",
            "docs/**/architecture*",
            "ARCHITECTURE.md",
            "docs/adr/*",
            "docs/decisions/*",
            "**/*.drawio",
            "**/*.mmd",
            "**/*.puml",
            "**/*.plantuml",
            "docs/**/*diagram*",
        ),
        ("architecture", "system design", "system overview"),
    ),
    "db_schema": (
        (
            "docs/database*",
            "docs/**/database*",
            "docs/schema*",
            "docs/**/schema*",
            "docs/**/*erd*",
            "**/*.dbml",
            "docs/data-model*",
            "docs/**/data-model*",
        ),
        ("database schema", "data model", "schema", "entity relationship"),
    ),
    "deploy_guide": (
        ("docs/deploy*", "docs/**/deploy*", "DEPLOY*.md", "DEPLOYMENT*.md", "docs/**/release-process*"),
        ("deployment", "deploying", "deploy guide", "how to deploy"),
    ),
    "runbooks": (
        (
            "runbooks/*",
            "docs/runbooks/*",
            "docs/runbook*",
            "docs/**/runbooks/*",
            "docs/playbooks/*",
            "ops/runbooks/*",
        ),
        ("runbook",),
    ),
    "incident_response": (
        (
            "docs/incident*",
            "docs/**/incident*",
            "INCIDENT*.md",
            "runbooks/incident*",
            "docs/**/postmortem-template*",
        ),
        ("incident response", "incident management", "incident process"),
    ),
    "escalation": (
        ("docs/escalation*", "docs/**/escalation*", "ESCALATION*.md", "runbooks/escalation*"),
        ("escalation",),
    ),
}
#: Deployment configuration the deployment guide describes (its freshness is compared with these).
DEPLOY_CONFIG_PATHS = (
    ".github/workflows",
    "k8s",
    "kubernetes",
    "helm",
    "charts",
    "deploy",
    "deployment",
    "Dockerfile",
    "docker-compose.yml",
    "docker-compose.yaml",
    "vercel.json",
    "fly.toml",
    "infra",
    "terraform",
)
CHANGELOGS = (
    "CHANGELOG.md",
    "CHANGELOG",
    "CHANGES.md",
    "CHANGES.rst",
    "HISTORY.md",
    "RELEASE_NOTES.md",
    "RELEASES.md",
    "NEWS.md",
    "docs/changelog.md",
    "docs/CHANGELOG.md",
    "docs/release-notes.md",
)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$|^(.+)\n[=-]{3,}\s*$", re.M)
_SKIP = ("node_modules/", ".git/", ".venv/", "vendor/", "dist/", "build/", ".next/")


@dataclass(frozen=True)
class DocHit:
    path: str
    words: int
    how: str  # "file" | "heading '...'"


def _tree(root: Path) -> list[tuple[str, bool]]:
    """(relative path, is folder) of everything under ``root`` but vendored and build folders."""
    out: list[tuple[str, bool]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d + "/" not in _SKIP)
        base = Path(dirpath).relative_to(root).as_posix()
        prefix = "" if base == "." else base + "/"
        out += [(prefix + d, True) for d in dirnames] + [(prefix + f, False) for f in sorted(filenames)]
    return out


def _pattern(glob: str) -> re.Pattern[str]:
    """A case-insensitive regex for a glob where ``**/`` spans folders and ``*`` stays in one."""
    out, i = "", 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif glob[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif glob[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(glob[i]), i + 1
    return re.compile(out + r"\Z", re.I)


def _words(path: Path) -> int:
    if path.suffix.lower() in (".pdf", ".drawio", ".png", ".svg"):
        return MIN_WORDS if path.stat().st_size > 0 else 0
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 0
    body = re.sub(r"(?im)^\s*(#.*|todo.*|tbd.*|coming soon.*|wip.*)$", "", text)
    return len(re.findall(r"\w+", body))


def find_docs(root: Path, globs: Iterable[str], keywords: Iterable[str] = ()) -> list[DocHit]:
    """Files matching ``globs`` (folders: the files inside), then Markdown headings naming a keyword."""
    hits: dict[str, DocHit] = {}
    tree = _tree(root)
    for glob in globs:
        rx = _pattern(glob)
        for rel, is_dir in tree:
            if not rx.match(rel):
                continue
            inside = [r for r, d in tree if r.startswith(rel + "/") and not d] if is_dir else [rel]
            for f in inside:
                hits.setdefault(f, DocHit(f, _words(root / f), "file"))
    keys = [k.lower() for k in keywords]
    if keys:
        candidates = (
            [root / "README.md", *sorted((root / "docs").rglob("*.md"))]
            if (root / "docs").is_dir()
            else [root / "README.md"]
        )
        for doc in candidates:
            rel = doc.relative_to(root).as_posix() if doc.is_file() else ""
            if not rel or rel in hits:  # not there, or already found as a whole file
                continue
            text = doc.read_text(encoding="utf-8", errors="replace")
            for m in _HEADING.finditer(text):
                title = (m.group(2) or m.group(3) or "").strip()
                if any(k in title.lower() for k in keys):
                    section = _section_words(text, m.end(), len(m.group(1) or "#"))
                    hits.setdefault(f"{rel}#{title}", DocHit(f"{rel}#{title}", section, f"heading {title!r}"))
                    break
    return sorted(hits.values(), key=lambda h: h.path)


def _section_words(text: str, start: int, level: int) -> int:
    rest = text[start:]
    nxt = re.search(rf"^#{{1,{level}}}\s", rest, re.M)
    return len(re.findall(r"\w+", rest[: nxt.start()] if nxt else rest))


def locations(kind: str, configured: Mapping[str, object] | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(globs, heading keywords) for a kind: ``[repo] docs.<kind>`` (a path or list) replaces the defaults."""
    globs, keys = DEFAULTS[kind]
    value = (configured or {}).get(kind)
    if isinstance(value, str):
        return (value,), ()
    if isinstance(value, list):
        return tuple(str(v) for v in value), ()
    return globs, keys


def assess_docs(kind: str, title: str, hits: Sequence[DocHit], expected: Sequence[str]) -> Assessment:
    """At least one non-stub document of this kind."""
    missing = Finding(title, "not found", f"one of {', '.join(expected[:6])}", False)
    return assess_not_stub(f"{title} present", hits, missing)


def assess_not_stub(
    check: str, found: Sequence[DocHit], missing: Finding, min_words: int = MIN_WORDS
) -> Assessment:
    """At least one of the ``found`` documents has ``min_words`` words (fewer: a stub); none: ``missing``."""
    findings = [
        Finding(
            d.path,
            f"{d.words} words ({d.how})",
            f">= {min_words} words",
            d.words >= min_words,
            "" if d.words >= min_words else "a stub",
        )
        for d in found
    ] or [missing]
    good = [f for f in findings if f.ok]
    return Assessment.of(check, good or findings, empty_ok=False)


def git_last_change(root: Path, paths: Sequence[str], timeout: float = 10.0) -> int | None:
    """Unix time of the last commit touching ``paths`` (None if none); ProbeError when not a git checkout."""
    out = run_git(root, ["log", "-1", "--format=%ct", "--", *paths], timeout)
    if out.returncode != 0:
        raise ProbeError(f"{root} is not a git checkout: cannot tell when files changed")
    text = out.stdout.strip()
    return int(text) if text else None


def assess_docs_fresh(
    doc_paths: Sequence[str], doc_time: int | None, config_paths: Sequence[str], config_time: int | None
) -> Assessment:
    """The deployment guide changed no earlier than the deployment configuration it describes."""
    from datetime import UTC, datetime

    def iso(t: int | None) -> str | None:
        return datetime.fromtimestamp(t, UTC).isoformat() if t is not None else None

    if not doc_paths or doc_time is None:
        return Assessment.single(
            "deployment documentation updated",
            "deployment guide",
            "not found (or not committed)",
            "a committed deployment guide",
            False,
        )
    ok = config_time is None or doc_time >= config_time
    return Assessment.single(
        "deployment documentation updated",
        ", ".join(doc_paths[:3]),
        {"last_changed": iso(doc_time)},
        {"last_changed": f">= {iso(config_time)} (deployment configuration: {', '.join(config_paths[:4])})"},
        ok,
        "" if ok else "deployment configuration changed after the guide was last updated",
    )


def changelog_entry(root: Path, tag: str, files: Sequence[str] = CHANGELOGS) -> tuple[str | None, str | None]:
    """(changelog file, matching heading) for a release tag (``v1.2.0`` also matches ``1.2.0``)."""
    version = tag[1:] if re.match(r"^[vV]\d", tag) else tag
    pattern = re.compile(rf"(?<![\w.])[vV]?{re.escape(version)}(?![\w.]|-\w)")
    for name in files:
        path = root / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in _HEADING.finditer(text):
            title = (m.group(2) or m.group(3) or "").strip()
            if pattern.search(title):
                return name, title
        return name, None
    return None, None


def assess_changelog(tag: str, file: str | None, heading: str | None) -> Assessment:
    return Assessment.single(
        "release notes prepared",
        file or "changelog",
        heading or ("no entry" if file else "no changelog file"),
        f"a heading naming {tag}",
        heading is not None,
    )


def git_output(root: Path, args: Sequence[str], timeout: float = 10.0) -> str | None:
    """Stripped stdout of a read-only git command, or None when it fails (not a checkout, no tag)."""
    try:
        out = run_git(root, args, timeout)
    except ProbeError:
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def proved_by_url(key: str) -> Callable[[F], F]:
    """Mark an attestation check proved by ``[repo] attestation_urls.<key>`` (deselected without it)."""

    def mark(fn: F) -> F:
        setattr(fn, "_readiness_attestation_url", key)  # noqa: B010
        return fn

    return mark
