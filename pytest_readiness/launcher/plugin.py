"""The launcher's fixtures as an opt-in pytest plugin, enabled like pytester.

``pytest -p pytest_readiness.launcher.plugin`` (or ``addopts`` in the project's ini) gives tests the
session factories of :mod:`.fixtures` for real local services.  It needs the ``testing`` extra
(``pip install pytest-readiness[testing]``, which carries trustme for the local CA); a readiness run
against a live environment never loads it.
"""

from __future__ import annotations

# The plugin is exactly the public API of .fixtures (its ``__all__``), so the two never drift apart.
from pytest_readiness.launcher.fixtures import *  # noqa: F403
from pytest_readiness.launcher.fixtures import __all__ as __all__
