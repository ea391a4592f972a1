"""Where the shipped suites, demo environment and examples are: in the wheel or in a source checkout.

The wheel maps the repository's top-level ``suites/``, ``environments/`` and ``examples/`` into the
package (``pytest_readiness.suites`` ...).  A source checkout imported through ``PYTHONPATH`` has
them beside the package instead, so every lookup tries the package first, then the checkout.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
SUITES = "pytest_readiness.suites"


def folder(name: str) -> Path:
    """``suites``, ``environments`` or ``examples``: inside the installed package, else the checkout's."""
    for candidate in (PACKAGE / name, PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"pytest-readiness: the shipped {name}/ folder is missing from {PACKAGE}")


def pytest_command(args: list[str]) -> tuple[list[str], dict[str, str]]:
    """The pytest command line running the shipped suites with ``args``, and its process environment.

    ``--pyargs`` keeps the rootdir (reports/, environments/, the team's conftest.py) where pytest is
    started.  Installed, the suites are ``pytest_readiness.suites``; in a source checkout they are the
    top-level package ``suites`` (the checkout goes on PYTHONPATH), whose node IDs are the same as
    those of ``pytest suites/`` run in the checkout.
    """
    env = dict(os.environ)
    name = SUITES
    if not (PACKAGE / "suites").is_dir():
        name = "suites"
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE.parent), env.get("PYTHONPATH")) if p)
    return [sys.executable, "-m", "pytest", *args, "--pyargs", name], env
