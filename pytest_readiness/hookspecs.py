"""Hooks the plugin calls on the controller, so release features plug in without touching the core.

Implemented by ``pytest_readiness.release`` (waivers, attestations, phases, drift) and open to
projects' conftest files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_readiness.results import RunResult


@pytest.hookspec
def pytest_readiness_modify_result(config: pytest.Config, result: RunResult) -> None:
    """Adjust item statuses in place (waived, attested, phase scope) before summary and exit status.

    Called after tests have been mapped onto items and before group items are derived, the summary
    is counted and the exit status chosen.  Add notes for the terminal to ``result["meta"]``.
    """


@pytest.hookspec
def pytest_readiness_write_reports(config: pytest.Config, result: RunResult, out_dir: Path) -> list[Path]:
    """Write further reports from the final result; return the paths written.

    The built-in reports (readiness.json, checklist.md, readiness.html) are written by the core.
    """
    raise NotImplementedError  # a specification: plugins implement it


@pytest.hookspec(firstresult=True)
def pytest_readiness_exit_status(config: pytest.Config, result: RunResult, status: int) -> int | None:
    """Return a different exit status (e.g. ``--fail-on-drift`` on regressions), or None."""
