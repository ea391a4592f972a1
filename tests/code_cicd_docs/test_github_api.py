"""GitHub REST API runs of the release revision, against a local http.server speaking the documented API."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.repo.github_api import GitHubClient, assess_runs
from tests.support.http_server import QuietHandler, serve

GOOD_SHA = "a" * 40
BAD_SHA = "b" * 40
TOKEN = "ghp_testtoken_0123456789"
RUNS = {
    GOOD_SHA: [
        {
            "id": 1,
            "name": "CI",
            "workflow_id": 10,
            "status": "completed",
            "conclusion": "failure",
            "created_at": "2024-03-01T10:00:00Z",
            "run_attempt": 1,
        },
        {
            "id": 2,
            "name": "CI",
            "workflow_id": 10,
            "status": "completed",
            "conclusion": "success",
            "created_at": "2024-03-01T10:00:00Z",
            "run_attempt": 2,
        },  # re-run succeeded: the newest attempt wins
        {
            "id": 3,
            "name": "CodeQL",
            "workflow_id": 11,
            "status": "completed",
            "conclusion": "success",
            "created_at": "2024-03-01T10:01:00Z",
            "run_attempt": 1,
        },
    ],
    BAD_SHA: [
        {
            "id": 4,
            "name": "CI",
            "workflow_id": 10,
            "status": "completed",
            "conclusion": "failure",
            "created_at": "2024-03-02T10:00:00Z",
            "run_attempt": 1,
        },
        {
            "id": 5,
            "name": "Deploy",
            "workflow_id": 12,
            "status": "in_progress",
            "conclusion": None,
            "created_at": "2024-03-02T10:00:00Z",
            "run_attempt": 1,
        },
    ],
}


class Handler(QuietHandler):
    def do_GET(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.send_json(401, {"message": "Bad credentials"})
        url = urlsplit(self.path)
        if url.path == "/repos/acme/web/actions/runs":
            sha = parse_qs(url.query).get("head_sha", [""])[0]
            runs = RUNS.get(sha, [])
            return self.send_json(200, {"total_count": len(runs), "workflow_runs": runs})
        if url.path == "/repos/acme/web/commits/v1.0.0":
            return self.send_json(200, {"sha": GOOD_SHA})
        return self.send_json(404, {"message": "Not Found"})



@pytest.fixture(scope="module")
def github_api() -> Iterator[str]:
    with serve(Handler) as url:
        yield url


def test_release_tag_runs_succeeded(github_api: str) -> None:
    client = GitHubClient("acme/web", TOKEN, github_api, timeout=5)
    sha = client.resolve("v1.0.0")
    a = assess_runs(client.runs_for(sha), sha)
    assert sha == GOOD_SHA and a.ok, a.message()
    assert [f.observed["conclusion"] for f in a.findings] == ["success", "success"]


def test_failed_and_unfinished_runs_fail(github_api: str) -> None:
    client = GitHubClient("acme/web", TOKEN, github_api, timeout=5)
    a = assess_runs(client.runs_for(BAD_SHA), BAD_SHA)
    assert not a.ok and len(a.failures) == 2
    assert not assess_runs(client.runs_for("c" * 40), "c" * 40).ok  # no run at all


def test_bad_token_and_unknown_ref_are_errors(github_api: str) -> None:
    with pytest.raises(ProbeError, match="401") as exc:
        GitHubClient("acme/web", "wrong-token", github_api, timeout=5).runs_for(GOOD_SHA)
    assert "wrong-token" not in str(exc.value)
    with pytest.raises(ProbeError, match="404"):
        GitHubClient("acme/web", TOKEN, github_api, timeout=5).resolve("v9.9.9")
    with pytest.raises(ProbeError):
        GitHubClient("acme/web", TOKEN, "http://127.0.0.1:1", timeout=2).runs_for(GOOD_SHA)
