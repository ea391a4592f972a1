"""Fixtures of the core tests (helpers live in ``tests.support.core``)."""

from __future__ import annotations

import pytest

from tests.support.core import ReadinessRun


@pytest.fixture
def readiness(pytester: pytest.Pytester) -> ReadinessRun:
    return ReadinessRun(pytester)
