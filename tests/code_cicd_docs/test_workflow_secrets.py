"""The hardcoded-credentials scan (real detect-secrets) on Actions files: references are no secrets."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from pytest_readiness.probes.repo import secrets
from tests.support.code_cicd_docs import REALWORLD, write_tree

DETECT_SECRETS = str(Path(sys.executable).parent / "detect-secrets")
REFERENCES = """
name: CI
on: push
env:
  DB_PASSWORD: ${{ secrets.DB_PASSWORD }}
  api_token: ${{ github.token }}
jobs:
  call:
    uses: ./.github/workflows/reuse.yml
    secrets: inherit
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/login-action@v3
        with:
          password: '${{ secrets.GITHUB_TOKEN }}'
          secret_key: ${{ steps.vault.outputs.secret }}
          api_key: "${{ secrets.A }}${{ secrets.B }}"
"""
LITERAL = """
name: CI
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    env:
      DB_PASSWORD: "Sup3rS3cretPassw0rd!"
    steps:
      - run: pytest
"""


def _raw_detect_secrets(root: Path) -> dict[str, list[int]]:
    """detect-secrets' own CLI (no project filter): what it reports by itself."""
    out = subprocess.run(
        [DETECT_SECRETS, "scan", "--all-files"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    results = json.loads(out.stdout)["results"]
    return {name: [e["line_number"] for e in entries] for name, entries in results.items()}


def test_workflow_references_are_not_credentials(tmp_path: Path) -> None:
    write_tree(tmp_path, {".github/workflows/ci.yml": REFERENCES})
    assert _raw_detect_secrets(tmp_path) == {".github/workflows/ci.yml": [10]}  # `secrets: inherit`
    facts = secrets.scan_hardcoded(tmp_path)
    assert facts.findings == [] and facts.files_scanned == 1
    assert secrets.assess_hardcoded(facts).ok


def test_literal_password_in_workflow_env_is_still_found(tmp_path: Path) -> None:
    write_tree(tmp_path, {".github/workflows/ci.yml": LITERAL})
    facts = secrets.scan_hardcoded(tmp_path)
    assert facts.findings == [{"file": ".github/workflows/ci.yml", "line": 8, "type": "Secret Keyword"}]
    a = secrets.assess_hardcoded(facts)
    assert not a.ok and "Sup3rS3cret" not in json.dumps([f.__dict__ for f in a.findings])


def test_filter_applies_with_a_baseline_too(tmp_path: Path) -> None:
    write_tree(tmp_path, {".github/workflows/ci.yml": REFERENCES, "app.py": "x = 1\n"})
    scan = subprocess.run([DETECT_SECRETS, "scan", "--all-files"], cwd=tmp_path, capture_output=True,
                          text=True, check=True, timeout=60)  # fmt: skip
    baseline = json.loads(scan.stdout)
    baseline["results"] = {}  # a baseline that accepts nothing
    (tmp_path / ".secrets.baseline").write_text(json.dumps(baseline))
    facts = secrets.scan_hardcoded(tmp_path)
    assert facts.findings == [] and facts.baseline == ".secrets.baseline"
    write_tree(tmp_path, {".github/workflows/bad.yml": LITERAL})
    assert [f["file"] for f in secrets.scan_hardcoded(tmp_path).findings] == [".github/workflows/bad.yml"]


def test_same_syntax_outside_actions_files_is_not_excused(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"config/app.yml": "secrets: inherit\n", "config/db.yml": 'password: "Sup3rS3cretPassw0rd!"\n'},
    )
    assert secrets.is_workflow_reference("inherit", ".github/workflows/ci.yml")
    assert not secrets.is_workflow_reference("inherit", "config/app.yml")
    assert not secrets.is_workflow_reference("${{ 'hunter2' }}", ".github/workflows/ci.yml")  # a literal
    assert {f["file"] for f in secrets.scan_hardcoded(tmp_path).findings} == {
        "config/app.yml",
        "config/db.yml",
    }


def test_realworld_workflows_have_no_hardcoded_credentials(tmp_path: Path) -> None:
    """mastodon and flask: `secrets: inherit`, `${{ secrets.DOCKERHUB_TOKEN }}`, `password: ${{ ... }}`."""
    for tree in ("mastodon", "flask", "flyctl"):
        shutil.copytree(REALWORLD / "workflows" / tree, tmp_path / tree)
    raw = _raw_detect_secrets(tmp_path / "mastodon")
    assert raw == {
        ".github/workflows/build-releases.yml": [29]
    }  # detect-secrets alone flags `secrets: inherit`
    for tree in ("mastodon", "flask", "flyctl"):  # flyctl: `echo "${DOCKER_PASSWORD}" | docker login`
        facts = secrets.scan_hardcoded(tmp_path / tree)
        assert facts.findings == [] and facts.files_scanned >= 1, tree
