"""The per-check deadline: the last resort that ends a check every other bound missed.

Every probe has its own deadline (HTTP exchange, PostgreSQL query ...); this one catches what they
cannot foresee (a library that blocks in a way no timeout covers).  A check whose setup or call
phase overruns gets :class:`CheckOverran` raised in it, so its items become ``error`` and the run
goes on.  Registered by ``plugin.py`` for readiness runs only; SIGALRM, so main thread and POSIX only.

The budget is generous on purpose: ``[settings] check_budget_s`` when set, else ``max(MIN_S, FACTOR *
timeout_s)``; plus the load probe's longest duration when ``--readiness-load`` is given.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.state import ENVIRONMENT_KEY

MIN_S = 120.0
FACTOR = 20.0  # a check may make several probes, each bounded by timeout_s


class CheckOverran(ProbeError):
    """The check ran past its per-check deadline and was stopped."""


def budget_s(config: pytest.Config) -> float:
    """The per-check deadline of this run (0: none, outside readiness runs)."""
    env = config.stash.get(ENVIRONMENT_KEY, None)
    if env is None:
        return 0.0
    own = env.get("settings", "check_budget_s")
    budget = float(own) if own is not None else max(MIN_S, FACTOR * env.timeout)
    if config.getoption("readiness_load", False):
        from pytest_readiness.probes.performance.load import MAX_DURATION_S

        budget += MAX_DURATION_S
    return budget


@contextmanager
def last_resort(seconds: float, what: str) -> Iterator[None]:
    """Raise :class:`CheckOverran` in the running code after ``seconds`` (no-op when it cannot)."""
    usable = (
        seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise CheckOverran(f"{what}: still running after {seconds:g} s (per-check deadline), stopped")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, Any, Any]:
    with last_resort(budget_s(item.config), "setup"):
        return (yield)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    with last_resort(budget_s(item.config), "check"):
        return (yield)
