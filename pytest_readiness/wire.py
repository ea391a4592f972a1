"""What travels from the process that ran a test to the controller: JSON-safe user properties.

Mirrors pytest-xdist's rule that only builtins cross the wire.  Each report carries the checklist IDs
of its test and, for a failed call, whether it failed on an assertion (the target is not ready) or on
another exception (the probe could not decide).  The first report of each process also carries the
whole collection's ``nodeid -> IDs`` map, so a test lost with a crashed worker still maps to items.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from pytest_readiness import redact
from pytest_readiness.outcomes import NotApplicable, Unverified
from pytest_readiness.status import Status

IDS = "readiness.ids"
FAILURE = "readiness.failure"
COLLECTION = "readiness.collection"
#: why a skipped test did not run, from the exception's TYPE: {"status", "kind", "configure"}
OUTCOME = "readiness.outcome"
ASSERTION, EXCEPTION = "assertion", "exception"
_SENT = pytest.StashKey[bool]()


_IDS_KEY = pytest.StashKey[list[str]]()


def marked_ids(item: pytest.Item) -> list[str]:
    """Checklist IDs from every ``@pytest.mark.checklist`` on the item (function, class, module).

    Computed once per item (reports of all three phases and the collection map ask for them).
    """
    cached = item.stash.get(_IDS_KEY, None)
    if cached is not None:
        return cached
    ids: list[str] = []
    for mark in item.iter_markers("checklist"):
        for arg in mark.args:
            for item_id in arg if isinstance(arg, list | tuple) else [arg]:
                if str(item_id) not in ids:
                    ids.append(str(item_id))
    item.stash[_IDS_KEY] = ids
    return ids


def annotate(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    props: list[tuple[str, object]] = list(report.user_properties)
    props.append((IDS, marked_ids(item)))
    if report.failed and call.excinfo is not None:
        kind = (
            ASSERTION if call.excinfo.errisinstance(AssertionError) and report.when == "call" else EXCEPTION
        )
        props.append((FAILURE, kind))
    outcome = skip_outcome(call)
    if report.skipped and outcome is not None:
        props.append((OUTCOME, outcome))
    session = item.session
    if not item.config.stash.get(_SENT, False):
        item.config.stash[_SENT] = True
        props.append((COLLECTION, {i.nodeid: marked_ids(i) for i in session.items}))
    # checklist IDs come from the catalog: only the other entries can carry a secret
    report.user_properties = [(n, v if n == IDS else redact.redact_value(v)) for n, v in props]
    _scrub(report)


def skip_outcome(call: pytest.CallInfo[None]) -> dict[str, Any] | None:
    """The readiness outcome of a skip, decided by the exception type (never its message)."""
    excinfo = call.excinfo
    if excinfo is None:
        return None
    exc = excinfo.value
    if isinstance(exc, NotApplicable):
        declared = Status.NOT_APPLICABLE.value
        return {"status": declared, "kind": "declared", "configure": [], "reason": exc.reason}
    if isinstance(exc, Unverified):
        return {
            "status": Status.UNVERIFIED.value,
            "kind": exc.kind,
            "configure": list(exc.configure),
            "reason": exc.reason,
        }
    return None


def _scrub(report: pytest.TestReport) -> None:
    """Redact the failure representation in place, keeping its structure (and pytest's formatting)."""
    if report.longrepr is not None:
        if isinstance(report.longrepr, str):
            report.longrepr = redact.redact(report.longrepr)
        elif isinstance(report.longrepr, tuple):
            path, line, message = report.longrepr
            report.longrepr = (redact.redact(path), line, redact.redact(message))
        else:
            _redact_object(report.longrepr, depth=0)
    report.sections = [(title, redact.redact(content)) for title, content in report.sections]


def _redact_object(obj: object, depth: int) -> None:
    """Walk pytest's ``Repr*`` dataclasses and redact every string they hold."""
    if depth > 12 or not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        new = _redact_any(value, depth + 1)
        if new is not value:
            object.__setattr__(obj, f.name, new)


def _redact_any(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        clean = redact.redact(value)
        return value if clean == value else clean
    if isinstance(value, list):
        return [_redact_any(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return tuple(_redact_any(v, depth + 1) for v in value)
    _redact_object(value, depth)
    return value


def properties(report: Any) -> dict[str, Any]:
    """The readiness entries of a report's user properties (last one wins, evidence accumulates)."""
    out: dict[str, Any] = {"evidence": []}
    for name, value in getattr(report, "user_properties", []) or []:
        if name == "readiness.evidence":
            out["evidence"].append(value)
        elif name in (IDS, FAILURE, COLLECTION, OUTCOME):
            out[name] = value
    return out
