"""Import a heavy client library on first use, so collecting the suites stays as fast as bare pytest.

A probe module keeps its module-level name and its call sites::

    if TYPE_CHECKING:
        import psycopg
    else:
        psycopg = lazy("psycopg")

The first attribute access (``psycopg.connect``, ``except psycopg.Error``) imports the real module;
checks of targets a run does not configure never pay for their client library.
"""

from __future__ import annotations

import importlib
import types
from typing import Any


class LazyModule(types.ModuleType):
    """Stands for ``name`` (and its ``submodules``) until an attribute is first read."""

    def __init__(self, name: str, submodules: tuple[str, ...] = ()) -> None:
        super().__init__(name)
        self._lazy_submodules = submodules

    def __getattr__(self, attr: str) -> Any:
        # Private names are what tools probe for (pytest's fixture and mark lookups while it
        # collects a suite module); a client library's or probe's API is public.
        if attr.startswith("_"):
            raise AttributeError(attr)
        module = importlib.import_module(self.__name__)
        for sub in self._lazy_submodules:
            importlib.import_module(f"{self.__name__}.{sub}")
        return getattr(module, attr)


def lazy(name: str, *submodules: str) -> Any:
    """A stand-in for ``import name`` (plus ``import name.sub`` for each of ``submodules``)."""
    return LazyModule(name, submodules)


def probes(*names: str) -> tuple[Any, ...]:
    """Stand-ins for ``pytest_readiness.probes.<name>``: a suite imports its probes on first use.

    ``auth, tls = probes("auth", "tls")`` in a suite module: collecting every suite then loads no
    probe module, only the checks that run do.
    """
    return tuple(lazy(f"pytest_readiness.probes.{name}") for name in names)
