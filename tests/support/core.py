"""Helpers for end-to-end tests of the plugin through ``pytester``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

SEED = Path(__file__).resolve().parents[1] / "data" / "seed"


class ReadinessRun:
    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester

    def env(self, name: str = "dev", text: str = "[settings]\ntimeout_s = 2\n") -> None:
        (self.pytester.path / "environments").mkdir(exist_ok=True)
        (self.pytester.path / "environments" / f"{name}.toml").write_text(text)

    def run(self, *args: str, subprocess: bool = False) -> tuple[pytest.RunResult, dict[str, Any] | None]:
        argv = ["-p", "no:cacheprovider", "--readiness-dir", "out", *args]
        result = self.pytester.runpytest_subprocess(*argv) if subprocess else self.pytester.runpytest(*argv)
        report = self.pytester.path / "out" / "readiness.json"
        return result, (json.loads(report.read_text()) if report.exists() else None)


def status(report: dict[str, Any], item_id: str) -> str:
    return next(i["status"] for i in report["items"] if i["id"] == item_id)


def item(report: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(i for i in report["items"] if i["id"] == item_id)
