"""Evidence reads as text in terminal/Markdown/HTML; readiness.json keeps the data."""

from __future__ import annotations

import dataclasses

from pytest_readiness.assessment import Assessment
from pytest_readiness.reporters import html, render_value


def test_render_value_for_a_person() -> None:
    assert render_value({"rls": False, "force": False}) == "rls: off, force: off"
    assert render_value(["a", "b"]) == "a, b"
    assert render_value(True) == "on"
    assert render_value(None) == "—"
    assert render_value("") == "—"
    assert render_value([]) == "none"
    assert render_value(2.50) == "2.5"
    assert render_value({"roles": ["app", "anon"], "ssl": True}) == "roles: (app, anon), ssl: on"


def test_assessment_message_and_html_use_it_json_keeps_data() -> None:
    a = Assessment.single("rls", "public.users", {"rls": False, "force": False}, {"rls": True}, False)
    assert a.message() == "rls: 1 of 1 failed: public.users: observed rls: off, force: off, expected rls: on"
    finding = dataclasses.asdict(a.findings[0])
    rows = html._evidence([{"check": "rls", "findings": [finding]}], cap=10_000)
    assert "rls: off, force: off" in rows and "{&#x27;rls" not in rows and "&quot;rls&quot;" not in rows
