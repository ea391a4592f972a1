"""No fragment of a secret in any output: a canary Supabase service_role JWT through a real suite run.

pytest shortens long values to ``head...tail`` before any redaction sees them; the tail of a JWT holds
the end of its payload and its whole signature.  Every output (terminal with ``-vv --showlocals``,
junit.xml, pytest-html, readiness.json/.md/.html) is searched for every 12-character window of it.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_readiness import redact
from tests.support.readiness import REPO, env_toml


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


HEADER = _b64({"alg": "HS256", "typ": "JWT"})
CANARY = (
    f"{HEADER}.{_b64({'iss': 'supabase', 'ref': 'canaryref', 'role': 'service_role', 'iat': 1, 'exp': 9})}"
    ".Q2FuYXJ5LXNpZ25hdHVyZS0zZjlhMWM3ZTViMmQ4ZjA0"
)

EXTRA = """
import os, pytest

@pytest.mark.checklist("ENV-SUPABASE-ENV-VARS")
@pytest.mark.parametrize("key", [os.environ["CANARY_KEY"]])
def test_key_in_ids_and_asserts(key, readiness_env):
    configured = readiness_env.get("supabase", "service_role_key")
    assert key == configured + "x", f"{key} rejected"
"""


def _windows(secret: str) -> set[str]:
    return {secret[i : i + redact.WINDOW] for i in range(len(secret) - redact.WINDOW + 1)}


@pytest.mark.parametrize("workers", ["0", "2"])
def test_no_canary_fragment_anywhere(tmp_path: Path, workers: str) -> None:
    repo = tmp_path / "repo"
    (repo / "frontend" / "src").mkdir(parents=True)
    (repo / "frontend" / "src" / "client.ts").write_text(f"export const svc = '{CANARY}'\n")  # exposed key
    (repo / ".env.production").write_text(f"SUPABASE_SERVICE_ROLE_KEY={CANARY}\n")
    env_file = tmp_path / "env.toml"
    env_file.write_text(
        env_toml(
            {
                "settings": {"timeout_s": 2},
                # no anon key: the env-vars check fails and --showlocals prints the fixture's values
                "supabase": {"url": "http://127.0.0.1:9", "service_role_key": "${CANARY_KEY}"},
                "repo": {"path": str(repo), "frontend_dir": "frontend"},
                "secrets": {"env_file": str(repo / ".env.production")},
            }
        )
    )
    extra = tmp_path / "test_extra.py"
    extra.write_text(EXTRA)
    out = tmp_path / "out"
    cmd = [
        sys.executable, "-m", "pytest", f"--env={env_file}", "suites/test_environment_setup.py", str(extra),
        "-p", "no:cacheprovider", f"--readiness-dir={out}", "-n", workers, "-vv", "--showlocals", "-rA",
        f"--junitxml={tmp_path / 'junit.xml'}", f"--html={tmp_path / 'pytest.html'}", "--self-contained-html",
    ]  # fmt: skip
    proc = subprocess.run(
        cmd, cwd=REPO, capture_output=True, text=True, timeout=180, check=False,
        env={**os.environ, "CANARY_KEY": CANARY, "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    assert (out / "readiness.json").is_file(), proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads((out / "readiness.json").read_text())
    exposed = next(i for i in report["items"] if i["id"] == "ENV-SUPABASE-ENV-VARS")
    assert exposed["status"] == "fail"  # the check saw the key (and said so without showing it)
    assert "..." in proc.stdout and "***" in proc.stdout  # pytest did shorten values: the case at hand
    outputs = {"terminal": proc.stdout + proc.stderr}
    for path in [tmp_path / "junit.xml", tmp_path / "pytest.html", *out.rglob("*")]:
        if path.is_file():
            outputs[path.name] = path.read_text(errors="replace")
    assert {"junit.xml", "pytest.html", "readiness.json", "checklist.md", "readiness.html"} <= set(outputs)
    windows = _windows(CANARY)
    leaks = {name: sorted(w for w in windows if w in text)[:3] for name, text in outputs.items()}
    assert not any(leaks.values()), leaks


def test_debug_is_refused_with_env(tmp_path: Path) -> None:
    """pytestdebug.log records hook arguments outside redaction: refused (exit 4) before any secret loads."""
    env_file = tmp_path / "env.toml"
    env_file.write_text(env_toml({"supabase": {"service_role_key": "${CANARY_KEY}"}}))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", f"--env={env_file}", "suites/test_environment_setup.py",
         "-p", "no:cacheprovider", f"--readiness-dir={tmp_path / 'out'}",
         f"--debug={tmp_path / 'debug.log'}"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "CANARY_KEY": CANARY},
    )  # fmt: skip
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR
    assert "--debug is refused with --env" in proc.stderr
    log = (tmp_path / "debug.log").read_text() if (tmp_path / "debug.log").exists() else ""
    assert not any(w in log for w in _windows(CANARY))


def test_secret_repr_and_fragments() -> None:
    secret = redact.Secret(CANARY)
    assert CANARY[:12] not in repr(secret) and CANARY[:12] not in repr({"k": secret})
    assert secret == CANARY and f"{secret}" == CANARY  # works as its value
    redact.register([CANARY])
    try:
        payload, signature = CANARY.split(".")[1:]
        shortened = f"'{CANARY[:40]}...{CANARY[-40:]}'"
        for text in (payload, signature, shortened, f"x{CANARY[7:19]}y"):
            assert not any(w in redact.redact(text) for w in _windows(CANARY)), text
        assert redact.redact("plain words, nothing secret") == "plain words, nothing secret"
        url = "redis://:a-long-redis-password-77@127.0.0.1:51613/0"  # masked whole, password by fragment
        redact.register([url, "a-long-redis-password-77"])
        assert redact.redact("ssh://127.0.0.1:51613") == "ssh://127.0.0.1:51613"  # host and port stay
        assert "password-77" not in redact.redact("...redis-password-77@")
    finally:
        redact.clear()
