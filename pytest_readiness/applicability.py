"""The ``[applicability]`` table and the ``[settings] gate``: what the user declares, checked first.

```toml
[settings]
gate = "high"                      # critical | high | medium | low (default high)

[applicability]
"ENV-POSTGRES*" = "Supabase hosts the database"
"INFRA-K8S-HPA" = "a single VM, no Kubernetes"
```

A key is a checklist ID or a glob (``fnmatch``); a group ID covers its sub-items.  An unknown ID, a
glob matching nothing or an empty reason is a configuration error naming the file and key, raised
in ``pytest_configure`` before any probe runs.  Declared items are ``not_applicable`` with the
user's reason; checks that prove only declared items are deselected (they never probe).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping

import pytest

from pytest_readiness.catalog import Catalog
from pytest_readiness.environment import Environment
from pytest_readiness.errors import ConfigError
from pytest_readiness.results import RunResult
from pytest_readiness.status import SEVERITIES, Status

SECTION = "applicability"
#: ``{item ID: reason}`` declared by the environment, on every process of the run.
DECLARED_KEY = pytest.StashKey[dict[str, str]]()
#: The gate severity of the run.
GATE_KEY = pytest.StashKey[str]()


def gate(env: Environment) -> str:
    """The configured gate severity (validated)."""
    value = env.get("settings", "gate")
    if value not in SEVERITIES:
        raise ConfigError(
            str(env.file.name), "settings.gate", f"{value!r} is not a severity ({' | '.join(SEVERITIES)})"
        )
    return str(value)


def declared(env: Environment, catalog: Catalog) -> dict[str, str]:
    """``{item ID: reason}`` of every declared item (sub-items of a declared group included)."""
    shown = str(env.file.name)
    out: dict[str, str] = {}
    ids = catalog.ids()
    for key, reason in env.section(SECTION).items():
        where = f"{SECTION}.{key}"
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(shown, where, "needs a reason (\"ID-or-glob\" = \"why it does not apply\")")
        if any(c in key for c in "*?["):
            matched = fnmatch.filter(ids, key)
            if not matched:
                raise ConfigError(shown, where, "the glob matches no checklist ID")
        elif key in catalog:
            matched = [key]
        else:
            close = ", ".join(catalog.closest(key)) or "none"
            raise ConfigError(shown, where, f"unknown checklist ID (closest known: {close})")
        for item_id in matched:
            for target in [item_id, *(c["id"] for c in catalog.children(item_id))]:
                out.setdefault(target, reason.strip())
    return out


def covers(declarations: Mapping[str, str], ids: list[str]) -> bool:
    """True if every ID a test marks is declared not applicable (the test need not run)."""
    return bool(ids) and all(i in declarations for i in ids)


def apply(result: RunResult, declarations: Mapping[str, str], table: Mapping[str, str]) -> None:
    """Declared items become ``not_applicable`` with the user's reason (whatever their tests said)."""
    for item in result["items"]:
        reason = declarations.get(item["id"])
        if reason is not None and item["status"] == Status.FAIL:  # fail wins: the check saw a problem
            item["reason"] = f"{item['reason']} [declared not applicable ({reason}), but its check failed]"
        elif reason is not None:
            item["status"] = Status.NOT_APPLICABLE
            item["reason"] = f"declared not applicable: {reason}"
            item.pop("unverified_kind", None)
    result["applicability"] = dict(table)
