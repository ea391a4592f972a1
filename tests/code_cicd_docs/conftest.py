"""Fixtures of the code_cicd_docs tests (helpers live in ``tests.support.code_cicd_docs``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def typescript_project_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with ``node_modules/typescript`` installed once per test session (skip if npm is offline)."""
    if shutil.which("npm") is None:
        pytest.skip("npm not installed")
    folder = tmp_path_factory.mktemp("ts-cache")
    (folder / "package.json").write_text('{"name": "ts-cache", "version": "1.0.0", "private": true}')
    try:
        done = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent", "typescript@5"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.skip("npm registry unreachable (npm install typescript timed out)")
    if done.returncode != 0 or not (folder / "node_modules" / ".bin" / "tsc").exists():
        pytest.skip(f"npm registry unreachable: npm install typescript failed ({done.stderr.strip()[:200]})")
    return folder
