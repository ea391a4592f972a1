"""GitHub REST API: did the latest workflow runs on the release revision succeed?

Read-only GETs with the configured token and timeout: ``GET /repos/{o}/{r}/commits/{ref}`` resolves
a tag or branch to its commit, ``GET /repos/{o}/{r}/actions/runs?head_sha=...`` lists that commit's
runs.  The newest run of each workflow decides; one that is not ``completed`` is not a success.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes import transport

_SHA = re.compile(r"^[0-9a-f]{40}$")


class GitHubClient:
    def __init__(self, repository: str, token: str, api_url: str, timeout: float = 10.0) -> None:
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", repository):
            raise ProbeError(f"[github] repository must be owner/name, got {repository!r}")
        self.repository = repository
        self.api = api_url.rstrip("/")
        self.timeout = timeout
        self.http = transport.new_session(
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {token}",
                "X-GitHub-Api-Version": "2022-11-28",
            }
        )

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        url = f"{self.api}/repos/{self.repository}{path}"
        try:
            resp = transport.fetch(self.http, "GET", url, params=params, timeout=self.timeout)
        except transport.TransportError as exc:
            raise ProbeError(f"GitHub API {self.api}: {transport.describe(exc)}") from None
        if resp.status_code in (401, 403):
            raise ProbeError(
                f"GitHub API GET {path}: HTTP {resp.status_code} (token lacks access: actions:read)"
            )
        if resp.status_code == 404:
            raise ProbeError(f"GitHub API GET {path}: 404 (repository {self.repository} or ref not found)")
        if resp.status_code != 200:
            raise ProbeError(f"GitHub API GET {path}: HTTP {resp.status_code}")
        try:
            return resp.json()
        except ValueError:
            raise ProbeError(f"GitHub API GET {path}: not JSON") from None

    def resolve(self, ref: str) -> str:
        """A commit SHA for a tag, branch or SHA."""
        if _SHA.match(ref):
            return ref
        data = self.get(f"/commits/{ref}")
        sha = data.get("sha") if isinstance(data, Mapping) else None
        if not isinstance(sha, str):
            raise ProbeError(f"GitHub API: cannot resolve {ref!r} to a commit")
        return sha

    def runs_for(self, sha: str) -> list[dict[str, Any]]:
        data = self.get("/actions/runs", {"head_sha": sha, "per_page": "100"})
        runs = data.get("workflow_runs") if isinstance(data, Mapping) else None
        if not isinstance(runs, list):
            raise ProbeError("GitHub API /actions/runs: no workflow_runs in the answer")
        return [r for r in runs if isinstance(r, dict)]


def assess_runs(runs: Iterable[Mapping[str, Any]], sha: str) -> Assessment:
    """The newest run of every workflow on ``sha`` completed with success (skipped/neutral accepted)."""
    latest: dict[str, Mapping[str, Any]] = {}
    for r in runs:
        key = str(r.get("workflow_id") or r.get("name"))
        stamp = (str(r.get("created_at") or ""), int(r.get("run_attempt") or 0), int(r.get("id") or 0))
        old = latest.get(key)
        if old is None or stamp > (
            str(old.get("created_at") or ""),
            int(old.get("run_attempt") or 0),
            int(old.get("id") or 0),
        ):
            latest[key] = r
    findings = []
    for r in sorted(latest.values(), key=lambda r: str(r.get("name"))):
        status, conclusion = r.get("status"), r.get("conclusion")
        ok = status == "completed" and conclusion in ("success", "skipped", "neutral")
        findings.append(
            Finding(
                f"workflow {r.get('name')} run {r.get('id')} on {sha[:12]}",
                {"status": status, "conclusion": conclusion},
                {"status": "completed", "conclusion": "success"},
                ok,
                str(r.get("html_url") or ""),
            )
        )
    if not findings:
        findings.append(
            Finding(f"commit {sha[:12]}", "no workflow run", "at least one successful run", False)
        )
    return Assessment.of("latest workflow runs on the release revision succeeded", findings, empty_ok=False)
