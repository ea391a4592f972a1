"""GitHub Actions workflows (``.github/workflows/*.y*ml``): what the pipeline builds, tests, scans, deploys.

Parsed with PyYAML; the ``on:`` key reads as ``True`` under YAML 1.1 and is normalised back.  Jobs are
classified by the actions they use and the commands they run (a job id alone is weak evidence and only
used when nothing else says otherwise).  A deployment job must be gated on tests — through ``needs``
(transitively), tests earlier in the same job, or a ``workflow_run`` trigger on a testing workflow
that checks its conclusion — and bound to an ``environment:`` (where GitHub's protection rules and
reviewers live).  Good practice (``permissions: {}``, actions pinned to a commit) is never flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pytest_readiness import safe_yaml
from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError

_BUILD_USES = re.compile(r"^(docker/build-push-action|docker/bake-action|redhat-actions/buildah-build)", re.I)
_BUILD_RUN = re.compile(
    r"\b(npm run build|yarn( run)? build|pnpm( run)? build|next build|docker (buildx )?build|python -m build|"
    r"uv build|poetry build|go build|cargo build|mvn (package|install|verify)|gradle\w* (build|assemble)|"
    r"make build|tsc\b(?!.*--noEmit))",
    re.I,
)
_TEST_RUN = re.compile(
    r"\b(pytest|tox|nox|npm (run )?test|yarn( run)? test|pnpm( run)? test|jest|vitest|playwright test|"
    r"cypress run|go test|cargo test|mvn test|gradle\w* test|make test|"
    r"python -m unittest|manage\.py test|npm run test:\w+)",
    re.I,
)
_TEST_USES = re.compile(r"^(cypress-io/github-action|microsoft/playwright-github-action)", re.I)
_SCAN_USES = re.compile(
    r"^(github/codeql-action/analyze|github/codeql-action/init|aquasecurity/trivy-action|snyk/actions|"
    r"pypa/gh-action-pip-audit|actions/dependency-review-action|gitleaks/gitleaks-action|"
    r"returntocorp/semgrep-action|semgrep/semgrep-action|anchore/scan-action|ossf/scorecard-action|"
    r"trufflesecurity/trufflehog|google/osv-scanner-action|sonarsource/sonar\w*-scan-action|"
    r"zaproxy/action-\w+|securego/gosec|checkmarx|bridgecrewio/checkov-action|aquasecurity/tfsec-action|"
    r"github/codeql-action/upload-sarif)",
    re.I,
)
_SCAN_RUN = re.compile(
    r"\b(pip-audit|npm audit|yarn (npm )?audit|pnpm audit|bandit|safety (check|scan)|trivy|"
    r"snyk (test|monitor)|gitleaks|semgrep|grype|osv-scanner|trufflehog|checkov|tfsec|gosec|"
    r"govulncheck|cargo audit|detect-secrets)",
    re.I,
)
_DEPLOY_USES = re.compile(
    r"^(aws-actions/amazon-ecs-deploy-task-definition|azure/webapps-deploy|azure/k8s-deploy|"
    r"google-github-actions/deploy-\w+|google-github-actions/get-gke-credentials|amondnet/vercel-action|"
    r"superfly/flyctl-actions|akhileshns/heroku-deploy|cloudflare/wrangler-action|appleboy/ssh-action|"
    r"azure/static-web-apps-deploy|nwtgck/actions-netlify|supabase/setup-cli)",
    re.I,
)
_DEPLOY_RUN = re.compile(
    r"\b(kubectl (apply|set image|rollout|replace|create)|helm (upgrade|install)|vercel\b.*(deploy|--prod)|"
    r"flyctl deploy|fly deploy|argocd app sync|terraform apply|aws ecs update-service|aws deploy|"
    r"supabase (db push|functions deploy)|netlify deploy|gcloud (run|app) deploy|eb deploy|serverless deploy|"
    r"sls deploy|kustomize build .*\| *kubectl|skaffold run|ansible-playbook|docker stack deploy|"
    r"argo rollouts|kubectl argo rollouts)",
    re.I,
)
_NOTIFY_USES = re.compile(
    r"^(slackapi/slack-github-action|8398a7/action-slack|rtcamp/action-slack-notify|act10ns/slack|"
    r"ravsamhq/notify-slack-action|dawidd6/action-send-mail|jdcargile/ms-teams-notification|"
    r"aliencube/microsoft-teams-actions|skitionek/notify-microsoft-teams|toko-bifrost/ms-teams-deploy-card|"
    r"appleboy/telegram-action|appleboy/discord-action|sarisia/actions-status-discord|"
    r"ilshidur/action-discord|tsickert/discord-webhook|opsgenie|pagerduty|chrnorm/deployment-status|"
    r"bobheadxi/deployments|mattermost/action-mattermost-notify)",
    re.I,
)
_NOTIFY_RUN = re.compile(
    r"(hooks\.slack\.com|\.webhook\.office\.com|discord(app)?\.com/api/webhooks|api\.telegram\.org|"
    r"(SLACK|TEAMS|DISCORD|MATTERMOST|NOTIFY)_?WEBHOOK|sendmail|\bmail -s\b)",
    re.I,
)
_PUSH_EVENTS = frozenset({"push", "pull_request", "pull_request_target", "merge_group"})
_SHA_REF = re.compile(r"@[0-9a-f]{40}$")


@dataclass(frozen=True)
class Step:
    name: str
    uses: str
    run: str


@dataclass(frozen=True)
class Job:
    id: str
    name: str
    needs: tuple[str, ...]
    environment: str | None
    steps: tuple[Step, ...]
    timeout_minutes: Any
    condition: str
    uses: str  # reusable workflow call
    permissions: Any

    def _hits(self, uses: re.Pattern[str], run: re.Pattern[str]) -> list[str]:
        hits = [f"uses {s.uses}" for s in self.steps if s.uses and uses.search(s.uses)]
        hits += [f"run {m.group(0)!r}" for s in self.steps if s.run for m in [run.search(s.run)] if m]
        if self.uses and (uses.search(self.uses) or run.search(self.uses)):
            hits.append(f"calls {self.uses}")
        return hits

    @property
    def builds(self) -> list[str]:
        return self._hits(_BUILD_USES, _BUILD_RUN) or (
            ["job id says build"] if "build" in self.id.lower() else []
        )

    @property
    def tests(self) -> list[str]:
        hits = self._hits(_TEST_USES, _TEST_RUN)
        return hits or (
            [f"job id {self.id!r}"] if re.search(r"\btests?\b|^tests?[-_]|[-_]tests?$", self.id) else []
        )

    @property
    def scans(self) -> list[str]:
        return self._hits(_SCAN_USES, _SCAN_RUN)

    @property
    def deploys(self) -> list[str]:
        hits = self._hits(_DEPLOY_USES, _DEPLOY_RUN)
        return hits or (["job id says deploy"] if "deploy" in self.id.lower() else [])

    @property
    def notifies(self) -> list[str]:
        return self._hits(_NOTIFY_USES, _NOTIFY_RUN)


@dataclass(frozen=True)
class Workflow:
    file: str
    name: str
    on: Mapping[str, Any]
    jobs: Mapping[str, Job]
    permissions: Any = None
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def events(self) -> set[str]:
        return set(self.on)

    def needs_closure(self, job_id: str) -> set[str]:
        seen: set[str] = set()
        todo = list(self.jobs[job_id].needs) if job_id in self.jobs else []
        while todo:
            j = todo.pop()
            if j not in seen:
                seen.add(j)
                todo.extend(self.jobs[j].needs if j in self.jobs else ())
        return seen


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _on(raw: Mapping[Any, Any]) -> dict[str, Any]:
    value = raw.get("on", raw.get(True))  # YAML 1.1: a bare `on` key parses as the boolean True
    if isinstance(value, str):
        return {value: None}
    if isinstance(value, list):
        return {str(v): None for v in value}
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    return {}


def _environment(value: Any) -> str | None:
    if isinstance(value, Mapping):
        return _text(value.get("name")) or None
    return _text(value) or None


def parse_workflow(text: str, file: str) -> Workflow:
    """One workflow file to plain facts; a malformed file raises ``ProbeError`` naming it."""
    try:
        raw = safe_yaml.load(text, str(file))
    except yaml.YAMLError as exc:
        raise ProbeError(f"{file}: malformed YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, Mapping):
        raise ProbeError(f"{file}: not a workflow (top level is not a mapping)")
    jobs: dict[str, Job] = {}
    for job_id, body in (raw.get("jobs") or {}).items():
        if not isinstance(body, Mapping):
            continue
        needs = body.get("needs") or []
        steps = tuple(
            Step(_text(s.get("name")), _text(s.get("uses")), _text(s.get("run")))
            for s in body.get("steps") or []
            if isinstance(s, Mapping)
        )
        jobs[str(job_id)] = Job(
            id=str(job_id),
            name=_text(body.get("name")) or str(job_id),
            needs=tuple([needs] if isinstance(needs, str) else [str(n) for n in needs]),
            environment=_environment(body.get("environment")),
            steps=steps,
            timeout_minutes=body.get("timeout-minutes"),
            condition=_text(body.get("if")),
            uses=_text(body.get("uses")),
            permissions=body.get("permissions"),
        )
    return Workflow(
        file=file,
        name=_text(raw.get("name")) or file,
        on=_on(raw),
        jobs=jobs,
        permissions=raw.get("permissions"),
    )


def load_workflows(root: Path) -> list[Workflow]:
    """Every ``.github/workflows/*.yml|*.yaml`` of the checkout."""
    folder = root / ".github" / "workflows"
    files = sorted(list(folder.glob("*.yml")) + list(folder.glob("*.yaml"))) if folder.is_dir() else []
    return [
        parse_workflow(f.read_text(encoding="utf-8", errors="replace"), f.relative_to(root).as_posix())
        for f in files
    ]


def _jobs_with(workflows: Iterable[Workflow], attr: str) -> list[tuple[Workflow, Job, list[str]]]:
    return [(w, j, getattr(j, attr)) for w in workflows for j in w.jobs.values() if getattr(j, attr)]


def _found(
    check: str, hits: list[tuple[Workflow, Job, list[str]]], expected: str, extra: Iterable[Finding] = ()
) -> Assessment:
    findings = [Finding(f"{w.file} job {j.id}", why[:3], expected, True) for w, j, why in hits]
    findings += list(extra)
    if not hits:
        findings.append(Finding(".github/workflows", "no such job", expected, False))
    return Assessment.of(check, findings, empty_ok=False)


def assess_build(workflows: list[Workflow]) -> Assessment:
    return _found(
        "build pipeline configured", _jobs_with(workflows, "builds"), "a job that builds the application"
    )


def assess_tests(workflows: list[Workflow]) -> Assessment:
    """A job runs the tests, in a workflow triggered on push or pull request."""
    hits = _jobs_with(workflows, "tests")
    findings = []
    for w, j, why in hits:
        triggered = bool(w.events & _PUSH_EVENTS)
        findings.append(
            Finding(
                f"{w.file} job {j.id}",
                {"runs": why[:3], "on": sorted(w.events)},
                "tests run on push / pull_request",
                triggered,
                "" if triggered else "tests never run automatically on changes",
            )
        )
    if not hits:
        findings.append(Finding(".github/workflows", "no job runs tests", "a job that runs the tests", False))
    return Assessment.of("test pipeline running", findings, empty_ok=False)


def assess_security_scan(workflows: list[Workflow]) -> Assessment:
    return _found(
        "security scanning enabled",
        _jobs_with(workflows, "scans"),
        "a scanning step (CodeQL, Trivy, Snyk, pip-audit, npm audit, bandit, gitleaks, ...)",
    )


def _test_workflow_names(workflows: list[Workflow]) -> set[str]:
    return {w.name for w in workflows if any(j.tests for j in w.jobs.values())}


def deploy_gate(w: Workflow, j: Job, test_workflows: set[str]) -> str | None:
    """How the deployment job is gated on tests, or None."""
    for dep in sorted(w.needs_closure(j.id)):
        if dep in w.jobs and w.jobs[dep].tests:
            return f"needs {dep} (runs tests)"
    first_deploy = next(
        (
            i
            for i, s in enumerate(j.steps)
            if _DEPLOY_RUN.search(s.run) or (s.uses and _DEPLOY_USES.search(s.uses))
        ),
        len(j.steps),
    )
    if any(_TEST_RUN.search(s.run) for s in j.steps[:first_deploy]):
        return "tests run earlier in the same job"
    run = w.on.get("workflow_run")
    if isinstance(run, Mapping):
        names = run.get("workflows") or []
        names = [names] if isinstance(names, str) else [str(n) for n in names]
        tested = [n for n in names if n in test_workflows]
        conclusion = "conclusion == 'success'" in (
            j.condition + " ".join(w.jobs[d].condition for d in w.needs_closure(j.id) if d in w.jobs)
        ).replace('"', "'")
        if tested and conclusion:
            return f"workflow_run on {tested[0]!r} with conclusion == success"
    return None


def assess_deploy(workflows: list[Workflow]) -> Assessment:
    """Every deployment job is gated on the tests and runs in an ``environment:``."""
    tests = _test_workflow_names(workflows)
    findings = []
    for w, j, why in _jobs_with(workflows, "deploys"):
        gate = deploy_gate(w, j, tests)
        ok = gate is not None and j.environment is not None
        problems = ([] if gate else ["not gated on tests (needs / workflow_run)"]) + (
            [] if j.environment else ["no environment: (no protection rules or reviewers apply)"]
        )
        findings.append(
            Finding(
                f"{w.file} job {j.id}",
                {"deploys": why[:2], "gated_by": gate, "environment": j.environment},
                {"gated_by": "tests", "environment": "set"},
                ok,
                "; ".join(problems),
            )
        )
    if not findings:
        findings.append(
            Finding(".github/workflows", "no deployment job", "a deployment job gated on tests", False)
        )
    return Assessment.of("deployment pipeline gated on tests", findings, empty_ok=False)


def assess_notifications(workflows: list[Workflow]) -> Assessment:
    """A workflow that deploys also notifies (Slack, Teams, Discord, e-mail, webhook, deployment status)."""
    findings = []
    for w in workflows:
        if not any(j.deploys for j in w.jobs.values()):
            continue
        hits = [f"job {j.id}: {h}" for j in w.jobs.values() for h in j.notifies]
        findings.append(
            Finding(w.file, hits[:3] or "no notification step", "a notification step", bool(hits))
        )
    if not findings:
        findings.append(
            Finding(
                ".github/workflows", "no deployment workflow", "a deployment workflow that notifies", False
            )
        )
    return Assessment.of("deployment notifications configured", findings, empty_ok=False)


def assess_job_timeouts(workflows: list[Workflow]) -> Assessment:
    """Informational: jobs without ``timeout-minutes`` run up to GitHub's six-hour default."""
    findings = [
        Finding(
            f"{w.file} job {j.id}",
            j.timeout_minutes,
            "timeout-minutes set",
            j.timeout_minutes is not None,
            "" if j.timeout_minutes is not None else "runs up to 360 minutes when stuck",
        )
        for w in workflows
        for j in w.jobs.values()
        if not j.uses
    ]
    return Assessment.of("jobs have timeouts", findings)


def assess_hardening(workflows: list[Workflow]) -> Assessment:
    """Informational: restricted ``GITHUB_TOKEN`` permissions and third-party actions pinned to a commit."""
    findings = []
    for w in workflows:
        restricted = w.permissions is not None or all(j.permissions is not None for j in w.jobs.values())
        findings.append(
            Finding(
                f"{w.file} permissions",
                w.permissions if w.permissions is not None else "default",
                "explicit permissions",
                restricted,
            )
        )
        for j in w.jobs.values():
            for s in j.steps:
                if s.uses and not s.uses.startswith(("./", "docker://")):
                    pinned = bool(_SHA_REF.search(s.uses))
                    findings.append(
                        Finding(
                            f"{w.file} job {j.id} uses {s.uses.split('@')[0]}",
                            s.uses.split("@")[-1],
                            "a full commit SHA",
                            pinned or s.uses.startswith("actions/"),
                        )
                    )
    return Assessment.of("workflow hardening", findings)
