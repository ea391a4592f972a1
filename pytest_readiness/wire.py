"""What travels from the process that ran a test to the controller: JSON-safe user properties.

Mirrors pytest-xdist's rule that only builtins cross the wire.  Each report carries the checklist IDs
of its test and, for a failed call, whether it failed on an assertion (the target is not ready) or on
another exception (the probe could not decide).  The first report of each process also carries the
whole collection's ``nodeid -> IDs`` map, so a test lost with a crashed worker still maps to items.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_readiness import redact

IDS = "readiness.ids"
FAILURE = "readiness.failure"
COLLECTION = "readiness.collection"
ASSERTION, EXCEPTION = "assertion", "exception"
_SENT = pytest.StashKey[bool]()


def marked_ids(item: pytest.Item) -> list[str]:
    """Checklist IDs from every ``@pytest.mark.checklist`` on the item (function, class, module)."""
    ids: list[str] = []
    for mark in item.iter_markers("checklist"):
        for arg in mark.args:
            for item_id in arg if isinstance(arg, list | tuple) else [arg]:
                if str(item_id) not in ids:
                    ids.append(str(item_id))
    return ids


def annotate(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    props: list[tuple[str, object]] = list(report.user_properties)
    props.append((IDS, marked_ids(item)))
    if report.failed and call.excinfo is not None:
        kind = ASSERTION if call.excinfo.errisinstance(AssertionError) and report.when == "call" else EXCEPTION
        props.append((FAILURE, kind))
    session = item.session
    if not item.config.stash.get(_SENT, False):
        item.config.stash[_SENT] = True
        props.append((COLLECTION, {i.nodeid: marked_ids(i) for i in session.items}))
    report.user_properties = [(name, redact.redact_value(value)) for name, value in props]
    _scrub(report)


def _scrub(report: pytest.TestReport) -> None:
    if not redact.registered() and report.longrepr is None:
        return
    if report.longrepr is not None:
        text = str(report.longrepr)
        clean = redact.redact(text)
        if clean != text:
            report.longrepr = clean
    report.sections = [(title, redact.redact(content)) for title, content in report.sections]


def properties(report: Any) -> dict[str, Any]:
    """The readiness entries of a report's user properties (last one wins, evidence accumulates)."""
    out: dict[str, Any] = {"evidence": []}
    for name, value in getattr(report, "user_properties", []) or []:
        if name == "readiness.evidence":
            out["evidence"].append(value)
        elif name in (IDS, FAILURE, COLLECTION):
            out[name] = value
    return out
