"""Business smoke flows: short, configured sequences of HTTP requests against a test tenant.

A flow (``[[smoke.flows]]``) proves one business capability end to end (registration, value model
creation, strategy execution, billing): each step sends a request and checks the status and JSON
fields of the answer; values can be saved for later steps (``save = {id = "data.id"}`` then
``{id}`` in a path or body).  Placeholders: ``{tenant}`` (the configured test tenant), ``{run}`` (a
random id unique to this run, for unique e-mail addresses) and the saved values.

These flows write (they create test users and objects), so they are bounded: at most
:data:`MAX_STEPS` steps, a timeout per request, a total budget per flow, no redirect followed, and
a capped response size.  The flow's token is a secret: it is sent as ``Authorization: Bearer`` and
never appears in the evidence; response values are shown only where the flow asserts equality.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes import transport

__all__ = ["MAX_STEPS", "Flow", "FlowResult", "Step", "StepResult", "assess_flows", "parse_flow", "run_flow"]

MAX_STEPS = 20
MAX_FLOW_S = 120.0
MAX_BODY_BYTES = 1024 * 1024
METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_MISSING = object()


@dataclass(frozen=True)
class Step:
    method: str
    path: str
    json: Any = None
    expect_status: tuple[int, ...] = (200,)
    expect_json: Mapping[str, Any] = field(default_factory=dict)
    expect_fields: tuple[str, ...] = ()
    save: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Flow:
    name: str
    item: str
    base_url: str
    steps: tuple[Step, ...]
    token: str = field(default="", repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)


def _status_list(value: Any) -> tuple[int, ...]:
    if isinstance(value, int):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        return tuple(value)
    raise ValueError("expect_status must be an integer or a list of integers")


def parse_flow(raw: Mapping[str, Any], default_base_url: str = "") -> Flow:
    """Validate one ``[[smoke.flows]]`` table; a ValueError names the offending key."""
    name = str(raw.get("name") or "")
    if not name:
        raise ValueError("a smoke flow needs a name")
    item = str(raw.get("item") or "")
    base = str(raw.get("base_url") or default_base_url)
    if not base.startswith(("http://", "https://")):
        raise ValueError(f"flow {name!r}: base_url must be an http(s) URL")
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise ValueError(f"flow {name!r}: needs at least one [[smoke.flows.steps]]")
    if len(steps_raw) > MAX_STEPS:
        raise ValueError(f"flow {name!r}: {len(steps_raw)} steps, at most {MAX_STEPS}")
    steps = []
    for i, s in enumerate(steps_raw, 1):
        if not isinstance(s, Mapping):
            raise ValueError(f"flow {name!r} step {i}: must be a table")
        method = str(s.get("method", "GET")).upper()
        if method not in METHODS:
            raise ValueError(f"flow {name!r} step {i}: unsupported method {method}")
        path = str(s.get("path", ""))
        if not path.startswith("/"):
            raise ValueError(f"flow {name!r} step {i}: path must start with / (relative to base_url)")
        steps.append(
            Step(
                method=method,
                path=path,
                json=s.get("json"),
                expect_status=_status_list(s.get("expect_status", 200)),
                expect_json=dict(s.get("expect_json", {})),
                expect_fields=tuple(str(f) for f in s.get("expect_fields", [])),
                save={str(k): str(v) for k, v in dict(s.get("save", {})).items()},
            )
        )
    headers = {str(k): str(v) for k, v in dict(raw.get("headers", {})).items()}
    return Flow(name, item, base.rstrip("/"), tuple(steps), str(raw.get("token") or ""), headers)


def _fill(value: Any, variables: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: variables.get(m[1], m[0]), value)
    if isinstance(value, Mapping):
        return {k: _fill(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, variables) for v in value]
    return value


def dig(document: Any, dotted: str) -> Any:
    """``a.b.0.c`` into nested dicts/lists; the module's sentinel when absent."""
    current = document
    for part in dotted.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


@dataclass(frozen=True)
class StepResult:
    index: int
    method: str
    path: str  # the template, not the filled path: filled values may be personal data
    status: int | None
    problems: tuple[str, ...]
    checked: Mapping[str, Any] = field(default_factory=dict)
    elapsed_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status is not None and not self.problems


@dataclass(frozen=True)
class FlowResult:
    flow: str
    item: str
    steps: tuple[StepResult, ...]
    total_steps: int


def _check_step(step: Step, status: int, body: Any) -> tuple[list[str], dict[str, Any]]:
    problems: list[str] = []
    checked: dict[str, Any] = {}
    if status not in step.expect_status:
        problems.append(f"status {status}, expected {'/'.join(map(str, step.expect_status))}")
        return problems, checked  # an error page's fields say nothing more
    if (step.expect_json or step.expect_fields or step.save) and body is _MISSING:
        problems.append("the answer is not JSON")
        return problems, checked
    for path, want in step.expect_json.items():
        got = dig(body, path)
        checked[path] = "absent" if got is _MISSING else got
        if got is _MISSING or got != want:
            problems.append(f"{path} = {'absent' if got is _MISSING else repr(got)[:60]}, expected {want!r}")
    for path in (*step.expect_fields, *step.save.values()):
        present = dig(body, path) not in (_MISSING, None)
        checked[path] = "present" if present else "absent"
        if not present:
            problems.append(f"{path} absent")
    return problems, checked


def run_flow(
    flow: Flow,
    *,
    tenant: str,
    run_id: str,
    timeout: float,
    verify: bool | str = True,
    budget_s: float = MAX_FLOW_S,
) -> FlowResult:
    """Run the steps in order, stopping at the first failing one (later steps depend on it)."""
    variables: dict[str, str] = {"tenant": tenant, "run": run_id}
    results: list[StepResult] = []
    started = time.monotonic()
    with transport.new_session(verify=verify, headers=flow.headers) as session:
        if flow.token:
            session.headers["Authorization"] = f"Bearer {flow.token}"
        session.headers["X-Readiness-Tenant"] = tenant
        for i, step in enumerate(flow.steps, 1):
            left = budget_s - (time.monotonic() - started)
            if left <= 0:
                raise ProbeError(f"smoke flow {flow.name!r} exceeded its {budget_s:g} s budget at step {i}")
            url = flow.base_url + _fill(step.path, variables)
            t = time.monotonic()
            try:
                resp = transport.fetch(
                    session,
                    step.method,
                    url,
                    json=_fill(step.json, variables),
                    timeout=min(timeout, left),
                    allow_redirects=False,
                    max_bytes=MAX_BODY_BYTES,
                )
            except transport.TransportError as exc:
                raise ProbeError(
                    f"smoke flow {flow.name!r} step {i} {step.method} {step.path}: {transport.describe(exc)}"
                ) from None
            raw = resp.content
            elapsed = (time.monotonic() - t) * 1000.0
            try:
                body: Any = json.loads(raw) if raw else _MISSING
            except ValueError:
                body = _MISSING
            problems, checked = _check_step(step, resp.status_code, body)
            results.append(
                StepResult(
                    i, step.method, step.path, resp.status_code, tuple(problems), checked, round(elapsed, 1)
                )
            )
            if problems:
                break
            for var, path in step.save.items():
                variables[var] = str(dig(body, path))
    return FlowResult(flow.name, flow.item, tuple(results), len(flow.steps))


def assess_flows(results: Sequence[FlowResult], check: str) -> Assessment:
    """One finding per step run; steps not reached after a failure are listed as not run."""
    findings: list[Finding] = []
    for r in results:
        for s in r.steps:
            findings.append(
                Finding(
                    f"flow {r.flow!r} step {s.index} {s.method} {s.path}",
                    {"status": s.status, "fields": dict(s.checked), "elapsed_ms": s.elapsed_ms},
                    "expected status and fields",
                    s.ok,
                    "; ".join(s.problems),
                )
            )
        if len(r.steps) < r.total_steps:
            findings.append(
                Finding(
                    f"flow {r.flow!r}",
                    f"{len(r.steps)} of {r.total_steps} steps run",
                    "all steps",
                    False,
                    "stopped at the first failing step",
                )
            )
    return Assessment.of(check, findings, empty_ok=False)
