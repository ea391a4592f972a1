"""Stash keys shared by the plugin's modules (one place, no circular imports)."""

from __future__ import annotations

import pytest

from pytest_readiness.catalog import Catalog
from pytest_readiness.collector import Collector
from pytest_readiness.environment import Environment

ENVIRONMENT_KEY = pytest.StashKey[Environment]()
CATALOG_KEY = pytest.StashKey[Catalog]()
COLLECTOR_KEY = pytest.StashKey[Collector]()
