"""GitHub Actions workflows (``.github/workflows/*.y*ml``): what the pipeline builds, tests, scans, deploys.

Parsed with PyYAML; the ``on:`` key reads as ``True`` under YAML 1.1 and is normalised back.  Jobs are
classified by the actions they use and the commands they run (a job id alone is weak evidence and only
used when nothing else says otherwise).  A deployment job must be gated on tests — through ``needs``
(transitively), tests earlier in the same job, or a ``workflow_run`` trigger on a testing workflow
that checks its conclusion — and bound to an ``environment:`` (where GitHub's protection rules and
reviewers live).  Good practice (``permissions: {}``, actions pinned to a commit) is never flagged.

Workflows are read the way the runner executes them: a step built from matrix values
(``run: make ci-${{ matrix.job }}``) is expanded once per matrix combination, local composite actions
(``uses: ./.github/actions/x``) are replaced by their steps, and a job calling a local reusable workflow
(``uses: ./.github/workflows/y.yml``) carries the steps of the called jobs (bounded depth, cycle-safe).
Security hardening of the workflows is zizmor's job (``probes/zizmor.py``); only what it has no audit
for (deploy gated on tests, notifications, timeouts) is judged here.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_readiness import safe_yaml
from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.lazy import lazy

if TYPE_CHECKING:
    import yaml
else:
    yaml = lazy("yaml")

_BUILD_USES = re.compile(
    r"^(docker/build-push-action|docker/bake-action|redhat-actions/buildah-build|"
    r"gradle/gradle-build-action|goreleaser/goreleaser-action|ko-build/setup-ko)",
    re.I,
)
_FLAGS = r"(?:\s+-{1,2}[\w.:/@=-]+(?:[= ](?!build\b|assemble\b|package\b|publish\b)[\w.:/@*-]+)?)*"
"""Options between a tool and its sub-command (``mvn -B -ntp package``, ``bun run --filter web build``)."""
_BUILD_RUN = re.compile(
    rf"(?<![\w-])(?:"
    rf"(?:npm|pnpm|yarn|bun){_FLAGS}(?:\s+run)?{_FLAGS}\s+build(?::[\w:-]+)?(?![\w-])"
    rf"|(?:turbo|nx|lerna){_FLAGS}(?:\s+run(?:-many)?)?{_FLAGS}(?:\s+-t)?\s+build(?![\w-])"
    rf"|(?:next|vite|ng|nuxt|astro|remix|vue-cli-service|react-scripts|webpack){_FLAGS}\s+build(?![\w-])"
    rf"|docker{_FLAGS}\s+(?:buildx\s+)?(?:build|bake)\b|docker(?:-|\s+)compose{_FLAGS}\s+build(?![\w-])"
    rf"|(?:podman|buildah){_FLAGS}\s+(?:build|bud)\b|kaniko|ko\s+build(?![\w-])|goreleaser\b"
    rf"|python3?\s+-m\s+build(?![\w-])|python3?\s+setup\.py\s+(?:sdist|bdist_wheel|build)\b"
    rf"|(?:uv|poetry|hatch|pdm|flit|maturin){_FLAGS}\s+(?:build|publish)\b"
    rf"|(?:go|cargo|bazel){_FLAGS}\s+build(?![\w-])|swift\s+build(?![\w-])"
    rf"|(?:\./)?mvnw?{_FLAGS}(?:\s+[\w:.-]+)*?\s+(?:package|verify|install|deploy)\b"
    rf"|(?:\./)?gradlew?(?:\.bat)?{_FLAGS}(?:\s+[\w:-]+)*?\s+(?::?[\w-]+:)?"
    rf"(?:build|assemble\w*|bootJar|jar|shadowJar)\b"
    rf"|sbt{_FLAGS}(?:\s+\S+)*?\s+(?:package|assembly|compile)\b"
    rf"|dotnet{_FLAGS}\s+(?:build|publish|pack)\b|msbuild(?![\w-])|cmake\s+--build(?![\w-])"
    rf"|make{_FLAGS}(?:\s+[\w-]+=\S+)*\s+[\w.-]*build[\w.-]*\b"
    rf"|tsc\b(?!.*--noEmit)"
    rf")",
    re.I,
)
_TEST_RUN = re.compile(
    r"\b(pytest|tox|nox|(npm|bun|deno|mix|swift|dotnet|ctest) (run )?test|yarn( run)? test|pnpm( run)? test|"
    r"jest|vitest|playwright test|cypress run|go test|cargo (test|nextest)|mvnw? (-\S+ )*(test|verify)\b|"
    r"gradle\w* (-\S+ )*(test|check)\b|make (-\S+ )*test\w*|phpunit|rspec|"
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
    concurrency: Any = None

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
    called_only: bool = False  # a reusable workflow run only through its callers (judged there)

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


MAX_MATRIX = 256
"""Matrix combinations expanded per job (GitHub's own limit); more are read unexpanded."""
MAX_DEPTH = 4
"""Nesting of local composite actions and reusable workflows followed."""
_EXPR = re.compile(r"\$\{\{\s*(matrix|inputs)\.([\w-]+)\s*\}\}")


def matrix_combinations(strategy: Any) -> list[dict[str, Any]]:
    """The runner's matrix: the product of the axes, minus ``exclude``, then ``include`` merged or added."""
    matrix = strategy.get("matrix") if isinstance(strategy, Mapping) else None
    if not isinstance(matrix, Mapping):
        return [{}]
    axes = {str(k): v for k, v in matrix.items() if k not in ("include", "exclude") and isinstance(v, list)}
    combos: list[dict[str, Any]] = []
    if axes:
        for values in itertools.islice(itertools.product(*axes.values()), MAX_MATRIX):
            combos.append(dict(zip(axes, values, strict=True)))
    exclude = [e for e in matrix.get("exclude") or [] if isinstance(e, Mapping)]
    combos = [c for c in combos if not any(all(c.get(k) == v for k, v in e.items()) for e in exclude)]
    for extra in [i for i in matrix.get("include") or [] if isinstance(i, Mapping)]:
        extra = {str(k): v for k, v in extra.items()}
        merged = False
        for c in combos:
            if all(c.get(k) == v for k, v in extra.items() if k in axes):
                new = {k: v for k, v in extra.items() if k not in axes}
                if not any(k in c and c[k] != v for k, v in new.items() if k not in axes):
                    c.update(new)
                    merged = True
        if not merged and len(combos) < MAX_MATRIX:
            combos.append(dict(extra))
    return combos or [{}]


def _substitute(text: str, values: Mapping[str, Mapping[str, Any]]) -> str:
    """``${{ matrix.x }}`` / ``${{ inputs.x }}`` replaced by the known value (others left as written)."""

    def repl(m: re.Match[str]) -> str:
        scope = values.get(m.group(1), {})
        return _text(scope[m.group(2)]) if m.group(2) in scope else m.group(0)

    return _EXPR.sub(repl, text)


def _local_file(root: Path | None, ref: str, names: tuple[str, ...]) -> Path | None:
    """A ``./path`` reference of the same repository, resolved inside ``root`` (never outside it)."""
    if root is None or not ref.startswith("./"):
        return None
    base = (root / ref.split("@")[0]).resolve()
    if not base.is_relative_to(root.resolve()):
        return None
    for candidate in [base / n for n in names] if base.is_dir() else [base]:
        if candidate.is_file():
            return candidate
    return None


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, yaml.YAMLError):
        return None  # the called file is judged on its own (load_workflows), not through its caller


@dataclass
class _Reader:
    """Steps as the runner runs them, following local actions and reusable workflows of ``root``."""

    root: Path | None
    stack: tuple[str, ...] = ()

    def steps(self, raw_steps: Any, values: Mapping[str, Mapping[str, Any]]) -> Iterator[Step]:
        for s in raw_steps if isinstance(raw_steps, list) else []:
            if not isinstance(s, Mapping):
                continue
            uses = _substitute(_text(s.get("uses")), values)
            action = _local_file(self.root, uses, ("action.yml", "action.yaml"))
            if action is not None and len(self.stack) < MAX_DEPTH and str(action) not in self.stack:
                body = _load_yaml(action)
                runs = body.get("runs") if isinstance(body, Mapping) else None
                if isinstance(runs, Mapping) and runs.get("using") == "composite":
                    inner = _Reader(self.root, (*self.stack, str(action)))
                    yield from inner.steps(runs.get("steps"), {"inputs": _inputs(body, s.get("with"))})
                    continue
            yield Step(_text(s.get("name")), uses, _substitute(_text(s.get("run")), values))

    def called(self, uses: str, with_: Any) -> tuple[list[Step], str | None]:
        """Steps and environment of the jobs of a local reusable workflow (``jobs.<id>.uses: ./...``)."""
        path = _local_file(self.root, uses, ())
        if path is None or len(self.stack) >= MAX_DEPTH or str(path) in self.stack:
            return [], None
        body = _load_yaml(path)
        if not isinstance(body, Mapping):
            return [], None
        trigger = _on(body).get("workflow_call")
        inputs = _inputs({"inputs": trigger.get("inputs")} if isinstance(trigger, Mapping) else {}, with_)
        inner = _Reader(self.root, (*self.stack, str(path)))
        jobs = [
            inner.job(str(k), v, inputs)
            for k, v in (body.get("jobs") or {}).items()
            if isinstance(v, Mapping)
        ]
        environment = next((j.environment for j in jobs if j.environment and j.deploys), None)
        environment = environment or next((j.environment for j in jobs if j.environment), None)
        return [step for j in jobs for step in j.steps], environment

    def job(self, job_id: str, body: Mapping[str, Any], inputs: Mapping[str, Any] | None = None) -> Job:
        needs = body.get("needs") or []
        steps: list[Step] = []
        seen: set[Step] = set()
        combos = matrix_combinations(body.get("strategy"))
        raw_steps = body.get("steps")
        for raw in (
            raw_steps if isinstance(raw_steps, list) else []
        ):  # step by step, each in every distinct matrix expansion
            for combo in combos:
                for step in self.steps([raw], {"matrix": combo, "inputs": inputs or {}}):
                    if step not in seen:
                        seen.add(step)
                        steps.append(step)
        uses = _text(body.get("uses"))
        environment = _environment(body.get("environment"))
        if environment:  # `environment: ${{ inputs.env }}` names the caller's environment
            environment = _substitute(environment, {"inputs": inputs or {}, "matrix": combos[0]})
        if uses:
            called_steps, called_env = self.called(uses, body.get("with"))
            steps += called_steps
            environment = environment or called_env
        return Job(
            id=job_id,
            name=_text(body.get("name")) or job_id,
            needs=tuple([needs] if isinstance(needs, str) else [str(n) for n in needs]),
            environment=environment,
            steps=tuple(steps),
            timeout_minutes=body.get("timeout-minutes"),
            condition=_text(body.get("if")),
            uses=uses,
            permissions=body.get("permissions"),
            concurrency=body.get("concurrency"),
        )


def _inputs(action: Any, with_: Any) -> dict[str, Any]:
    """Inputs of a composite action or reusable workflow: the caller's ``with:`` over the defaults."""
    declared = action.get("inputs") if isinstance(action, Mapping) else None
    values = (
        {
            str(k): v["default"]
            for k, v in (declared or {}).items()
            if isinstance(v, Mapping) and "default" in v
        }
        if isinstance(declared, Mapping)
        else {}
    )
    if isinstance(with_, Mapping):
        values.update({str(k): v for k, v in with_.items()})
    return values


def parse_workflow(text: str, file: str, root: Path | None = None) -> Workflow:
    """One workflow file to plain facts; a malformed file raises ``ProbeError`` naming it.

    With ``root`` (the checkout), local composite actions and reusable workflows are followed.
    """
    try:
        raw = safe_yaml.load(text, str(file))
    except yaml.YAMLError as exc:
        raise ProbeError(f"{file}: malformed YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, Mapping):
        raise ProbeError(f"{file}: not a workflow (top level is not a mapping)")
    reader = _Reader(root, (str((root / file).resolve()),) if root else ())
    jobs = {
        str(job_id): reader.job(str(job_id), body)
        for job_id, body in (raw.get("jobs") or {}).items()
        if isinstance(body, Mapping)
    }
    return Workflow(
        file=file,
        name=_text(raw.get("name")) or file,
        on=_on(raw),
        jobs=jobs,
        permissions=raw.get("permissions"),
    )


def load_workflows(root: Path) -> list[Workflow]:
    """Every ``.github/workflows/*.yml|*.yaml`` of the checkout, read as the runner runs it."""
    folder = root / ".github" / "workflows"
    files = sorted(list(folder.glob("*.yml")) + list(folder.glob("*.yaml"))) if folder.is_dir() else []
    flows = [
        parse_workflow(f.read_text(encoding="utf-8", errors="replace"), f.relative_to(root).as_posix(), root)
        for f in files
    ]
    called = {
        j.uses.split("@")[0].removeprefix("./")
        for w in flows
        for j in w.jobs.values()
        if j.uses.startswith("./")
    }
    return [replace(w, called_only=w.events <= {"workflow_call"} and w.file in called) for w in flows]


def _jobs_with(workflows: Iterable[Workflow], attr: str) -> list[tuple[Workflow, Job, list[str]]]:
    """Jobs doing ``attr``; a reusable workflow only called by others counts through its callers."""
    return [
        (w, j, getattr(j, attr))
        for w in workflows
        if not w.called_only
        for j in w.jobs.values()
        if getattr(j, attr)
    ]


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
        if w.called_only or not any(j.deploys for j in w.jobs.values()):
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
    """Restricted ``GITHUB_TOKEN`` permissions, actions pinned to a commit (the suites use zizmor instead)."""
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
