"""The application repository's release tag (read-only git: ``rev-parse``, ``cat-file``).

The deployment steps say "Tag release in Git" before images are built: the tag names what is
deployed, and images, rollbacks and the changelog refer to it.  A tag that exists only in the
configuration (typo, never pushed to this checkout) is a release nobody can reproduce.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pytest_readiness.assessment import Assessment
from pytest_readiness.errors import ProbeError

__all__ = ["TagFacts", "assess_tag", "run_git", "tag_facts"]


@dataclass(frozen=True)
class TagFacts:
    """A tag looked up in a checkout: the commit it points to (None: no such tag)."""

    tag: str
    commit: str | None
    annotated: bool = False
    source: str = "[repo] release_tag"


def run_git(root: Path, args: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """One git command in ``root``, bounded in time, any exit status (callers judge it).

    Only read commands are passed here.  No git, or no answer in time, is a ProbeError: the probe
    cannot decide.
    """
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise ProbeError(f"git {args[0]} in {root}: no answer within {timeout:g} s") from None
    except OSError as exc:
        raise ProbeError(f"git in {root}: {exc.strerror or type(exc).__name__}") from None


def tag_facts(root: Path, tag: str, timeout: float = 10.0, source: str = "[repo] release_tag") -> TagFacts:
    """Resolve ``refs/tags/<tag>`` to its commit; ProbeError when ``root`` is not a git checkout.

    ``git rev-parse -q --verify`` exits 1 silently for a missing ref, 128 outside a repository:
    only the first is a verdict (the tag does not exist), the second cannot decide.
    """
    if not tag or tag.startswith("-") or any(c.isspace() or c in "~^:?*[\\" for c in tag):
        return TagFacts(tag, None, source=source)  # not a valid tag name: cannot exist
    ref = f"refs/tags/{tag}"
    out = run_git(root, ["rev-parse", "-q", "--verify", f"{ref}^{{commit}}"], timeout)
    if out.returncode not in (0, 1):
        raise ProbeError(f"{root} is not a git checkout: cannot look up tag {tag!r}")
    commit = out.stdout.strip() or None
    if out.returncode != 0 or not commit:
        return TagFacts(tag, None, source=source)
    kind = run_git(root, ["cat-file", "-t", ref], timeout).stdout.strip()
    return TagFacts(tag, commit, annotated=kind == "tag", source=source)


def assess_tag(facts: TagFacts) -> Assessment:
    """The release tag exists in the repository and points to a commit."""
    observed: dict[str, str | bool | None] = {
        "commit": facts.commit,
        "annotated": facts.annotated if facts.commit else None,
    }
    note = f"from {facts.source}"
    if facts.commit is None:
        note += "; no such tag: create it (git tag -a) and push it"
    elif not facts.annotated:
        note += "; lightweight tag (an annotated tag records who tagged and when)"
    return Assessment.single(
        "release tagged in git",
        f"tag {facts.tag}",
        observed,
        "refs/tags/<tag> resolves to a commit",
        facts.commit is not None,
        note,
    )
