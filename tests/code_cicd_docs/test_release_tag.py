"""DEPLOY-PRE-TAG-RELEASE: the release tag exists in the application repository (real git)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.repo import git_repo
from tests.support.code_cicd_docs import commit_all, git, write_tree
from tests.support.readiness import run_suite


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A checkout with an annotated v1.0.0, a lightweight v1.0.1 and a later untagged commit."""
    root = write_tree(tmp_path / "app", {"README.md": "# App\n"})
    commit_all(root, "init", "2024-01-01T00:00:00Z")
    git(root, "tag", "-a", "v1.0.0", "-m", "release 1.0.0")
    write_tree(root, {"CHANGELOG.md": "# 1.0.1\n"})
    commit_all(root, "fix", "2024-01-02T00:00:00Z")
    git(root, "tag", "v1.0.1")
    write_tree(root, {"a.txt": "later\n"})
    commit_all(root, "later", "2024-01-03T00:00:00Z")
    return root


def test_annotated_lightweight_and_missing_tags(repo: Path) -> None:
    first = git(repo, "rev-list", "-n1", "v1.0.0")
    annotated = git_repo.tag_facts(repo, "v1.0.0", 5)
    assert annotated.commit == first and annotated.annotated  # peeled to the commit, not the tag object
    a = git_repo.assess_tag(annotated)
    assert a.ok and a.findings[0].observed == {"commit": first, "annotated": True}

    light = git_repo.assess_tag(git_repo.tag_facts(repo, "v1.0.1", 5))
    assert light.ok and "lightweight" in light.findings[0].note

    missing = git_repo.assess_tag(git_repo.tag_facts(repo, "v2.0.0", 5))
    assert not missing.ok and missing.findings[0].observed == {"commit": None, "annotated": None}
    assert "no such tag" in missing.findings[0].note
    # A branch of that name is not a tag; nor is an option-looking or malformed name.
    git(repo, "branch", "v3.0.0")
    assert git_repo.tag_facts(repo, "v3.0.0", 5).commit is None
    assert git_repo.tag_facts(repo, "--all", 5).commit is None
    assert git_repo.tag_facts(repo, "v1.0.0^{tree}", 5).commit is None


def test_not_a_checkout_cannot_decide(tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match="not a git checkout"):
        git_repo.tag_facts(tmp_path, "v1.0.0", 5)


def run_check(tmp_path: Path, repo: Path, tag: str | None) -> dict:
    tmp_path.mkdir()
    env = f'[repo]\npath = "{repo}"\n' + (f'release_tag = "{tag}"\n' if tag else "")
    items = run_suite(tmp_path, env, "suites/test_cicd.py", "-k", "test_release_tagged")
    return items["DEPLOY-PRE-TAG-RELEASE"]


def test_suite_check_both_ways(tmp_path: Path, repo: Path) -> None:
    good = run_check(tmp_path / "good", repo, "v1.0.0")
    assert good["status"] == "pass", good["reason"]
    [finding] = good["evidence"][0]["findings"]
    assert finding["subject"] == "tag v1.0.0"
    assert finding["observed"]["commit"] == git(repo, "rev-list", "-n1", "v1.0.0")

    bad = run_check(tmp_path / "bad", repo, "v9.9.9")
    assert bad["status"] == "fail" and "no such tag" in bad["evidence"][0]["findings"][0]["note"]

    newest = run_check(tmp_path / "newest", repo, None)  # not configured: the newest tag of HEAD
    assert newest["status"] == "pass"
    assert newest["evidence"][0]["findings"][0]["subject"] == "tag v1.0.1"
    assert "newest tag of HEAD" in newest["evidence"][0]["findings"][0]["note"]

    untagged = write_tree(tmp_path / "untagged", {"README.md": "x\n"})
    commit_all(untagged, "init", "2024-01-01T00:00:00Z")
    assert run_check(tmp_path / "none", untagged, None)["status"] == "unverified"
