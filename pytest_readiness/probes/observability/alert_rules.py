"""Alerting rules as the live Prometheus evaluates them (``/api/v1/rules?type=alert``).

Reading the rules from the running server, not from files in a repository, proves what is actually
loaded: a rule file that failed to parse never reaches ``/api/v1/rules``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError

__all__ = [
    "ActiveAlert",
    "AlertRule",
    "assess_no_firing",
    "assess_rules",
    "assess_runbooks",
    "parse_alerts",
    "parse_rules",
]

#: Rule health values of Prometheus; ``unknown`` means "not evaluated yet" (just after a reload).
HEALTH_OK = frozenset({"ok", "unknown"})


@dataclass(frozen=True)
class AlertRule:
    """One alerting rule: its PromQL, ``for`` duration, static labels and annotations, health."""

    name: str
    group: str
    file: str
    query: str
    for_s: float
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    health: str = "unknown"
    last_error: str = ""

    @property
    def subject(self) -> str:
        return f"{self.group}/{self.name}"

    @property
    def severity(self) -> str:
        return str(self.labels.get("severity", ""))


def parse_rules(data: Any) -> list[AlertRule]:
    """Alerting rules from the ``data`` of ``/api/v1/rules?type=alert`` (recording rules ignored)."""
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise ProbeError("Prometheus /api/v1/rules: malformed answer")
    out = []
    for group in data["groups"]:
        for rule in group.get("rules") or []:
            if rule.get("type") != "alerting":
                continue
            out.append(
                AlertRule(
                    name=str(rule.get("name", "")),
                    group=str(group.get("name", "")),
                    file=str(group.get("file", "")),
                    query=str(rule.get("query", "")),
                    for_s=float(rule.get("duration") or 0),
                    labels={str(k): str(v) for k, v in (rule.get("labels") or {}).items()},
                    annotations={str(k): str(v) for k, v in (rule.get("annotations") or {}).items()},
                    health=str(rule.get("health", "unknown")),
                    last_error=str(rule.get("lastError") or ""),
                )
            )
    return out


def assess_rules(
    rules: Sequence[AlertRule],
    *,
    page_severities: Sequence[str] = ("critical",),
    min_page_for_s: float = 60.0,
) -> Assessment:
    """Rules are loaded, evaluate without error, carry a severity, and paging rules do not flap.

    A paging (critical) alert with ``for`` shorter than ``min_page_for_s`` fires on a single bad
    evaluation: one scrape hiccup wakes someone up.  Set ``for`` (>= 1m) or lower the severity.
    """
    findings: list[Finding] = []
    for r in rules:
        problems = []
        if r.health not in HEALTH_OK:
            problems.append(f"evaluation {r.health}: {r.last_error[:160]}")
        if not r.severity:
            problems.append("no severity label")
        if r.severity in page_severities and r.for_s < min_page_for_s:
            problems.append(
                f"{r.severity} alert with for: {r.for_s:g}s pages on one evaluation (flapping-prone)"
            )
        findings.append(
            Finding(
                f"alert {r.subject}",
                {"health": r.health, "severity": r.severity or None, "for_s": r.for_s},
                {
                    "health": "ok",
                    "severity": "set",
                    "for_s": f">= {min_page_for_s:g} if {'/'.join(page_severities)}",
                },
                not problems,
                "; ".join(problems),
            )
        )
    return Assessment.of("alert rules loaded and healthy", findings, empty_ok=False)


def assess_runbooks(rules: Sequence[AlertRule], annotation: str = "runbook_url") -> Assessment:
    """Every alert links a runbook: whoever is paged must know what to do."""
    return Assessment.of(
        "alerts link a runbook",
        [
            Finding(
                f"alert {r.subject}",
                r.annotations.get(annotation) or None,
                f"{annotation} annotation",
                bool(r.annotations.get(annotation, "").strip()),
            )
            for r in rules
        ],
        empty_ok=False,
    )


# ------------------------------------------------------------------------ alerts firing right now


@dataclass(frozen=True)
class ActiveAlert:
    """One pending or firing alert of ``/api/v1/alerts``: labels and times only (no annotations)."""

    name: str
    state: str
    active_at: str
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return str(self.labels.get("severity", ""))

    @property
    def subject(self) -> str:
        """``alert Name{job="api",instance="..."}``: the series, without alertname and severity."""
        rest = ",".join(
            f'{k}="{v}"' for k, v in sorted(self.labels.items()) if k not in ("alertname", "severity")
        )
        return f"alert {self.name}" + (f"{{{rest}}}" if rest else "")


def parse_alerts(data: Any) -> list[ActiveAlert]:
    """Alerts from the ``data`` of ``/api/v1/alerts``; annotations (free text) are dropped here."""
    if not isinstance(data, dict) or not isinstance(data.get("alerts"), list):
        raise ProbeError("Prometheus /api/v1/alerts: malformed answer")
    out = []
    for alert in data["alerts"]:
        labels = {str(k): str(v) for k, v in (alert.get("labels") or {}).items()}
        out.append(
            ActiveAlert(
                name=labels.get("alertname", ""),
                state=str(alert.get("state", "")),
                active_at=str(alert.get("activeAt") or ""),
                labels=labels,
            )
        )
    return sorted(out, key=lambda a: (a.subject, a.state))


def assess_no_firing(
    alerts: Sequence[ActiveAlert], page_severities: Sequence[str] = ("critical",)
) -> Assessment:
    """No paging alert fires right after the deployment ("Verify no critical alerts").

    Every firing alert is listed (name, severity, since when); only those whose severity pages fail.
    A pending paging alert is reported, not failed: its condition holds but ``for`` has not elapsed,
    so re-run the verification phase once it has.  Alerts of rules evaluated elsewhere (another
    Prometheus, Alertmanager-only sources) are not visible on this endpoint.
    """
    pages = set(page_severities)
    firing = [a for a in alerts if a.state == "firing"]
    paging = [a for a in firing if a.severity in pages]
    wanted = "/".join(page_severities) or "none"
    findings = [
        Finding(
            "Prometheus /api/v1/alerts",
            f"{len(paging)} firing with severity {wanted} ({len(firing)} firing in all)",
            f"0 firing with severity {wanted}",
            not paging,
        )
    ]
    for a in alerts:
        if a.state != "firing" and a.severity not in pages:
            continue
        page = a.severity in pages
        if a.state == "firing":
            note = "pages: resolve it or roll back" if page else "firing, severity does not page"
        else:
            note = f"{a.state}: pages if it persists for the rule's 'for'"
        findings.append(
            Finding(
                a.subject,
                {"state": a.state, "severity": a.severity or None, "activeAt": a.active_at or None},
                f"not firing with severity {wanted}" if page else "informational",
                not (page and a.state == "firing"),
                note,
            )
        )
    return Assessment.of("no critical alert firing", findings)
