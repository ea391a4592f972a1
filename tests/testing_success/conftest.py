"""Fixtures of the testing_success tests (helpers live in ``tests.support.testing_success``)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.testing_success import TESTS, PromSetup, SampleArtifacts, make_variant, prom_setup


@pytest.fixture(scope="session")
def sample_artifacts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SampleArtifacts]:
    """pytest --junitxml and coverage.py reports of the sample project, per variant (made once)."""
    root = tmp_path_factory.mktemp("sample-project")
    with ThreadPoolExecutor(len(TESTS)) as pool:
        futures = {name: pool.submit(make_variant, root, name) for name in TESTS}
        return {name: f.result() for name, f in futures.items()}


@pytest.fixture(scope="session")
def prom_good(prometheus_factory) -> Iterator[PromSetup]:
    yield from prom_setup(prometheus_factory, "good")


@pytest.fixture(scope="session")
def prom_bad(prometheus_factory) -> Iterator[PromSetup]:
    yield from prom_setup(prometheus_factory, "bad")
