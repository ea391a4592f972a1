"""Release gating as a pytest plugin: waivers, attestations, deployment phases and drift.

Options: ``--waivers PATH`` (default ``waivers.toml`` in the rootdir if present), ``--attestations
PATH`` (default ``attestations.toml``), ``--readiness-phase NAME``, ``--baseline PATH`` (an earlier
readiness.json; without it the last run of the same environment from pytest's cache) and
``--fail-on-drift`` (exit status from regressions only).

Everything is loaded and validated in ``pytest_configure``, before any probe runs: a bad file is a
``pytest.UsageError("readiness configuration error: FILE: KEY: problem")`` (exit status 4).  The
result is adjusted on the controller in ``pytest_readiness_modify_result``, which adds to
``result["meta"]``::

    meta["phase"] = name or None
    meta["attestations"] = {"applied": [ids], "expired": [{"id", "expires"}], "unused": [ids]}
    meta["waivers"] = {"applied": [ids], "expired": [{"id", "expires", "ticket"}], "unused": [ids],
                       "not_applied": [ids]}
    meta["drift"] = {"baseline": str, "regressions": [ids], "fixed": [ids], "still_failing": [ids],
                     "new": [ids], "removed": [ids], "changed": [{"id", "from", "to"}]}  # with a baseline
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness import attestations as attestations_mod
from pytest_readiness import drift as drift_mod
from pytest_readiness import phases as phases_mod
from pytest_readiness import waivers as waivers_mod
from pytest_readiness import wire
from pytest_readiness.errors import ConfigError
from pytest_readiness.results import RunResult
from pytest_readiness.state import CATALOG_KEY, ENVIRONMENT_KEY

DEFAULT_WAIVERS = "waivers.toml"
DEFAULT_ATTESTATIONS = "attestations.toml"
CACHE_PREFIX = "readiness/last/"


@dataclass
class ReleaseState:
    today: dt.date
    phase: str | None = None
    waivers: list[waivers_mod.Waiver] = field(default_factory=list)
    attestations: list[attestations_mod.Attestation] = field(default_factory=list)
    baseline: dict[str, Any] | None = None
    baseline_label: str = ""
    fail_on_drift: bool = False
    drift: dict[str, Any] | None = None


RELEASE_KEY = pytest.StashKey[ReleaseState]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("readiness", "production readiness")
    group.addoption(
        "--readiness-phase",
        dest="readiness_phase",
        metavar="PHASE",
        help="gate one deployment phase: "
        + "|".join(phases_mod.PHASES)
        + " (runs only the checks of that phase's items)",
    )
    group.addoption(
        "--waivers",
        dest="readiness_waivers",
        metavar="PATH",
        help=f"waivers TOML (default: {DEFAULT_WAIVERS} in the rootdir, if present)",
    )
    group.addoption(
        "--attestations",
        dest="readiness_attestations",
        metavar="PATH",
        help=f"attestations TOML (default: {DEFAULT_ATTESTATIONS} in the rootdir, if present)",
    )
    group.addoption(
        "--baseline",
        dest="readiness_baseline",
        metavar="PATH",
        help="earlier readiness.json to compare with (default: the last run of this environment "
        "in pytest's cache)",
    )
    group.addoption(
        "--fail-on-drift",
        dest="readiness_fail_on_drift",
        action="store_true",
        default=False,
        help="exit status from drift: non-zero on regressions only (needs a baseline)",
    )


def _usage(exc: ConfigError) -> pytest.UsageError:
    return pytest.UsageError(f"readiness configuration error: {exc}")


def _path(config: pytest.Config, option: str, default: str) -> Path | None:
    value = config.getoption(option)
    if value:
        path = Path(value)
        return path if path.is_absolute() else config.invocation_params.dir / path
    candidate = config.rootpath / default
    return candidate if candidate.is_file() else None


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    catalog = config.stash.get(CATALOG_KEY, None)
    phase = config.getoption("readiness_phase")
    try:
        today = waivers_mod.today()
    except ConfigError as exc:
        raise _usage(exc) from None
    state = ReleaseState(
        today=today, phase=phase, fail_on_drift=bool(config.getoption("readiness_fail_on_drift"))
    )
    config.stash[RELEASE_KEY] = state
    if catalog is None:
        return
    if phase:
        known = sorted({item["phase"] for item in catalog if item["phase"]})
        if phase not in known:
            raise pytest.UsageError(
                f"readiness configuration error: --readiness-phase: unknown phase {phase!r} "
                f"(the catalog has: {', '.join(known) or 'none'})"
            )
    if hasattr(config, "workerinput") or config.stash.get(ENVIRONMENT_KEY, None) is None:
        return  # files are read and results adjusted on the controller of a readiness run only
    try:
        path = _path(config, "readiness_waivers", DEFAULT_WAIVERS)
        if path is not None:
            state.waivers = waivers_mod.load(path, catalog)
        path = _path(config, "readiness_attestations", DEFAULT_ATTESTATIONS)
        if path is not None:
            state.attestations = attestations_mod.load(path, catalog, on=today)
        baseline = config.getoption("readiness_baseline")
        if baseline:
            path = Path(baseline) if Path(baseline).is_absolute() else config.invocation_params.dir / baseline
            state.baseline = drift_mod.load_baseline(path)
            state.baseline_label = f"{baseline} ({state.baseline.get('started_at', 'unknown time')})"
    except ConfigError as exc:
        raise _usage(exc) from None


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    state = config.stash.get(RELEASE_KEY, None)
    catalog = config.stash.get(CATALOG_KEY, None)
    if state is None or not state.phase or catalog is None:
        return
    ids = phases_mod.phase_ids(catalog, state.phase)
    keep, drop = phases_mod.split([(item, wire.marked_ids(item)) for item in items], ids)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep  # type: ignore[assignment]


def cache_key(environment: str, phase: str | None) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", environment) or "default"
    return CACHE_PREFIX + name + (f"/{phase}" if phase else "")


@pytest.hookimpl(trylast=True)
def pytest_readiness_modify_result(config: pytest.Config, result: RunResult) -> None:
    state = config.stash.get(RELEASE_KEY, None)
    catalog = config.stash.get(CATALOG_KEY, None)
    if state is None:
        return
    meta = result["meta"]
    meta["phase"] = state.phase
    if state.phase and catalog is not None:
        phases_mod.scope(result, catalog, state.phase)
    meta["attestations"] = attestations_mod.apply(result, state.attestations, on=state.today)
    meta["waivers"] = waivers_mod.apply(result, state.waivers, on=state.today)
    _drift(config, state, result)


def _drift(config: pytest.Config, state: ReleaseState, result: RunResult) -> None:
    cache = getattr(config, "cache", None)
    key = cache_key(result["environment"], state.phase)
    baseline, label = state.baseline, state.baseline_label
    if baseline is None and cache is not None:
        cached = cache.get(key, None)
        if isinstance(cached, dict) and isinstance(cached.get("statuses"), dict):
            baseline = cached
            label = f"last run of {result['environment']} ({cached.get('started_at', 'unknown time')})"
    if baseline is not None:
        state.drift = drift_mod.compare(drift_mod.statuses(baseline), drift_mod.statuses(result), label)
        if baseline.get("environment") and baseline.get("environment") != result["environment"]:
            state.drift["note"] = f"baseline is of environment {baseline.get('environment')!r}"
        result["meta"]["drift"] = state.drift
    if cache is not None:
        cache.set(key, drift_mod.snapshot(result))


def pytest_readiness_exit_status(config: pytest.Config, result: RunResult, status: int) -> int | None:
    """With ``--fail-on-drift`` and a baseline only regressions fail; without a baseline keep the verdict."""
    state = config.stash.get(RELEASE_KEY, None)
    if state is None or not state.fail_on_drift or state.drift is None:
        return None
    return drift_mod.exit_status(state.drift)
