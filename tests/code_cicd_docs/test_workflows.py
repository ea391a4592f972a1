"""GitHub Actions workflows: build/test/scan/deploy classification, deploy gating, notifications, flask."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes import workflows as wf

from .conftest import REALWORLD, write_tree

CI = """
name: CI
on: [push, pull_request]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt && pytest -q
  build:
    runs-on: ubuntu-latest
    steps:
      - run: npm ci && npm run build
  codeql:
    runs-on: ubuntu-latest
    steps:
      - uses: github/codeql-action/init@v3
      - uses: github/codeql-action/analyze@v3
  audit:
    runs-on: ubuntu-latest
    steps:
      - run: pip-audit -r requirements.txt
"""
DEPLOY_GATED = """
name: Deploy
on:
  push:
    branches: [main]
jobs:
  unit:
    runs-on: ubuntu-latest
    steps:
      - run: npm test
  image:
    needs: unit
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v5
  deploy:
    needs: [image]
    environment: production
    runs-on: ubuntu-latest
    steps:
      - run: kubectl set image deployment/web web=ghcr.io/x/web:${{ github.sha }}
      - uses: slackapi/slack-github-action@v1.26.0
"""
DEPLOY_WORKFLOW_RUN = """
name: Release
on:
  workflow_run:
    workflows: [CI]
    types: [completed]
jobs:
  deploy:
    if: ${{ github.event.workflow_run.conclusion == 'success' }}
    environment:
      name: production
    runs-on: ubuntu-latest
    steps:
      - run: helm upgrade --install web ./chart
      - run: curl -X POST -d '{"text":"deployed"}' "$SLACK_WEBHOOK_URL"
"""
DEPLOY_UNGATED = """
name: Deploy
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: vercel deploy --prod --token=$VERCEL_TOKEN
"""


def _load(tmp_path: Path, files: dict[str, str]) -> list[wf.Workflow]:
    write_tree(tmp_path, {f".github/workflows/{k}": v for k, v in files.items()})
    return wf.load_workflows(tmp_path)


def test_complete_pipeline(tmp_path: Path) -> None:
    flows = _load(tmp_path, {"ci.yml": CI, "deploy.yaml": DEPLOY_GATED})
    assert flows[0].events == {"push", "pull_request"}  # `on:` read back from YAML 1.1's True
    for assess in (
        wf.assess_build,
        wf.assess_tests,
        wf.assess_security_scan,
        wf.assess_deploy,
        wf.assess_notifications,
    ):
        a = assess(flows)
        assert a.ok, a.message()
    deploy = wf.assess_deploy(flows).findings[0]
    assert (
        deploy.observed["gated_by"] == "needs unit (runs tests)"
        and deploy.observed["environment"] == "production"
    )
    scans = {f.subject for f in wf.assess_security_scan(flows).findings}
    assert scans == {".github/workflows/ci.yml job codeql", ".github/workflows/ci.yml job audit"}


def test_workflow_run_gate(tmp_path: Path) -> None:
    flows = _load(tmp_path, {"ci.yml": CI, "release.yml": DEPLOY_WORKFLOW_RUN})
    a = wf.assess_deploy(flows)
    assert a.ok, a.message()
    assert a.findings[0].observed["gated_by"] == "workflow_run on 'CI' with conclusion == success"
    assert wf.assess_notifications(flows).ok


def test_ungated_deploy_without_environment_or_notification(tmp_path: Path) -> None:
    flows = _load(tmp_path, {"deploy.yml": DEPLOY_UNGATED})
    a = wf.assess_deploy(flows)
    assert not a.ok
    assert a.findings[0].observed == {
        "deploys": ["run 'vercel deploy --prod'"],
        "gated_by": None,
        "environment": None,
    }
    assert "not gated on tests" in a.findings[0].note and "no environment" in a.findings[0].note
    assert not wf.assess_notifications(flows).ok
    assert not wf.assess_tests(flows).ok and not wf.assess_security_scan(flows).ok


def test_no_workflows_at_all(tmp_path: Path) -> None:
    for assess in (wf.assess_build, wf.assess_tests, wf.assess_security_scan, wf.assess_deploy):
        a = assess([])
        assert not a.ok and a.findings[0].subject == ".github/workflows"


def test_malformed_workflow_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match=r"broken\.yml: malformed YAML"):
        _load(tmp_path, {"broken.yml": "jobs: [unclosed\n"})


def test_realworld_flask_tests_workflow(tmp_path: Path) -> None:
    """pallets/flask: tests run, no security scan, no job timeouts; permissions and SHA pins not flagged."""
    text = (REALWORLD / "workflows" / "flask-tests.yaml").read_text()
    flows = [wf.parse_workflow(text, ".github/workflows/tests.yaml")]
    tests = wf.assess_tests(flows)
    assert tests.ok, tests.message()
    assert {f.subject.rsplit(" ", 1)[-1] for f in tests.findings} == {"tests", "typing"}  # both run tox
    assert not wf.assess_security_scan(flows).ok
    timeouts = wf.assess_job_timeouts(flows)
    assert not timeouts.ok and len(timeouts.failures) == 2
    hardening = wf.assess_hardening(flows)
    assert hardening.ok, hardening.message()  # permissions: {} and SHA-pinned actions are good practice
    assert any("permissions" in f.subject and f.observed == {} for f in hardening.findings)
    assert not wf.assess_deploy(flows).ok  # a test workflow, no deployment in it


def test_tag_pinned_third_party_action_is_reported(tmp_path: Path) -> None:
    flows = _load(tmp_path, {"x.yml": "on: push\njobs:\n  a:\n    steps:\n      - uses: some/action@v1\n"})
    a = wf.assess_hardening(flows)
    assert {f.subject for f in a.failures} == {
        ".github/workflows/x.yml permissions",
        ".github/workflows/x.yml job a uses some/action",
    }
