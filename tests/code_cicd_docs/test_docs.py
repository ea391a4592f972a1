"""Documentation: present vs missing vs stub, headings, changelog entries, freshness; OpenAPI validity."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.repo import docs, openapi
from tests.support.code_cicd_docs import commit_all, write_tree

WORDS = " ".join(["word"] * 40)


def _assess(root: Path, kind: str, configured: dict | None = None):  # type: ignore[no-untyped-def]
    globs, keys = docs.locations(kind, configured)
    return docs.assess_docs(kind, kind, docs.find_docs(root, globs, keys), globs)


def test_docs_present(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "docs/Architecture.md": f"# Architecture\n{WORDS}",
            "docs/diagrams/system.mmd": f"graph TD; A-->B; {WORDS}",
            "docs/database.md": f"# Schema\n{WORDS}",
            "docs/ops/handbook.md": f"# Handbook\n## Incident Response\n{WORDS}\n## Escalation\n{WORDS}\n",
            "runbooks/redis-down.md": f"# Redis down\n{WORDS}",
            "DEPLOYMENT.md": f"# Deploying\n{WORDS}",
            "node_modules/pkg/docs/runbook.md": WORDS,
        },
    )
    for kind in docs.DEFAULTS:
        a = _assess(tmp_path, kind)
        assert a.ok, a.message()
    incident = _assess(tmp_path, "incident_response").findings[0]
    assert incident.subject == "docs/ops/handbook.md#Incident Response"
    assert all("node_modules" not in f.subject for f in _assess(tmp_path, "runbooks").findings)


def test_docs_missing_or_stub(tmp_path: Path) -> None:
    write_tree(tmp_path, {"README.md": "# App\nhello", "docs/runbooks/TODO.md": "# Runbooks\nTODO\n"})
    for kind in ("architecture", "db_schema", "deploy_guide", "incident_response", "escalation"):
        a = _assess(tmp_path, kind)
        assert not a.ok and a.findings[0].observed == "not found"
    runbooks = _assess(tmp_path, "runbooks")
    assert not runbooks.ok and runbooks.findings[0].note == "a stub"


def test_configured_location_replaces_defaults(tmp_path: Path) -> None:
    write_tree(tmp_path, {"handbook/oncall-escalation.md": WORDS, "docs/escalation.md": WORDS})
    a = _assess(tmp_path, "escalation", {"escalation": "handbook/*.md"})
    assert a.ok and [f.subject for f in a.findings] == ["handbook/oncall-escalation.md"]


def test_changelog_entry(tmp_path: Path) -> None:
    write_tree(tmp_path, {"CHANGELOG.md": "# Changelog\n\n## [1.2.0] - 2024-03-01\n- x\n\n## 1.1.0\n- y\n"})
    assert docs.assess_changelog("v1.2.0", *docs.changelog_entry(tmp_path, "v1.2.0")).ok
    missing = docs.assess_changelog("v1.3.0", *docs.changelog_entry(tmp_path, "v1.3.0"))
    assert not missing.ok and missing.findings[0].observed == "no entry"
    assert not docs.assess_changelog("v1.2", *docs.changelog_entry(tmp_path, "v1.2")).ok  # 1.2 is not 1.2.0
    assert docs.changelog_entry(tmp_path / "nothing", "v1") == (None, None)


def test_deploy_docs_freshness(tmp_path: Path) -> None:
    write_tree(tmp_path, {"docs/deployment.md": WORDS, ".github/workflows/deploy.yml": "on: push\n"})
    commit_all(tmp_path, "docs", "2024-01-01T00:00:00Z")
    guide = ["docs/deployment.md"]
    config = list(docs.DEPLOY_CONFIG_PATHS)
    t_doc, t_cfg = docs.git_last_change(tmp_path, guide), docs.git_last_change(tmp_path, config)
    assert docs.assess_docs_fresh(guide, t_doc, config, t_cfg).ok
    write_tree(tmp_path, {".github/workflows/deploy.yml": "on: [push]\n"})
    commit_all(tmp_path, "change deploy", "2024-02-01T00:00:00Z")
    stale = docs.assess_docs_fresh(guide, t_doc, config, docs.git_last_change(tmp_path, config))
    assert not stale.ok and "changed after" in stale.findings[0].note


def test_not_a_git_checkout_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match="not a git checkout"):
        docs.git_last_change(tmp_path, ["docs"])


VALID = """
openapi: 3.0.3
info: {title: API, version: "1.0"}
servers: [{url: "https://api.example.com/v1"}]
paths:
  /users/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
  /health:
    get:
      responses: {"200": {description: ok}}
"""


def test_openapi_valid_and_routes(tmp_path: Path) -> None:
    write_tree(tmp_path, {"docs/openapi.yaml": VALID})
    path = openapi.find_document(tmp_path)
    assert path is not None
    doc = openapi.load(path.read_text(), str(path))
    assert openapi.assess_valid(doc, "").ok
    routes = openapi.assess_routes(
        doc, ["GET /v1/users/42", "/v1/health", "POST /v1/users/42", "GET /v1/admin"]
    )
    assert [f.ok for f in routes.findings] == [True, True, False, False]


def test_openapi_invalid_or_missing(tmp_path: Path) -> None:
    broken = VALID.replace('info: {title: API, version: "1.0"}', "info: {title: API}")
    doc = openapi.load(broken, str(tmp_path / "openapi.yaml"))
    a = openapi.assess_valid(doc, "")
    assert not a.ok and any("version" in e for e in a.findings[0].observed["errors"])
    assert not openapi.assess_valid(None, "openapi.yaml").ok
    assert openapi.find_document(tmp_path) is None
