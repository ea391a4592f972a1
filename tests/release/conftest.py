"""Fixtures of the release tests (helpers live in ``tests.support.release``)."""

from __future__ import annotations

import pytest

from tests.support.release import ReleaseRun


@pytest.fixture
def release(pytester: pytest.Pytester) -> ReleaseRun:
    return ReleaseRun(pytester)
