"""GitHub Actions workflows: build/test/scan/deploy classification, deploy gating, notifications, flask."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.repo import workflows as wf
from tests.support.code_cicd_docs import REALWORLD, write_tree

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


# -- read as the runner runs it: matrix, composite actions, reusable workflows, build commands -----

MATRIX_CI = """
name: CI
on: [push, pull_request]
jobs:
  checks:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        include: [{job: bandit}, {job: pytest}, {job: build}]
    steps:
      - run: make ci-${{ matrix.job }}
  tools:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        tool: [go, cargo]
        exclude: [{tool: cargo}]
    steps:
      - run: ${{ matrix.tool }} build ./...
"""


def test_matrix_values_expanded_before_classifying(tmp_path: Path) -> None:
    """``make ci-${{ matrix.job }}`` runs ``make ci-bandit``, ``ci-pytest``, ``ci-build``: three roles."""
    flows = _load(tmp_path, {"ci.yml": MATRIX_CI})
    checks = flows[0].jobs["checks"]
    assert [s.run for s in checks.steps] == ["make ci-bandit", "make ci-pytest", "make ci-build"]
    scan, tests, build = (wf.assess_security_scan(flows), wf.assess_tests(flows), wf.assess_build(flows))
    assert scan.ok and scan.findings[0].observed == ["run 'bandit'"]
    assert tests.ok and tests.findings[0].observed["runs"] == ["run 'pytest'"]
    assert build.ok
    assert {f.subject: f.observed for f in build.findings} == {
        ".github/workflows/ci.yml job checks": ["run 'make ci-build'"],
        ".github/workflows/ci.yml job tools": ["run 'go build'"],  # cargo excluded from the matrix
    }


def test_matrix_combinations_follow_github_rules() -> None:
    combos = wf.matrix_combinations(
        {
            "matrix": {
                "os": ["a", "b"],
                "py": [1, 2],
                "exclude": [{"os": "a", "py": 2}],
                "include": [{"os": "b", "extra": 1}, {"os": "c", "py": 9}],
            }
        }
    )
    assert combos == [
        {"os": "a", "py": 1},
        {"os": "b", "py": 1, "extra": 1},
        {"os": "b", "py": 2, "extra": 1},
        {"os": "c", "py": 9},
    ]
    assert wf.matrix_combinations({"matrix": "${{ fromJSON(needs.a.outputs.m) }}"}) == [{}]


COMPOSITE = """
name: ci
inputs:
  runner: {default: pytest}
runs:
  using: composite
  steps:
    - run: ${{ inputs.runner }} -q
      shell: bash
    - uses: ./.github/actions/build
"""
COMPOSITE_BUILD = """
runs:
  using: composite
  steps:
    - run: bun run --filter web build
      shell: bash
    - uses: ./.github/actions/ci
"""
CALLER = """
name: Release
on:
  push:
    branches: [main]
concurrency: {group: release}
jobs:
  verify:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/ci
  ship:
    needs: verify
    uses: ./.github/workflows/deploy-k8s.yml
    with: {cluster: prod}
"""
CALLED = """
name: deploy-k8s
on:
  workflow_call:
    inputs:
      cluster: {type: string}
jobs:
  rollout:
    environment: ${{ inputs.cluster }}
    runs-on: ubuntu-latest
    steps:
      - run: helm upgrade --install web ./chart --kube-context ${{ inputs.cluster }}
"""


def test_local_composite_actions_and_reusable_workflows_are_followed(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".github/actions/ci/action.yml": COMPOSITE,
            ".github/actions/build/action.yaml": COMPOSITE_BUILD,  # uses ./ci again: a cycle, cut
        },
    )
    flows = _load(tmp_path, {"release.yml": CALLER, "deploy-k8s.yml": CALLED})
    release = next(w for w in flows if w.file.endswith("release.yml"))
    assert [s.run or s.uses for s in release.jobs["verify"].steps] == [
        "pytest -q",
        "bun run --filter web build",
        "./.github/actions/ci",  # the cycle back into ci is cut, the reference kept as written
    ]
    ship = release.jobs["ship"]
    assert ship.steps[0].run == "helm upgrade --install web ./chart --kube-context prod"
    assert ship.environment == "prod"  # the called job's environment, with the caller's input
    deploy = wf.assess_deploy(flows)
    assert deploy.ok, deploy.message()
    assert [f.subject for f in deploy.findings] == [".github/workflows/release.yml job ship"]
    assert deploy.findings[0].observed["gated_by"] == "needs verify (runs tests)"
    called = next(w for w in flows if w.file.endswith("deploy-k8s.yml"))
    assert called.called_only  # judged through its caller, not as an ungated deployment of its own
    assert wf.assess_build(flows).findings[0].observed == ["run 'bun run --filter web build'"]


def test_reference_outside_the_checkout_is_not_followed(tmp_path: Path) -> None:
    write_tree(tmp_path / "outside", {"action.yml": "runs: {using: composite, steps: [{run: pytest}]}"})
    flows = _load(
        tmp_path / "repo", {"x.yml": "on: push\njobs:\n  a:\n    steps:\n      - uses: ./../outside\n"}
    )
    assert [s.uses for s in flows[0].jobs["a"].steps] == ["./../outside"]
    assert not wf.assess_tests(flows).ok


BUILDS = [
    "npm run build", "pnpm build", "yarn build", "bun run build", "bun run --filter web build",
    "pnpm --filter @app/web build", "npm run build:prod", "docker build -t x .",
    "docker buildx build --push .", "docker compose build", "docker-compose -f a.yml build",
    "python -m build", "poetry build", "uv build",
    "go build ./...", "cargo build --release", "mvn -B package", "./mvnw -ntp verify", "mvn clean install",
    "gradle build", "./gradlew build", "./gradlew --no-daemon assemble", "./gradlew :app:bootJar",
    "dotnet build -c Release", "dotnet publish", "make build", "make -j4 build-all", "turbo run build",
    "npx nx run-many -t build", "next build", "vite build",
]  # fmt: skip
NOT_BUILDS = [
    "npm ci", "npm run lint", "echo building", "go test ./...", "mvn test", "docker pull x", "gradle test",
    "make lint", "rebuild-index", "cargo clippy", "yarn build-storybook",
]  # fmt: skip


@pytest.mark.parametrize("command", BUILDS)
def test_build_commands_of_common_ecosystems(tmp_path: Path, command: str) -> None:
    flows = [wf.parse_workflow(f"on: push\njobs:\n  ci:\n    steps:\n      - run: {command}\n", "w.yml")]
    assert wf.assess_build(flows).ok, command


@pytest.mark.parametrize("command", NOT_BUILDS)
def test_other_commands_are_not_builds(command: str) -> None:
    flows = [wf.parse_workflow(f"on: push\njobs:\n  ci:\n    steps:\n      - run: {command}\n", "w.yml")]
    assert not wf.assess_build(flows).ok, command


def test_realworld_mastodon_reusable_image_build_and_composite_setup() -> None:
    """mastodon: the release job builds through a local reusable workflow; chromatic's setup is composite."""
    flows = wf.load_workflows(REALWORLD / "workflows" / "mastodon")
    by_file = {w.file.rsplit("/", 1)[-1]: w for w in flows}
    build = wf.assess_build(flows)
    assert {f.subject: f.observed for f in build.findings} == {
        ".github/workflows/build-releases.yml job build-image": ["uses docker/build-push-action@v4"]
    }  # `yarn build-storybook` builds the component catalogue, not the application
    assert by_file["build-container-image.yml"].called_only
    chromatic = [s.run for s in by_file["chromatic.yml"].jobs["chromatic"].steps if s.run]
    assert chromatic[:3] == [
        "corepack enable",
        'echo "dir=$(yarn config get cacheFolder)" >> $GITHUB_OUTPUT',
        "yarn install --immutable",
    ]


def test_realworld_flask_publish_builds_with_python_m_build() -> None:
    flows = wf.load_workflows(REALWORLD / "workflows" / "flask")
    build = wf.assess_build(flows)
    assert [(f.subject, f.observed) for f in build.findings] == [
        (".github/workflows/publish.yaml job build", ["run 'python -m build'"])
    ]
    assert not wf.assess_deploy(flows).ok  # publishing a library to PyPI is not a deployment


def test_reusable_workflow_cycle_is_cut(tmp_path: Path) -> None:
    """A reusable workflow calling itself (or a caller) is followed once, never forever."""
    loop = """
on: [push, workflow_call]
jobs:
  again:
    uses: ./.github/workflows/loop.yml
  test:
    runs-on: ubuntu-latest
    steps: [{run: pytest}]
"""
    flows = _load(tmp_path, {"loop.yml": loop})
    again = flows[0].jobs["again"]
    assert [s.run for s in again.steps] == [] and again.uses == "./.github/workflows/loop.yml"
    assert wf.assess_tests(flows).ok
