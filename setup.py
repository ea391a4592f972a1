"""Package list: the package plus the folders it ships from the repository's top level.

``pyproject.toml`` maps ``pytest_readiness.suites``, ``.environments`` and ``.examples`` to the
top-level ``suites/``, ``environments/`` and ``examples/`` (package-dir), where they are written;
``packages.find`` cannot list mapped packages, so they are added here.
"""

from setuptools import find_namespace_packages, setup

SHIPPED = ["pytest_readiness.suites", "pytest_readiness.environments", "pytest_readiness.examples"]

setup(packages=[*find_namespace_packages(include=["pytest_readiness*"]), *SHIPPED])
