"""Centralised logging (Loki or Elasticsearch): reachable, fed by every service, retained, redacted.

Gathering talks to the documented read-only endpoints:

* Loki: ``GET /loki/api/v1/status/buildinfo`` (a ``version``: the answer is Loki's own) and
  ``GET /ready`` (body ``ready``), ``GET /loki/api/v1/query_range`` (recent lines of one service),
  ``GET /config`` (``limits_config.retention_period``, ``compactor.retention_enabled``).
* Elasticsearch: ``GET /_cluster/health``, ``GET /<index>/_search?q=...`` (URI search, no body),
  ``GET /<index>/_ilm/explain`` and ``GET /_ilm/policy/<name>`` (the ``delete`` phase's ``min_age``).

The redaction rule scans a bounded sample of recent lines with detect-secrets' detectors (minus the
entropy and keyword heuristics, which flag every request id and trace id) plus patterns for
e-mail addresses, bearer tokens, passwords in URLs and ``password=...`` pairs.  A finding names the
service, the line's timestamp and the kind of secret, never the value.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, Unpack

from pytest_readiness import safe_yaml
from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.lazy import lazy
from pytest_readiness.probes.observability.json_api import JsonApi, require

if TYPE_CHECKING:
    import promql_parser
    import yaml
else:
    promql_parser = lazy("promql_parser")
    yaml = lazy("yaml")

__all__ = [
    "Connection",
    "ElasticsearchBackend",
    "LogLine",
    "LoggingBackend",
    "LokiBackend",
    "Retention",
    "assess_aggregation",
    "assess_reachable",
    "assess_redaction",
    "assess_retention",
    "make_backend",
    "secret_kinds",
]


@dataclass(frozen=True)
class LogLine:
    service: str
    timestamp: str  # ISO 8601, UTC
    text: str


@dataclass(frozen=True)
class Retention:
    """How long the backend keeps logs; ``days`` None = no deletion policy found."""

    days: float | None
    source: str


class LoggingBackend(Protocol):
    kind: str

    def status(self) -> dict[str, Any]: ...
    def recent_lines(self, service: str, limit: int, lookback_s: float) -> list[LogLine]: ...
    def retention(self) -> Retention: ...


class Connection(TypedDict, total=False):
    """How to reach a backend: the keyword options every backend takes (see :class:`JsonApi`)."""

    timeout: float
    token: str | None
    verify: bool | str


class _Http(JsonApi):
    def __init__(self, name: str, url: str, connection: Connection) -> None:
        super().__init__(name, url, accept_json=False, **connection)


def _days(duration: str) -> float:
    """Days of a Loki/Elasticsearch duration (``744h``, ``30d``, ``0s``)."""
    text = duration.strip()
    if re.fullmatch(r"0+(\.0+)?[a-z]*", text):
        return 0.0
    try:
        return promql_parser.parse_duration(text).total_seconds() / 86400
    except ValueError:
        raise ProbeError(f"unreadable duration {text!r}") from None


class LokiBackend(_Http):
    """Loki; ``service_label`` is the stream label naming the service (``service_name`` in Loki 3)."""

    kind = "loki"

    def __init__(
        self, url: str, *, service_label: str, **connection: Unpack[Connection]
    ) -> None:
        super().__init__("Loki", url, connection)
        self.service_label = service_label

    def status(self) -> dict[str, Any]:
        """Loki's own answer: buildinfo names a version, ``/ready`` says ``ready`` (200) or why not (503).

        Any other 200 (a login page, a proxy's HTML, a different service) is an ``error``: it says
        nothing about Loki.
        """
        build = self.get_json("/loki/api/v1/status/buildinfo")
        version = require(build, "version", str, f"Loki {self.url}/loki/api/v1/status/buildinfo")
        resp = self.fetch("/ready", ok=(200, 503))
        text = resp.text.strip()
        if resp.status_code == 200 and text.lower() != "ready":
            raise ProbeError(
                f"Loki {self.url}/ready: answer is not Loki's (expected 'ready', got {text[:40]!r})"
            )
        return {"kind": "loki", "ready": resp.status_code == 200, "detail": text[:80], "version": version}

    def recent_lines(self, service: str, limit: int, lookback_s: float) -> list[LogLine]:
        now = time.time_ns()
        body = self.get_json(
            "/loki/api/v1/query_range",
            query=f'{{{self.service_label}="{_quote(service)}"}}',
            start=str(now - int(lookback_s * 1e9)),
            end=str(now),
            limit=str(limit),
            direction="backward",
        )
        where = f"Loki {self.url}/loki/api/v1/query_range"
        if require(body, "status", str, where) != "success":
            raise ProbeError(f"{where}: status {body['status']!r}")
        out = []
        for stream in require(body, "data.result", list, where):
            for pair in require(stream, "values", list, where, under="data.result[]"):
                if not isinstance(pair, list) or len(pair) != 2:
                    raise ProbeError(f"{where}: data.result[].values holds a non-[time, line] entry")
                out.append(LogLine(service, _iso(int(pair[0]) / 1e9), str(pair[1])))
        return out[:limit]

    def retention(self) -> Retention:
        try:
            doc = safe_yaml.load(self.fetch("/config").text, "Loki /config")
        except yaml.YAMLError:
            raise ProbeError("Loki /config: not YAML") from None
        if not isinstance(doc, dict):
            raise ProbeError("Loki /config: malformed answer")
        enabled = bool((doc.get("compactor") or {}).get("retention_enabled"))
        period = str((doc.get("limits_config") or {}).get("retention_period") or "0s")
        days = _days(period)
        if not enabled or days == 0:
            return Retention(None, f"compactor.retention_enabled={enabled}, retention_period={period}")
        return Retention(days, f"limits_config.retention_period={period}")


class ElasticsearchBackend(_Http):
    """Elasticsearch/OpenSearch; logs in ``index`` (pattern), service in ``service_field``."""

    kind = "elasticsearch"

    def __init__(
        self,
        url: str,
        *,
        index: str,
        service_field: str,
        message_field: str,
        **connection: Unpack[Connection],
    ) -> None:
        super().__init__("Elasticsearch", url, connection)
        self.index = index
        self.service_field = service_field
        self.message_field = message_field

    def status(self) -> dict[str, Any]:
        body = self.get_json("/_cluster/health")
        status = require(body, "status", str, f"Elasticsearch {self.url}/_cluster/health")
        return {"kind": "elasticsearch", "status": status, "cluster": body.get("cluster_name")}

    def recent_lines(self, service: str, limit: int, lookback_s: float) -> list[LogLine]:
        q = f'{self.service_field}:"{service}" AND @timestamp:>=now-{int(lookback_s)}s'
        body = self.get_json(f"/{self.index}/_search", q=q, size=str(limit), sort="@timestamp:desc")
        hits = ((body or {}).get("hits") or {}).get("hits") if isinstance(body, dict) else None
        if hits is None:
            raise ProbeError("Elasticsearch _search: malformed answer")
        out = []
        for hit in hits:
            src = hit.get("_source") or {}
            out.append(
                LogLine(service, str(src.get("@timestamp", "")), str(_dig(src, self.message_field) or ""))
            )
        return out

    def retention(self) -> Retention:
        explain = self.get_json(f"/{self.index}/_ilm/explain")
        indices = require(explain, "indices", dict, f"Elasticsearch {self.url}/{self.index}/_ilm/explain")
        if not indices:
            return Retention(None, f"no index matches {self.index}")
        unmanaged = sorted(n for n, i in indices.items() if not i.get("managed"))
        if unmanaged:
            return Retention(None, f"{len(unmanaged)} index(es) without ILM policy, e.g. {unmanaged[0]}")
        worst: float | None = None
        names = sorted({str(i.get("policy")) for i in indices.values()})
        for name in names:
            body = self.get_json(f"/_ilm/policy/{name}")
            phases = require(
                body, f"{name}.policy.phases", dict, f"Elasticsearch {self.url}/_ilm/policy/{name}"
            )
            delete = phases.get("delete")
            if not delete:
                return Retention(None, f"ILM policy {name} has no delete phase")
            days = _days(str(delete.get("min_age", "0ms")))
            worst = days if worst is None else min(worst, days)
        return Retention(worst, f"ILM policies {', '.join(names)} (delete phase)")


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _dig(doc: Mapping[str, Any], dotted: str) -> Any:
    if dotted in doc:
        return doc[dotted]
    cur: Any = doc
    for part in dotted.split("."):
        cur = cur.get(part) if isinstance(cur, dict) else None
    return cur


def _iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="seconds")


#: Each kind's class and its own keyword options (beside those of :class:`Connection`).
_KINDS: dict[str, tuple[Callable[..., LoggingBackend], tuple[str, ...]]] = {
    "loki": (LokiBackend, ("service_label",)),
    "elasticsearch": (ElasticsearchBackend, ("index", "service_field", "message_field")),
}
_KINDS["opensearch"] = _KINDS["elasticsearch"]
#: Every kind's own options: ``[logging]`` keys of the same names (their defaults are the schema's).
OPTIONS = tuple(sorted({key for _, own in _KINDS.values() for key in own}))


def make_backend(kind: str, url: str, **kwargs: Any) -> LoggingBackend:
    """``loki`` or ``elasticsearch`` (``opensearch`` accepted); options another kind takes are ignored."""
    if kind not in _KINDS:
        raise ProbeError(f"[logging] kind {kind!r}: expected loki or elasticsearch")
    backend, own = _KINDS[kind]
    allowed = Connection.__optional_keys__ | set(own)
    return backend(url, **{k: v for k, v in kwargs.items() if k in allowed})


# ---------------------------------------------------------------------------------------- rules


def assess_reachable(status: Mapping[str, Any]) -> Assessment:
    """Loki ``/ready``; Elasticsearch cluster green (yellow passes: replicas only, data is served)."""
    if status.get("kind") == "loki":
        ok = bool(status.get("ready"))
        return Assessment.single("logging backend ready", "Loki /ready", status.get("detail"), "ready", ok)
    health = status.get("status")
    return Assessment.single(
        "logging backend ready",
        "Elasticsearch /_cluster/health",
        health,
        "green (yellow tolerated)",
        health in ("green", "yellow"),
        "yellow: some replica shards unassigned" if health == "yellow" else "",
    )


def assess_aggregation(counts: Mapping[str, int], lookback_s: float) -> Assessment:
    """Every configured service shipped at least one line recently."""
    return Assessment.of(
        "recent logs from every service",
        [
            Finding(f"service {s}", f"{n} line(s) in the last {lookback_s / 60:g} min", ">= 1 line", n > 0)
            for s, n in counts.items()
        ],
        empty_ok=False,
    )


def assess_retention(retention: Retention, min_days: float) -> Assessment:
    """A deletion policy exists and keeps at least ``min_days`` (no policy: logs grow forever)."""
    days = retention.days
    return Assessment.single(
        "log retention",
        retention.source,
        f"{days:g}d" if days is not None else "no deletion policy",
        f">= {min_days:g}d",
        days is not None and days >= min_days,
    )


_MASKED = re.compile(r"^(\*+|x{3,}|\[?(redacted|filtered|masked|hidden)\]?|<[^>]*>|null|none|\"\"|'')$", re.I)
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "e-mail address",
        re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
    ),
    ("bearer token", re.compile(r"\bbearer\s+(?P<v>[A-Za-z0-9\-._~+/]{8,}=*)", re.I)),
    ("password in URL", re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:(?P<v>[^/\s@]+)@", re.I)),
    (
        "password/secret assignment",
        re.compile(
            r"""(?i)\b(?:pass(?:word|wd)?|pwd|secret|api[_-]?key|access[_-]?token|client[_-]?secret|auth[_-]?token)"""
            r"""["']?\s*[:=]\s*["']?(?P<v>[^\s"',;&}]+)"""
        ),
    ),
)
_SKIP_DETECTORS = frozenset(
    {"Base64HighEntropyString", "HexHighEntropyString", "KeywordDetector", "IPPublicDetector"}
)
_DETECTORS: list[Any] = []


def _detectors() -> list[Any]:
    if not _DETECTORS:
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

        classes: Iterable[Any] = get_mapping_from_secret_type_to_class().values()
        _DETECTORS.extend(c() for c in classes if c.__name__ not in _SKIP_DETECTORS)
    return _DETECTORS


def secret_kinds(line: str) -> list[str]:
    """Kinds of secret or personal data in one line (``[]`` when clean); values are not returned."""
    kinds: set[str] = set()
    for detector in _detectors():
        for found in detector.analyze_line(filename="log", line=line, line_number=0):
            kinds.add(str(found.type))
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(line):
            value = m.groupdict().get("v")
            if value is None or not _MASKED.match(value.strip()):
                kinds.add(kind)
                break
    return sorted(kinds)


def assess_redaction(lines: Sequence[LogLine]) -> Assessment:
    """No line of the sample carries a secret, token, password or e-mail address."""
    if not lines:
        raise ProbeError("no recent log lines to sample: cannot judge redaction")
    findings = [Finding("sample", f"{len(lines)} line(s)", "no secrets", True)]
    for line in lines:
        kinds = secret_kinds(line.text)
        if kinds:
            findings.append(
                Finding(f"{line.service} @ {line.timestamp}", kinds, "no secrets", False, "value not shown")
            )
    return Assessment.of("logs are redacted", findings)
