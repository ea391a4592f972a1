"""pytest-html integration: a readiness summary above the results and a checklist-ID column.

Registered alongside the plugin; every hook is optional, so nothing happens without pytest-html
or without ``--html``.  The IDs come from the report's user properties (set by the process that
ran the test), so the column is right under pytest-xdist too.
"""

from __future__ import annotations

from html import escape
from typing import Any

import pytest

from pytest_readiness import wire
from pytest_readiness.reporters import COLUMNS, verdict
from pytest_readiness.state import COLLECTOR_KEY
from pytest_readiness.verdicts import coverage_line

HEADER = '<th class="sortable" data-column-type="checklist">Checklist</th>'
COLUMN = 2  # after Result and Test


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_header(cells: list[str]) -> None:
    cells.insert(COLUMN, HEADER)


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_row(report: Any, cells: list[str]) -> None:
    ids = wire.properties(report).get(wire.IDS) or []
    cells.insert(COLUMN, f'<td class="col-checklist">{escape(", ".join(map(str, ids)))}</td>')


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_summary(
    prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
) -> None:
    collector = session.config.stash.get(COLLECTOR_KEY, None)
    result = getattr(collector, "result", None)
    if not result:
        return
    s = result["summary"]
    v = verdict(result)
    color = v.colour
    counts = ", ".join(f"{s.get(k, 0)} {label}" for k, label in COLUMNS)
    reports = ", ".join(escape(str(p)) for p in getattr(collector, "reports", []))
    cov = result.get("coverage")
    if cov:
        counts += f"; coverage: {coverage_line(cov['overall'])}"
    prefix.append(
        f'<div class="readiness-summary"><p><strong style="color:{color}">Readiness {v.value}</strong> for '
        f"environment <strong>{escape(str(result['environment']))}</strong>: {escape(counts)}.</p>"
        + (f"<p>Readiness reports: {reports}</p>" if reports else "")
        + "</div>"
    )
