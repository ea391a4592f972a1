"""Run the plugin end to end in a subprocess and read its ``readiness.json`` back.

One runner for every test area: ``python -m pytest --env=<tmp>/env.toml <args> -p no:cacheprovider
--readiness-dir=<tmp>/out -q`` from the repository root, with a "did not hang" timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ReportRun:
    """A finished run's readiness.json, its items by checklist ID."""

    report: dict[str, Any]

    @property
    def items(self) -> dict[str, dict[str, Any]]:
        return {item["id"]: item for item in self.report["items"]}


@dataclass(frozen=True)
class SuiteRun(ReportRun):
    """One finished run: the report (parsed and as text) and the process's exit code and output."""

    text: str
    returncode: int
    stdout: str
    stderr: str


def toml_value(value: Any) -> str:
    """One value as TOML (strings, numbers, booleans, arrays, inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def env_toml(sections: dict[str, dict[str, Any]]) -> str:
    """An environment file from ``{section: {key: value}}``."""
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
        lines.append("")
    return "\n".join(lines)


def run_readiness(tmp_path: Path, env_toml: str, *args: str, timeout: float = 120) -> SuiteRun:
    """Write ``env_toml`` to ``tmp_path/env.toml`` and run pytest with it; ``args`` name suites and options.

    Fails the calling test with the tail of the output when no readiness.json was written.
    """
    tmp_path.mkdir(parents=True, exist_ok=True)
    env_file = tmp_path / "env.toml"
    env_file.write_text(env_toml, encoding="utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pytest", f"--env={env_file}", *args,
           "-p", "no:cacheprovider", f"--readiness-dir={out}", "-q"]  # fmt: skip
    proc = subprocess.run(
        cmd,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    report = out / "readiness.json"
    assert report.is_file(), proc.stdout[-3000:] + proc.stderr[-3000:]
    text = report.read_text()
    return SuiteRun(json.loads(text), text, proc.returncode, proc.stdout, proc.stderr)


def run_suite(tmp_path: Path, env_toml: str, *args: str, timeout: float = 120) -> dict[str, dict[str, Any]]:
    """:func:`run_readiness`, returning the report's items by id."""
    return run_readiness(tmp_path, env_toml, *args, timeout=timeout).items


def statuses(items: dict[str, dict[str, Any]], ids: list[str] | tuple[str, ...]) -> dict[str, str]:
    """The status of each of ``ids``, for one assertion against an expected mapping."""
    return {i: items[i]["status"] for i in ids}


def findings(item: dict[str, Any]) -> list[dict[str, Any]]:
    """Every finding of every evidence block of one item."""
    return [f for ev in item.get("evidence", []) for f in ev["findings"]]
