"""Smoke flows against a local JSON API, both ways; token never in the evidence."""

from __future__ import annotations

import json

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.evidence import to_record
from pytest_readiness.launcher.base import free_port
from pytest_readiness.probes.web import smoke
from tests.support.smoke_app import FLOWS, TOKEN, SmokeApp


@pytest.fixture
def app():
    a = SmokeApp()
    yield a
    a.close()


@pytest.fixture
def broken_app():
    a = SmokeApp(broken={"registration", "strategy", "billing"})
    yield a
    a.close()


def run(app_url: str, raw: dict) -> smoke.FlowResult:
    return smoke.run_flow(smoke.parse_flow(raw, app_url), tenant="readiness-test", run_id="r1", timeout=5)


def test_flows_pass_on_a_working_app(app):
    for raw in FLOWS:
        result = run(app.url, raw)
        a = smoke.assess_flows([result], raw["item"])
        assert a.ok, a.message()
        assert len(a.findings) == len(raw["steps"])
    text = json.dumps(to_record(smoke.assess_flows([run(app.url, FLOWS[0])], "x")))
    assert TOKEN not in text and "smoke+r1@" not in text  # token and filled personal data stay out


def test_flows_fail_on_a_broken_app(broken_app):
    reg = smoke.assess_flows([run(broken_app.url, FLOWS[0])], "registration")
    assert not reg.ok
    assert reg.failures[0].note == "status 500, expected 201"
    assert reg.failures[1].observed == "1 of 2 steps run"  # stopped at the failing step
    strat = smoke.assess_flows([run(broken_app.url, FLOWS[2])], "strategy")
    assert [f.note for f in strat.failures] == ["run.status = 'failed', expected 'completed'"]
    billing = smoke.assess_flows([run(broken_app.url, FLOWS[3])], "billing")
    assert not billing.ok and billing.failures[0].observed["fields"] == {"reachable": False}


def test_wrong_token_fails(app):
    raw = dict(FLOWS[3], token="wrong")
    a = smoke.assess_flows([run(app.url, raw)], "billing")
    assert not a.ok and "status 401" in a.failures[0].note


def test_unreachable_app_is_probe_error():
    with pytest.raises(ProbeError, match="ConnectionError"):
        run(f"http://127.0.0.1:{free_port()}", FLOWS[3])


@pytest.mark.parametrize(
    "raw, why",
    [
        ({"item": "X", "steps": [{"path": "/"}]}, "needs a name"),
        ({"name": "n", "steps": [{"path": "/"}]}, "base_url"),
        ({"name": "n", "base_url": "http://h", "steps": []}, "at least one"),
        ({"name": "n", "base_url": "http://h", "steps": [{"path": "/"}] * 21}, "at most"),
        ({"name": "n", "base_url": "http://h", "steps": [{"path": "x"}]}, "must start with /"),
        ({"name": "n", "base_url": "http://h", "steps": [{"path": "/", "method": "TRACE"}]}, "unsupported"),
    ],
)
def test_invalid_flow_definitions(raw, why):
    with pytest.raises(ValueError, match=why):
        smoke.parse_flow(raw)


def test_dig():
    doc = {"a": {"b": [{"c": 1}]}}
    assert smoke.dig(doc, "a.b.0.c") == 1
    assert smoke.dig(doc, "a.x") is smoke._MISSING
