"""Health endpoints and service start-up: answers 200 with a healthy body; pods Ready, not restarting.

A 200 with ``{"status": "degraded"}`` or a failing sub-check is not healthy: the body is read (JSON
``status``/``state``/``health`` at the top level and in ``checks``/``components``/``details`` as
Spring Boot, the IETF health-check draft and most frameworks write it, or a short text).  An
unreachable endpoint raises ``ProbeError`` (item ``error``): we cannot tell its health from ours.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.probes.web.http_client import HttpConfig, HttpFacts, send

HEALTHY = frozenset({"ok", "healthy", "up", "pass", "green", "alive", "ready", "success", "running", "true"})
UNHEALTHY = frozenset({"down", "fail", "failed", "error", "unhealthy", "critical", "red", "degraded", "warn"})
_STATUS_KEYS = ("status", "state", "health", "healthy", "ok")
_NESTED_KEYS = ("checks", "components", "details", "services", "dependencies")


def fetch_health(urls: Iterable[str], cfg: HttpConfig) -> list[HttpFacts]:
    """GET every URL once (redirects followed); an unreachable one raises ``ProbeError``."""
    return [send(cfg, "GET", url, allow_redirects=True) for url in urls]


def _status_of(value: Any) -> str | None:
    if isinstance(value, bool):
        return "ok" if value else "fail"
    if isinstance(value, str):
        return value.strip().lower()
    return None


def body_verdict(body: str) -> tuple[bool, str]:
    """(healthy, why) from a health body: JSON status fields, else a short text; empty is healthy."""
    text = body.strip()
    if not text:
        return True, "empty body"
    try:
        data = json.loads(text)
    except ValueError:
        word = text.split()[0].strip(".:!,\"'").lower() if text.split() else ""
        if word in UNHEALTHY:
            return False, f"text says {word!r}"
        if word in HEALTHY or text.lower() in ("pong", "i'm alive"):
            return True, f"text says {word!r}"
        if "<html" in text.lower():
            return False, "an HTML page, not a health answer"
        return True, "200 with a text body"
    if not isinstance(data, Mapping):
        return True, "200 with a JSON body without status"
    bad = list(_unhealthy(data, ""))
    if bad:
        return False, "; ".join(bad[:5])
    top = next((_status_of(data[k]) for k in _STATUS_KEYS if k in data), None)
    return True, f"status {top!r}" if top else "200 with a JSON body without status"


def _unhealthy(data: Mapping[str, Any], path: str, depth: int = 0) -> Iterable[str]:
    if depth > 4:
        return
    for key in _STATUS_KEYS:
        if key in data:
            status = _status_of(data[key])
            if status in UNHEALTHY:
                yield f"{path or 'body'}.{key} = {status!r}"
    for key in _NESTED_KEYS:
        nested = data.get(key)
        items: Iterable[tuple[str, Any]] = ()
        if isinstance(nested, Mapping):
            items = nested.items()
        elif isinstance(nested, list):
            items = (
                (str(x.get("name", i)) if isinstance(x, Mapping) else str(i), x) for i, x in enumerate(nested)
            )
        for name, sub in items:
            if isinstance(sub, Mapping):
                yield from _unhealthy(sub, f"{path}{key}.{name}", depth + 1)
            elif isinstance(sub, list):  # IETF draft: "checks": {"db:responseTime": [{...}]}
                for i, entry in enumerate(sub):
                    if isinstance(entry, Mapping):
                        yield from _unhealthy(entry, f"{path}{key}.{name}[{i}]", depth + 1)
            elif _status_of(sub) in UNHEALTHY:
                yield f"{path}{key}.{name} = {_status_of(sub)!r}"


def assess_health(responses: Iterable[HttpFacts]) -> Assessment:
    """Each health endpoint answers 200 with a healthy body."""
    findings = []
    for r in responses:
        healthy, why = body_verdict(r.body_prefix) if r.status == 200 else (False, "not 200")
        findings.append(
            Finding(
                f"GET {r.url}",
                {"status": r.status, "body": why},
                {"status": 200, "body": "healthy"},
                r.status == 200 and healthy,
            )
        )
    return Assessment.of("health endpoints respond healthy", findings, empty_ok=False)


def assess_pods_started(pods: Iterable[Mapping[str, Any]], max_restarts: int) -> Assessment:
    """Every pod Running and Ready, no container waiting in a crash loop or restarted above the limit."""
    findings = []
    for pod in pods:
        meta, status = pod.get("metadata", {}), pod.get("status", {}) or {}
        phase = status.get("phase")
        if phase in ("Succeeded",):
            continue  # completed Job pods
        subject = f"{meta.get('namespace', '')}/Pod/{meta.get('name', '')}"
        ready = any(
            c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or []
        )
        restarts, waiting = 0, []
        for cs in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or []):
            restarts = max(restarts, int(cs.get("restartCount", 0) or 0))
            reason = ((cs.get("state") or {}).get("waiting") or {}).get("reason")
            if reason in (
                "CrashLoopBackOff",
                "ImagePullBackOff",
                "ErrImagePull",
                "CreateContainerConfigError",
                "CreateContainerError",
                "RunContainerError",
            ):
                waiting.append(f"{cs.get('name')}: {reason}")
        ok = phase == "Running" and ready and restarts <= max_restarts and not waiting
        findings.append(
            Finding(
                subject,
                {"phase": phase, "ready": ready, "max_restart_count": restarts, "waiting": waiting},
                {"phase": "Running", "ready": True, "max_restart_count": f"<= {max_restarts}", "waiting": []},
                ok,
            )
        )
    return Assessment.of("services started (pods ready, not restarting)", findings, empty_ok=False)


def assess_url_answers(responses: Iterable[HttpFacts], what: str) -> Assessment:
    """A configured document URL (on-call schedule, FAQ, ...) answers 200: it exists and is published."""
    findings = [Finding(f"{what}: GET {r.url}", r.status, 200, r.status == 200) for r in responses]
    return Assessment.of(f"{what} published", findings, empty_ok=False)
