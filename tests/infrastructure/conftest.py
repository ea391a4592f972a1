"""Fixtures of the infrastructure tests: manifest files of the compliant and the non-compliant application."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.infrastructure import bad_objects, good_objects, write_manifests


@pytest.fixture
def good_manifests(tmp_path: Path) -> Path:
    return write_manifests(tmp_path / "good.yaml", good_objects())


@pytest.fixture
def bad_manifests(tmp_path: Path) -> Path:
    return write_manifests(tmp_path / "bad.yaml", bad_objects())
