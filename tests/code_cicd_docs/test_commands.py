"""Build commands: exit status and output tail as evidence, a hang killed at its limit, tsc both ways."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pytest_readiness import redact
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.repo.commands import assess_command, run_command
from tests.support.code_cicd_docs import write_tree


def test_success_and_failure_with_tail(tmp_path: Path) -> None:
    ok = run_command("build", ["sh", "-c", "echo building; echo done"], tmp_path, 20)
    a = assess_command(ok)
    assert a.ok and a.findings[0].observed["exit_code"] == 0
    assert "done" in a.findings[0].observed["output_tail"]
    bad = run_command("build", ["sh", "-c", "echo 'error TS2322: oops' >&2; exit 2"], tmp_path, 20)
    a = assess_command(bad)
    assert not a.ok
    assert a.findings[0].observed["exit_code"] == 2 and "TS2322" in a.findings[0].observed["output_tail"]


def test_secret_in_output_is_redacted(tmp_path: Path) -> None:
    redact.register(["s3cr3t-build-token-value"])
    try:
        r = run_command("build", ["sh", "-c", "echo token=s3cr3t-build-token-value"], tmp_path, 20)
    finally:
        redact.clear()
    assert "s3cr3t-build-token-value" not in r.tail and "***" in r.tail


def test_hanging_command_is_killed_with_its_children(tmp_path: Path) -> None:
    started = time.monotonic()
    # The shell starts a grandchild that would keep running if only the shell were killed.
    r = run_command("install", ["sh", "-c", "sleep 60 & echo $! > child.pid; sleep 60"], tmp_path, 1)
    assert time.monotonic() - started < 20  # did not hang
    assert r.timed_out and r.exit_code is None
    with pytest.raises(ProbeError, match=r"timed out after 1 s"):
        assess_command(r)
    child = int((tmp_path / "child.pid").read_text())
    time.sleep(0.2)
    assert _dead(child)


def _dead(pid: int) -> bool:
    """Gone, or a zombie waiting for a reaper (killed; PID 1 of a container may never reap it)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


def test_missing_program_is_a_probe_error(tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match="cannot run"):
        run_command("build", "no-such-program-xyz --flag", tmp_path, 5)


def _ts_project(root: Path, cache: Path, source: str) -> Path:
    write_tree(
        root,
        {
            "package.json": '{"name": "app", "version": "1.0.0", "private": true}',
            "tsconfig.json": '{"compilerOptions": {"strict": true, "noEmit": true}, "include": ["src"]}',
            "src/index.ts": source,
        },
    )
    (root / "node_modules").symlink_to(cache / "node_modules")
    return root


def test_tsc_passes_and_fails(tmp_path: Path, typescript_project_cache: Path) -> None:
    good = _ts_project(tmp_path / "good", typescript_project_cache, "export const n: number = 1;\n")
    bad = _ts_project(tmp_path / "bad", typescript_project_cache, "export const n: number = 'one';\n")
    assert assess_command(run_command("typescript", "npx --no -- tsc --noEmit", good, 120)).ok
    failed = assess_command(run_command("typescript", "npx --no -- tsc --noEmit", bad, 120))
    assert not failed.ok
    assert "TS2322" in failed.findings[0].observed["output_tail"]
