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
        if attr.startswith("_lazy_"):
            raise AttributeError(attr)
        module = importlib.import_module(self.__name__)
        for sub in self._lazy_submodules:
            importlib.import_module(f"{self.__name__}.{sub}")
        return getattr(module, attr)


def lazy(name: str, *submodules: str) -> Any:
    """A stand-in for ``import name`` (plus ``import name.sub`` for each of ``submodules``)."""
    return LazyModule(name, submodules)
