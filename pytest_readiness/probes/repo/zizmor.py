"""GitHub Actions hardening from zizmor (https://docs.zizmor.sh), mapped to the CI/CD checklist items.

zizmor is the well-kept engine for workflow security (template injection, unpinned actions, excessive
permissions, ``secrets: inherit``, self-hosted runners, dangerous triggers, secrets outside an
environment, ...), so no hand-written rule here repeats an audit it has.  It runs once per session,
offline, over the workflows and local actions of ``.github`` with ``--persona auditor`` (every
finding, each tagged with the persona that shows it); the mapping below decides what blocks an item.

Blocking rule (agreeing with what ``zizmor --offline`` reports by default, at severity and confidence
medium or above): a finding of zizmor's ``regular`` persona with severity >= medium and confidence >=
medium blocks its item.  Three audits of the stricter personas are adopted on purpose, because a
release reviewer asks for them: ``self-hosted-runner`` (a runner shared across jobs),
``secrets-outside-env`` in a deployment job (the secret bypasses the environment's protection rules),
and ``concurrency-limits`` on a workflow whose deployment job has no ``concurrency:`` of its own (two
deployments racing).  Lower findings are recorded as informational evidence; ``# zizmor: ignore[...]``
comments and ``zizmor.yml`` are honoured.  A file zizmor skips as invalid (GitHub rejects it too) fails
the hardening item, naming the file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.repo.workflows import Workflow

__all__ = [
    "ITEM_DEPLOY",
    "ITEM_HARDENING",
    "ZizmorFinding",
    "ZizmorReport",
    "assess",
    "find_zizmor",
    "item_of",
    "parse_report",
    "run_zizmor",
]

ITEM_HARDENING = "CICD-ACTIONS-SECURITY-SCAN"
ITEM_DEPLOY = "CICD-ACTIONS-DEPLOY"
TIMEOUT_S = 60.0
ENV_OVERRIDE = "READINESS_ZIZMOR"
LEVELS = {"unknown": 0, "informational": 1, "low": 2, "medium": 3, "high": 4}
#: Audits of the auditor/pedantic personas adopted as blocking (see the module docstring).
ADOPTED = frozenset({"self-hosted-runner", "secrets-outside-env", "concurrency-limits"})
#: Audits that concern a deployment: mapped to the deploy item when found in a deploying job/workflow.
DEPLOY_AUDITS = frozenset({"secrets-outside-env", "concurrency-limits"})


@dataclass(frozen=True)
class ZizmorFinding:
    """One zizmor finding at its primary location (file relative to the checkout, 1-based line)."""

    audit: str
    desc: str
    severity: str
    confidence: str
    persona: str
    file: str
    line: int
    route: tuple[str | int, ...]
    annotation: str
    ignored: bool = False

    @property
    def job(self) -> str | None:
        return str(self.route[1]) if len(self.route) > 1 and self.route[0] == "jobs" else None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" + (f" job {self.job}" if self.job else "")


@dataclass(frozen=True)
class ZizmorReport:
    version: str
    inputs: tuple[str, ...]
    findings: tuple[ZizmorFinding, ...]
    invalid: tuple[tuple[str, str], ...] = ()  # (file, why): files zizmor (and GitHub) reject as invalid


_INVALID = re.compile(r"failed to (?:validate|load) file://(\S+?) as (\w+): (.*)$", re.M)


def _invalid_inputs(stderr: str, root: Path) -> tuple[tuple[str, str], ...]:
    out = []
    for m in _INVALID.finditer(stderr):
        path = Path(m.group(1))
        path = path if path.is_absolute() else root / path
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = m.group(1)
        out.append((rel, f"not a valid {m.group(2)}: {m.group(3).strip()}"))
    return tuple(dict.fromkeys(out))


def _error_line(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    first = next(
        (ln for ln in lines if ln.startswith(("error:", "fatal:"))), lines[-1] if lines else "no output"
    )
    return first[:300]


def find_zizmor() -> str | None:
    """``$READINESS_ZIZMOR``, else the ``zizmor`` installed with this Python (the PyPI wheel), else PATH."""
    override = os.environ.get(ENV_OVERRIDE)
    if override is not None:
        return override if os.access(override, os.X_OK) else None
    beside = Path(sysconfig.get_path("scripts")) / "zizmor"
    for candidate in (beside, Path(sys.executable).parent / "zizmor"):
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("zizmor")


def _level(value: Any) -> str:
    return str(value or "unknown").lower()


def parse_report(data: Any, root: Path) -> list[ZizmorFinding]:
    """zizmor's JSON (format v1) to findings; an unexpected shape raises ``ProbeError``."""
    if not isinstance(data, list):
        raise ProbeError("zizmor: unexpected JSON output (not a list of findings)")
    out = []
    for raw in data:
        try:
            det = raw["determinations"]
            locations = raw["locations"]
            primary = next((x for x in locations if x["symbolic"]["kind"] == "Primary"), locations[0])
            key = primary["symbolic"]["key"]
            path = next(iter(key.values()))["verbatim_path"] if isinstance(key, Mapping) else str(key)
            route = tuple(next(iter(step.values())) for step in primary["symbolic"]["route"]["route"])
            line = int(primary["concrete"]["location"]["start_point"]["row"]) + 1
        except (KeyError, IndexError, TypeError, StopIteration, ValueError) as exc:
            raise ProbeError(f"zizmor: unexpected finding shape ({type(exc).__name__}: {exc})") from None
        file = Path(path)
        file = (root / file) if not file.is_absolute() else file
        try:
            rel = file.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = path
        out.append(
            ZizmorFinding(
                audit=str(raw.get("ident")),
                desc=str(raw.get("desc") or ""),
                severity=_level(det.get("severity")),
                confidence=_level(det.get("confidence")),
                persona=_level(det.get("persona")),
                file=rel,
                line=line,
                route=route,
                annotation=str(primary["symbolic"].get("annotation") or ""),
                ignored=bool(raw.get("ignored")),
            )
        )
    return out


def run_zizmor(root: Path, binary: str, timeout: float = TIMEOUT_S) -> ZizmorReport:
    """zizmor once over ``root/.github`` (workflows and local actions), offline, every persona."""
    root = root.resolve()
    inputs = [p for p in (root / ".github",) if p.is_dir()]
    if not inputs:
        return ZizmorReport("", (), ())
    try:
        version = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=timeout, check=False
        ).stdout.strip()
        done = subprocess.run(
            [
                binary,
                "--offline",
                "--persona",
                "auditor",
                "--format",
                "json",
                "--no-exit-codes",
                "--no-progress",
                "--color",
                "never",
                "--collect=workflows,actions",  # GitHub Actions only (not dependabot.yml, pre-commit)
                *[str(p) for p in inputs],
            ],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, "ZIZMOR_OFFLINE": "true", "NO_COLOR": "1"},
        )
    except subprocess.TimeoutExpired:
        raise ProbeError(f"zizmor over {root}/.github: no answer within {timeout:g} s") from None
    except OSError as exc:
        raise ProbeError(f"zizmor ({binary}): cannot run ({exc.strerror})") from None
    rels = tuple(p.relative_to(root).as_posix() for p in inputs)
    invalid = _invalid_inputs(done.stderr, root)
    if done.returncode != 0:
        if invalid and "no inputs collected" in done.stderr:  # every file invalid: nothing to audit
            return ZizmorReport(version, rels, (), invalid)
        raise ProbeError(
            f"zizmor over {root}/.github failed (exit {done.returncode}): {_error_line(done.stderr)}"
        )
    try:
        data = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        raise ProbeError("zizmor: output is not JSON") from None
    return ZizmorReport(version, rels, tuple(parse_report(data, root)), invalid)


def _deploying(workflows: Iterable[Workflow]) -> tuple[set[str], set[tuple[str, str]]]:
    """Files with a deployment job that has no ``concurrency:`` of its own, and (file, job) of every
    deployment job.  A workflow-wide concurrency finding matters for the deployments only."""
    files, jobs = set(), set()
    for w in workflows:
        for j in w.jobs.values():
            if j.deploys:
                jobs.add((w.file, j.id))
                if j.concurrency is None:
                    files.add(w.file)
    return files, jobs


def item_of(
    f: ZizmorFinding, deploy_files: set[str], deploy_jobs: set[tuple[str, str]]
) -> tuple[str, bool] | None:
    """(item, blocks) for a finding, or None when it concerns no item (noise of the pedantic persona)."""
    strong = LEVELS.get(f.severity, 0) >= LEVELS["medium"] and LEVELS.get(f.confidence, 0) >= LEVELS["medium"]
    if f.audit in DEPLOY_AUDITS:
        in_deploy = (f.file, f.job) in deploy_jobs if f.job else f.file in deploy_files
        if in_deploy:
            return ITEM_DEPLOY, True
        return (ITEM_HARDENING, False) if strong else None
    if f.persona == "regular" or f.audit in ADOPTED:
        return ITEM_HARDENING, strong
    return (ITEM_HARDENING, False) if strong else None


def assess(report: ZizmorReport, workflows: Sequence[Workflow], item: str) -> Assessment:
    """zizmor's findings mapped to ``item`` (``ITEM_HARDENING`` or ``ITEM_DEPLOY``)."""
    deploy_files, deploy_jobs = _deploying(workflows)
    findings = []
    for f in report.findings:
        if f.ignored:
            continue
        mapped = item_of(f, deploy_files, deploy_jobs)
        if mapped is None or mapped[0] != item:
            continue
        blocks = mapped[1]
        findings.append(
            Finding(
                f"{f.where} [{f.audit}]",
                {"severity": f.severity, "confidence": f.confidence, "finding": f.annotation or f.desc},
                "no zizmor finding",
                not blocks,
                f.desc if blocks else f"informational ({f.persona} persona): {f.desc}",
            )
        )
    if item == ITEM_HARDENING:
        findings += [
            Finding(
                file, why, "a workflow GitHub accepts", False, "zizmor cannot audit it; GitHub rejects it"
            )
            for file, why in report.invalid
        ]
    ignored = sum(1 for f in report.findings if f.ignored)
    scope = ", ".join(report.inputs) or "no .github folder"
    summary = f"{report.version or 'zizmor'} --offline over {scope}"
    if ignored:
        summary += f"; {ignored} finding(s) ignored by zizmor.yml or ignore comments"
    what = "workflow hardening" if item == ITEM_HARDENING else "deployment workflow hardening"
    findings.append(Finding(f"{what} (zizmor)", summary, "completed", True))
    return Assessment.of(f"{what} (zizmor)", findings)
