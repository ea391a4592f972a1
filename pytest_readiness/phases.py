"""Deployment phases: run the same suite as the gate of one phase of a release.

``--readiness-phase migration`` keeps the deployment-step items of that phase (catalog ``phase``)
and the tests marked with them; every other test is deselected and every other item dropped from
the result, so the report, the summary and the exit status concern that phase only.  Items that a
selected test also proves stay in the result (their verdict is real).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pytest_readiness.catalog import Catalog
from pytest_readiness.results import RunResult

PHASES = ("pre-deployment", "migration", "deployment", "verification", "post-deployment")


def phase_ids(catalog: Catalog, phase: str) -> set[str]:
    return {item["id"] for item in catalog if item["phase"] == phase}


def split(tests: Sequence[tuple[object, Iterable[str]]], ids: set[str]) -> tuple[list[object], list[object]]:
    """``(selected, deselected)`` from ``(test, its checklist IDs)`` pairs."""
    keep: list[object] = []
    drop: list[object] = []
    for test, marked in tests:
        (keep if ids & set(marked) else drop).append(test)
    return keep, drop


def scope(result: RunResult, catalog: Catalog, phase: str) -> list[str]:
    """Keep the phase's items and the items its tests ran for; return the IDs kept."""
    ids = phase_ids(catalog, phase)
    result["items"] = [i for i in result["items"] if i["id"] in ids or i["tests"]]
    return [i["id"] for i in result["items"]]
