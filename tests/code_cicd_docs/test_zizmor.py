"""zizmor as the workflow-hardening engine: the real zizmor, real public workflows, good and bad trees.

Peer agreement: an independent default run of zizmor (``--offline``, severity and confidence medium or
above, what a user of zizmor sees as errors and warnings) must report exactly the findings that block
our items, except the three audits adopted on purpose from its stricter personas (``ADOPTED``).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.repo import workflows as wf
from pytest_readiness.probes.repo import zizmor as zz
from tests.support.code_cicd_docs import REALWORLD, write_tree

ZIZMOR = zz.find_zizmor()
pytestmark = pytest.mark.skipif(ZIZMOR is None, reason="zizmor not installed (pip install zizmor)")

BAD = {
    ".github/workflows/deploy.yml": """
name: Deploy
on:
  push:
    branches: [main]
  pull_request:
permissions:
  id-token: write
  contents: read
jobs:
  test:
    runs-on: self-hosted
    steps:
      - uses: actions/checkout@v4
        with: {persist-credentials: false}
      - run: echo "${{ github.event.pull_request.title }}" && pytest
  deploy:
    needs: test
    runs-on: ubuntu-latest
    steps:
      - run: kubectl apply -f k8s/
        env:
          KUBECONFIG_DATA: ${{ secrets.KUBECONFIG }}
  shared:
    uses: ./.github/workflows/notify.yml
    secrets: inherit
""",
    ".github/workflows/notify.yml": """
name: notify
on: workflow_call
permissions: {}
jobs:
  slack:
    runs-on: ubuntu-latest
    steps:
      - run: curl -X POST "$SLACK_WEBHOOK"
""",
}
SHA = "11bd71901bbe5b1630ceea73d27597364c9af683"
GOOD = {
    ".github/workflows/deploy.yml": f"""
name: Deploy
on:
  push:
    branches: [main]
permissions: {{}}
concurrency: {{group: deploy-production}}
jobs:
  test:
    name: test
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@{SHA}  # v4.2.2
        with: {{persist-credentials: false}}
      - run: pytest
  deploy:
    name: deploy
    needs: test
    environment: production
    runs-on: ubuntu-latest
    steps:
      - run: kubectl apply -f k8s/
        env:
          KUBECONFIG_DATA: ${{{{ secrets.KUBECONFIG }}}}
""",
}


def _report(root: Path) -> tuple[zz.ZizmorReport, list[wf.Workflow]]:
    assert ZIZMOR is not None
    return zz.run_zizmor(root, ZIZMOR), wf.load_workflows(root)


def _blocking(report: zz.ZizmorReport, flows: list[wf.Workflow]) -> set[tuple[str, int, str]]:
    out = set()
    for item in (zz.ITEM_HARDENING, zz.ITEM_DEPLOY):
        for f in zz.assess(report, flows, item).failures:
            where, audit = f.subject.rsplit(" [", 1)
            file, line = where.split(" ", 1)[0].rsplit(":", 1)
            out.add((file, int(line), audit.rstrip("]")))
    return out


def _zizmor_default(root: Path) -> set[tuple[str, int, str]]:
    """An independent run of zizmor as its users run it: default persona, medium and above."""
    assert ZIZMOR is not None
    out = subprocess.run(
        [ZIZMOR, "--offline", "--format", "json", "--no-exit-codes", "--min-severity", "medium",
         "--min-confidence", "medium", "--collect=workflows,actions", ".github"],
        cwd=root, capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    return {(f.file, f.line, f.audit) for f in zz.parse_report(json.loads(out), root)}


def test_bad_workflows_fail_with_zizmor_evidence(tmp_path: Path) -> None:
    report, flows = _report(write_tree(tmp_path, BAD))
    hardening = zz.assess(report, flows, zz.ITEM_HARDENING)
    assert not hardening.ok
    blocked = {f.subject: f.observed for f in hardening.failures}
    assert blocked == {
        ".github/workflows/deploy.yml:8 [excessive-permissions]": {
            "severity": "high",
            "confidence": "high",
            "finding": "id-token: write is overly broad at the workflow level",
        },
        ".github/workflows/deploy.yml:12 job test [self-hosted-runner]": {
            "severity": "medium",
            "confidence": "high",
            "finding": "self-hosted runner used here",
        },
        ".github/workflows/deploy.yml:14 job test [unpinned-uses]": {
            "severity": "high",
            "confidence": "high",
            "finding": "action is not pinned to a hash (required by blanket policy)",
        },
        ".github/workflows/deploy.yml:16 job test [template-injection]": {
            "severity": "high",
            "confidence": "high",
            "finding": "may expand into attacker-controllable code",
        },
        ".github/workflows/deploy.yml:25 job shared [secrets-inherit]": {
            "severity": "medium",
            "confidence": "high",
            "finding": "this reusable workflow",
        },
    }
    assert all(f.expected == "no zizmor finding" for f in hardening.failures)
    deploy = zz.assess(report, flows, zz.ITEM_DEPLOY)
    assert {f.subject: f.observed["finding"] for f in deploy.failures} == {
        ".github/workflows/deploy.yml:3 [concurrency-limits]": "workflow is missing concurrency setting",
        ".github/workflows/deploy.yml:23 job deploy [secrets-outside-env]": (
            "secret is accessed outside of a dedicated environment"
        ),
    }
    summary = hardening.findings[-1]
    assert (
        summary.ok
        and summary.observed.startswith("zizmor 1.")
        and "--offline over .github" in summary.observed
    )


def test_good_workflows_pass(tmp_path: Path) -> None:
    report, flows = _report(write_tree(tmp_path, GOOD))
    for item in (zz.ITEM_HARDENING, zz.ITEM_DEPLOY):
        a = zz.assess(report, flows, item)
        assert a.ok, a.message()
    assert wf.assess_deploy(flows).ok


def test_ignore_comments_are_honoured(tmp_path: Path) -> None:
    files = {
        ".github/workflows/x.yml": "name: x\non: push\npermissions: {}\njobs:\n  a:\n    name: a\n"
        "    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: some/action@v1  # zizmor: ignore[unpinned-uses]\n"
    }
    report, flows = _report(write_tree(tmp_path, files))
    a = zz.assess(report, flows, zz.ITEM_HARDENING)
    assert a.ok, a.message()


@pytest.mark.parametrize("tree", ["flask", "mastodon", "flyctl"])
def test_peer_agreement_on_real_workflows(tree: str) -> None:
    """Our blocking findings are zizmor's own (medium+), plus only the audits adopted on purpose."""
    root = REALWORLD / "workflows" / tree
    report, flows = _report(root)
    ours = _blocking(report, flows)
    theirs = _zizmor_default(root)
    assert {f for f in ours if f[2] not in zz.ADOPTED} == theirs
    assert theirs  # both trees have real findings: the agreement is not vacuous


def test_realworld_flask_publish_and_tests() -> None:
    """pallets/flask: tests.yaml is clean; publish.yaml has an injectable run, an unpinned reusable call."""
    report, flows = _report(REALWORLD / "workflows" / "flask")
    blocked = sorted(_blocking(report, flows))
    assert blocked == [
        (".github/workflows/publish.yaml", 2, "excessive-permissions"),  # no permissions: block at all
        (".github/workflows/publish.yaml", 8, "excessive-permissions"),
        (".github/workflows/publish.yaml", 37, "unpinned-uses"),  # slsa generator @v1.5.0
        (".github/workflows/publish.yaml", 52, "template-injection"),  # ${{ github.ref_name }} in run
        (".github/workflows/publish.yaml", 56, "excessive-permissions"),
    ]
    informational = [f.subject for f in zz.assess(report, flows, zz.ITEM_HARDENING).findings if f.ok]
    assert ".github/workflows/publish.yaml:14 job build [cache-poisoning]" in informational  # low confidence


def test_realworld_mastodon_secrets_inherit_and_unpinned() -> None:
    report, flows = _report(REALWORLD / "workflows" / "mastodon")
    blocked = _blocking(report, flows)
    assert (".github/workflows/build-releases.yml", 14, "secrets-inherit") in blocked
    assert sum(1 for f in blocked if f[2] == "unpinned-uses") == 8  # tag-pinned docker/* actions
    deploy = zz.assess(report, flows, zz.ITEM_DEPLOY)
    assert deploy.ok  # no deployment job: secrets-outside-env of chromatic stays informational
    info = {f.subject for f in zz.assess(report, flows, zz.ITEM_HARDENING).findings if f.ok}
    assert ".github/workflows/chromatic.yml:59 job chromatic [secrets-outside-env]" in info


def test_missing_zizmor_is_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(zz.ENV_OVERRIDE, "/nonexistent/zizmor")
    assert zz.find_zizmor() is None


def test_broken_or_hanging_zizmor_is_a_probe_error(tmp_path: Path) -> None:
    write_tree(tmp_path, GOOD)
    broken = write_tree(tmp_path / "bin", {"broken": "#!/bin/sh\necho 'boom: bad config' >&2\nexit 2\n"})
    hanging = write_tree(tmp_path / "bin", {"hang": "#!/bin/sh\nsleep 30\n"})
    for script in (broken / "broken", hanging / "hang"):
        script.chmod(0o755)
    with pytest.raises(ProbeError, match=r"failed \(exit 2\): boom: bad config"):
        zz.run_zizmor(tmp_path, str(broken / "broken"))
    with pytest.raises(ProbeError, match=r"no answer within 0.5 s"):
        zz.run_zizmor(tmp_path, str(hanging / "hang"), timeout=0.5)


def test_no_github_folder_runs_nothing(tmp_path: Path) -> None:
    report = zz.run_zizmor(tmp_path, "/nonexistent/zizmor")
    assert report.findings == () and report.inputs == ()


def test_invalid_workflow_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    """A job without ``runs-on`` is rejected by GitHub's schema: zizmor skips it; we report it."""
    invalid = {".github/workflows/bad.yml": "on: push\njobs:\n  deploy: {steps: [{run: vercel deploy}]}\n"}
    report, flows = _report(write_tree(tmp_path / "only", invalid))
    assert report.findings == () and [f for f, _ in report.invalid] == [".github/workflows/bad.yml"]
    a = zz.assess(report, flows, zz.ITEM_HARDENING)
    assert [(f.subject, f.expected) for f in a.failures] == [
        (".github/workflows/bad.yml", "a workflow GitHub accepts")
    ]
    assert "not a valid workflow" in a.failures[0].observed
    report, flows = _report(write_tree(tmp_path / "mixed", {**invalid, **BAD}))  # the others still audited
    assert report.invalid and any(f.audit == "template-injection" for f in report.findings)


def test_realworld_flyctl_release_secrets_stay_informational() -> None:
    """superfly/flyctl: a goreleaser release job (a build, not a deployment) reading secrets without an
    environment: zizmor's auditor finding is recorded, it blocks only in a deployment job."""
    report, flows = _report(REALWORLD / "workflows" / "flyctl")
    assert not [j for w in flows for j in w.jobs.values() if j.deploys]
    assert zz.assess(report, flows, zz.ITEM_DEPLOY).ok
    info = [f.subject for f in zz.assess(report, flows, zz.ITEM_HARDENING).findings if f.ok]
    assert ".github/workflows/ci.yml:61 job release [secrets-outside-env]" in info
    assert wf.assess_build(flows).findings[0].observed == ["uses goreleaser/goreleaser-action@v2"]


def test_unexpected_output_is_a_probe_error(tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match="not a list of findings"):
        zz.parse_report({"findings": []}, tmp_path)
    with pytest.raises(ProbeError, match="unexpected finding shape"):
        zz.parse_report([{"ident": "x", "determinations": {}, "locations": []}], tmp_path)
    write_tree(tmp_path, GOOD)
    not_json = write_tree(tmp_path / "bin", {"z": "#!/bin/sh\necho 'zizmor 9'\n"})
    (not_json / "z").chmod(0o755)
    with pytest.raises(ProbeError, match="output is not JSON"):
        zz.run_zizmor(tmp_path, str(not_json / "z"))


def test_job_level_concurrency_on_the_deployment_is_enough(tmp_path: Path) -> None:
    deploy = GOOD[".github/workflows/deploy.yml"].replace("concurrency: {group: deploy-production}\n", "")
    deploy = deploy.replace(
        "    environment: production\n", "    environment: production\n    concurrency: prod\n"
    )
    report, flows = _report(write_tree(tmp_path, {".github/workflows/deploy.yml": deploy}))
    a = zz.assess(report, flows, zz.ITEM_DEPLOY)
    assert a.ok, a.message()


def test_dependabot_config_is_not_judged_here(tmp_path: Path) -> None:
    """zizmor also audits dependabot.yml; these items are about the Actions workflows only."""
    dependabot = "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"
    dependabot += "    schedule: {interval: daily}\n    insecure-external-code-execution: allow\n"
    report, flows = _report(write_tree(tmp_path, {**GOOD, ".github/dependabot.yml": dependabot}))
    assert not [f for f in report.findings if "dependabot" in f.file]
    assert zz.assess(report, flows, zz.ITEM_HARDENING).ok
