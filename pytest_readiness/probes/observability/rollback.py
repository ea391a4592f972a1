"""The rollback plan's readiness: triggers wired as alerts, an old revision to go back to, short DNS TTLs.

Triggers: each alert rule's PromQL (as the live Prometheus loaded it) is parsed with
``promql_parser`` and every comparison ``signal OP number`` is classified:

* error rate: ``errors / total`` (numerator selects 5xx codes or an ``*error*`` metric), as a
  ratio (``> 0.05``) or a percentage (``* 100 > 5``); a success ratio ``< 0.95`` counts too;
* p95: ``histogram_quantile(q >= 0.95, ...)`` or a summary's ``{quantile="0.95"}``, unit from the
  metric name (``_seconds``/``_milliseconds``) and any ``* 1000`` scaling;
* health: ``up``/``probe_success`` ``== 0`` (or ``< 1``), ``absent(up...)``, kube-state-metrics
  readiness (unavailable replicas, not-ready pods);
* DB connection errors: ``pg_up``/``pgbouncer_up``/``mysql_up == 0`` or a counter of database
  connection errors ``> N``.

A rule implements a trigger when its threshold fires at least whenever the checklist's condition
holds (``> 2 %`` implements "error rate > 5 %"; ``> 10 %`` does not).
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.lazy import lazy
from pytest_readiness.probes.observability.alert_rules import AlertRule
from pytest_readiness.probes.web.dns import is_ip_literal

if TYPE_CHECKING:
    import dns.exception
    import dns.message
    import dns.name
    import dns.query
    import dns.rdatatype
    import dns.resolver
    import promql_parser as pp
else:
    dns = lazy("dns", "exception", "message", "name", "query", "rdatatype", "resolver")
    pp = lazy("promql_parser")

__all__ = [
    "TRIGGERS",
    "TriggerMatch",
    "assess_dns_ttl",
    "assess_revision_history",
    "assess_trigger",
    "classify",
    "dns_ttls",
]

TRIGGERS = ("error_rate", "p95", "health", "db_errors")
_COMPARISONS = frozenset({">", ">=", "<", "<=", "==", "!="})
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "==": "==", "!=": "!="}
_STATUS_LABELS = frozenset({"code", "status", "status_code", "http_status", "response_code", "http_code"})
_ERROR_NAME = re.compile(r"error|fail|5xx|exception", re.I)
_SUCCESS_CODES = re.compile(r"^[\^(]*[23]")
_DB_UP = frozenset({"pg_up", "pgbouncer_up", "mysql_up", "mongodb_up", "redis_up"})
_DB_CONN_ERRORS = re.compile(
    r"(?=.*(db|database|sql|pg|postgres|pgbouncer|hikari|pool))(?=.*conn)(?=.*(error|fail|refused|timeout))",
    re.I,
)
_HEALTH_UP = frozenset({"up", "probe_success"})
_KUBE_NOT_READY = frozenset(
    {"kube_deployment_status_replicas_unavailable", "kube_statefulset_status_replicas_unavailable"}
)


@dataclass(frozen=True)
class TriggerMatch:
    """An alert rule comparison that looks like ``trigger``; ``ok`` when its threshold is tight enough."""

    rule: str
    trigger: str
    condition: str  # normalised: "error rate > 2%", "p95 > 500ms", "up == 0"
    ok: bool
    note: str = ""


# ----------------------------------------------------------------------------------- AST helpers


def _number(e: Any) -> float | None:
    if isinstance(e, pp.NumberLiteral):
        return float(e.val)
    if isinstance(e, pp.ParenExpr):
        return _number(e.expr)
    if isinstance(e, pp.UnaryExpr):
        n = _number(e.expr)
        return -n if n is not None else None
    if isinstance(e, pp.BinaryExpr) and str(e.op) in ("*", "/", "+", "-"):
        a, b = _number(e.lhs), _number(e.rhs)
        if a is None or b is None:
            return None
        op = str(e.op)
        return a * b if op == "*" else a / b if op == "/" and b else a + b if op == "+" else a - b
    return None


def _unwrap(e: Any) -> tuple[Any, float]:
    """Strip parentheses and constant scaling: ``(x) * 100`` → (x, 100)."""
    factor = 1.0
    while True:
        if isinstance(e, pp.ParenExpr):
            e = e.expr
            continue
        if isinstance(e, pp.BinaryExpr) and str(e.op) in ("*", "/"):
            rn, ln = _number(e.rhs), _number(e.lhs)
            if rn is not None and rn != 0:
                factor = factor * rn if str(e.op) == "*" else factor / rn
                e = e.lhs
                continue
            if ln is not None and str(e.op) == "*":
                factor *= ln
                e = e.rhs
                continue
        return e, factor


def _selectors(e: Any) -> list[Any]:
    found: list[Any] = []

    def visit(node: Any) -> None:
        if isinstance(node, pp.VectorSelector):
            found.append(node)

    pp.walk(e, pre_visit=visit)
    return found


def _comparisons(e: Any) -> list[tuple[Any, str, float]]:
    """Every ``signal OP number`` in the expression (``number OP signal`` flipped)."""
    out: list[tuple[Any, str, float]] = []

    def visit(node: Any) -> None:
        if isinstance(node, pp.BinaryExpr) and str(node.op) in _COMPARISONS:
            rn, ln = _number(node.rhs), _number(node.lhs)
            if rn is not None and ln is None:
                out.append((node.lhs, str(node.op), rn))
            elif ln is not None and rn is None:
                out.append((node.rhs, _FLIP[str(node.op)], ln))

    pp.walk(e, pre_visit=visit)
    return out


def _matcher_values(sel: Any, labels: frozenset[str]) -> list[tuple[str, str]]:
    return [(str(m.op), str(m.value)) for m in sel.matchers.matchers if m.name in labels]


def _selects_errors(sel: Any) -> bool:
    if sel.name and _ERROR_NAME.search(str(sel.name)):
        return True
    for op, value in _matcher_values(sel, _STATUS_LABELS):
        if op in ("MatchOp.Equal", "MatchOp.Re") and value.lstrip("^(").startswith("5"):
            return True
        if op in ("MatchOp.NotEqual", "MatchOp.NotRe") and _SUCCESS_CODES.match(value):
            return True
    return False


def _selects_success(sel: Any) -> bool:
    return any(
        op in ("MatchOp.Equal", "MatchOp.Re") and _SUCCESS_CODES.match(v)
        for op, v in _matcher_values(sel, _STATUS_LABELS)
    )


# ----------------------------------------------------------------------------------- classifier


def classify(rule: str, expr: str, *, error_rate_percent: float, p95_ms: float) -> list[TriggerMatch]:
    """Trigger-shaped comparisons in one rule expression (unparseable PromQL: no match)."""
    try:
        ast = pp.parse(expr)
    except ValueError:
        return []
    out: list[TriggerMatch] = []
    for signal, op, n in _comparisons(ast):
        core, factor = _unwrap(signal)
        for match in (
            _error_rate(rule, core, factor, op, n, error_rate_percent),
            _p95(rule, core, factor, op, n, p95_ms),
            _health(rule, core, op, n),
            _db_errors(rule, core, op, n),
        ):
            if match is not None:
                out.append(match)
    if isinstance(ast, pp.Call) and ast.func.name == "absent":
        names = {s.name for s in _selectors(ast)}
        if names & _HEALTH_UP:
            out.append(TriggerMatch(rule, "health", "absent(up)", True))
        if names & _DB_UP:
            out.append(TriggerMatch(rule, "db_errors", "absent(db up)", True))
    return out


def _error_rate(rule: str, core: Any, factor: float, op: str, n: float, limit: float) -> TriggerMatch | None:
    percent_form = factor == 100
    if isinstance(core, pp.BinaryExpr) and str(core.op) == "/":
        num = _selectors(core.lhs)
        if any(_selects_errors(s) for s in num):
            ratio_kind = "error"
        elif num and all(_selects_success(s) for s in num):
            ratio_kind = "success"
        else:
            return None
    elif (
        isinstance(core, pp.VectorSelector)
        and core.name
        and _ERROR_NAME.search(core.name)
        and re.search(r"ratio|percent|pct", core.name)
    ):
        ratio_kind = "error"
        percent_form = percent_form or bool(re.search(r"percent|pct", core.name))
        factor = 100.0 if percent_form and factor == 1 else factor
    else:
        return None
    percent = n / factor * 100
    if ratio_kind == "error":
        ok = op in (">", ">=") and percent <= limit
        return TriggerMatch(rule, "error_rate", f"error rate {op} {percent:g}%", ok)
    ok = op in ("<", "<=") and 100 - percent <= limit
    return TriggerMatch(rule, "error_rate", f"success rate {op} {percent:g}%", ok)


def _latency_unit_ms(name: str) -> float:
    if re.search(r"_(milliseconds|ms)(_bucket)?$", name):
        return 1.0
    if re.search(r"_(microseconds|us)(_bucket)?$", name):
        return 0.001
    return 1000.0  # Prometheus base unit: seconds


def _p95(rule: str, core: Any, factor: float, op: str, n: float, limit_ms: float) -> TriggerMatch | None:
    quantile: float | None = None
    names: list[str] = []
    if isinstance(core, pp.Call) and core.func.name == "histogram_quantile" and core.args:
        quantile = _number(core.args[0])
        names = [str(s.name) for s in _selectors(core.args[1]) if s.name] if len(core.args) > 1 else []
    elif isinstance(core, pp.VectorSelector) and core.name:
        for m in core.matchers.matchers:
            if m.name == "quantile":
                try:
                    quantile = float(m.value)
                except ValueError:
                    return None
        names = [str(core.name)]
    if quantile is None or quantile < 0.95 or quantile > 1:
        return None
    unit = _latency_unit_ms(names[0]) if names else 1000.0
    threshold_ms = n / factor * unit
    ok = op in (">", ">=") and threshold_ms <= limit_ms
    return TriggerMatch(rule, "p95", f"p{quantile * 100:g} {op} {threshold_ms:g}ms", ok)


def _health(rule: str, core: Any, op: str, n: float) -> TriggerMatch | None:
    names = {str(s.name) for s in _selectors(core) if s.name}
    if names & _HEALTH_UP:
        ok = (op == "==" and n == 0) or (op == "<" and 0 < n <= 1) or (op == "<=" and 0 <= n < 1)
        return TriggerMatch(rule, "health", f"{'/'.join(sorted(names & _HEALTH_UP))} {op} {n:g}", ok)
    if (
        names & _KUBE_NOT_READY
        or "kube_pod_container_status_ready" in names
        or "kube_pod_status_ready" in names
    ):
        ok = (op in (">", ">=", "!=") and n <= 1) or (op == "==" and n in (0, 1))
        return TriggerMatch(rule, "health", f"kube readiness {op} {n:g}", ok)
    return None


def _db_errors(rule: str, core: Any, op: str, n: float) -> TriggerMatch | None:
    names = {str(s.name) for s in _selectors(core) if s.name}
    if names & _DB_UP:
        ok = (op == "==" and n == 0) or (op == "<" and 0 < n <= 1) or (op == "!=" and n == 1)
        return TriggerMatch(rule, "db_errors", f"{'/'.join(sorted(names & _DB_UP))} {op} {n:g}", ok)
    conn = sorted(x for x in names if _DB_CONN_ERRORS.search(x))
    if conn:
        return TriggerMatch(rule, "db_errors", f"{conn[0]} {op} {n:g}", op in (">", ">=", "!="))
    return None


_TITLES = {
    "error_rate": "error rate > {e:g}%",
    "p95": "p95 latency > {p:g}ms",
    "health": "health checks failing",
    "db_errors": "database connection errors",
}


def assess_trigger(
    rules: Sequence[AlertRule], trigger: str, *, error_rate_percent: float = 5, p95_ms: float = 5000
) -> Assessment:
    """Some alert rule implements ``trigger`` (one of :data:`TRIGGERS`) with a tight enough threshold."""
    matches = [
        m
        for r in rules
        for m in classify(r.subject, r.query, error_rate_percent=error_rate_percent, p95_ms=p95_ms)
        if m.trigger == trigger
    ]
    good = [f"{m.rule}: {m.condition}" for m in matches if m.ok]
    lax = [f"{m.rule}: {m.condition}" for m in matches if not m.ok]
    title = _TITLES[trigger].format(e=error_rate_percent, p=p95_ms)
    return Assessment.single(
        f"rollback trigger: {title}",
        f"trigger {title}",
        {"implemented by": good, "similar but threshold too lax": lax, "rules scanned": len(rules)},
        f"an alert rule firing on {title}",
        bool(good),
        "" if good else ("no alert rule implements it" if not lax else "only rules with a looser threshold"),
    )


# ----------------------------------------------------------------------------------- kubernetes

_REVISION = "deployment.kubernetes.io/revision"


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def assess_revision_history(
    deployments: Sequence[Mapping[str, Any]], replicasets: Sequence[Mapping[str, Any]] | None
) -> Assessment:
    """``kubectl rollout undo`` has something to return to.

    ``revisionHistoryLimit`` (default 10) must be >= 1.  With a live cluster (``replicasets`` given)
    each Deployment must also own a ReplicaSet of an older revision; manifests alone cannot tell.
    """
    owned: dict[tuple[str, str], list[str]] = {}
    for rs in replicasets or []:
        meta = _meta(rs)
        for owner in meta.get("ownerReferences") or []:
            if owner.get("kind") == "Deployment":
                key = (str(meta.get("namespace") or "default"), str(owner.get("name")))
                owned.setdefault(key, []).append(str((meta.get("annotations") or {}).get(_REVISION, "")))
    findings = []
    for d in deployments:
        meta = _meta(d)
        ns, name = str(meta.get("namespace") or "default"), str(meta.get("name"))
        limit = (d.get("spec") or {}).get("revisionHistoryLimit")
        effective = 10 if limit is None else int(limit)
        observed: dict[str, Any] = {"revisionHistoryLimit": limit if limit is not None else "unset (10)"}
        problems = [] if effective >= 1 else ["revisionHistoryLimit 0 keeps no old ReplicaSet"]
        if replicasets is not None:
            current = str((meta.get("annotations") or {}).get(_REVISION, ""))
            previous = [r for r in owned.get((ns, name), []) if r and r != current]
            observed["current revision"] = current or None
            observed["previous ReplicaSets"] = len(previous)
            if not previous:
                problems.append("no previous ReplicaSet: nothing to roll back to")
        findings.append(
            Finding(
                f"{ns}/Deployment/{name}",
                observed,
                ">= 1 previous revision",
                not problems,
                "; ".join(problems),
            )
        )
    return Assessment.of("rollout undo possible", findings, empty_ok=False)


# ----------------------------------------------------------------------------------- DNS


def _server(spec: str, default_port: int = 53) -> tuple[str, int]:
    host, _, port = spec.rpartition(":") if spec.count(":") == 1 else (spec, "", "")
    return (host or spec), int(port or default_port)


def _authoritative(name: str, timeout: float) -> list[tuple[str, int]]:
    """Addresses of the zone's authoritative servers: their TTLs are the configured ones, not a cache's."""
    resolver = dns.resolver.Resolver()
    resolver.lifetime = timeout
    zone = dns.resolver.zone_for_name(name, resolver=resolver, lifetime=timeout)
    servers = []
    for ns in resolver.resolve(zone, "NS"):
        for a in resolver.resolve(str(ns), "A"):
            servers.append((str(a), 53))
    return servers[:3]


def dns_ttls(
    names: Iterable[str], *, nameservers: Sequence[str] = (), port: int | None = None, timeout: float = 10.0
) -> dict[str, int]:
    """Largest TTL in the answer (CNAME chain and A/AAAA records) of each name.

    Asks ``nameservers`` (``host`` or ``host:port``; else ``port``) when given, else the zone's
    authoritative servers
    (a caching resolver would report a decremented TTL).
    """
    out: dict[str, int] = {}
    for name in names:
        if is_ip_literal(name):  # never sent to a resolver: there is no record to switch
            raise ProbeError(f"DNS {name}: an IP address has no DNS record (configure the public name)")
        servers = [_server(s, port or 53) for s in nameservers]
        try:
            servers = servers or _authoritative(name, timeout)
            ttls: list[int] = []
            for rdtype in ("A", "AAAA"):
                query = dns.message.make_query(dns.name.from_text(name), dns.rdatatype.from_text(rdtype))
                answer = _ask(query, servers, timeout)
                ttls.extend(rrset.ttl for rrset in answer.answer)
        except (dns.exception.DNSException, OSError) as exc:
            raise ProbeError(f"DNS {name}: {type(exc).__name__}") from None
        if not ttls:
            raise ProbeError(f"DNS {name}: no A/AAAA record")
        out[name] = max(ttls)
    return out


def _ask(
    query: dns.message.Message, servers: Sequence[tuple[str, int]], timeout: float
) -> dns.message.Message:
    last: Exception = ProbeError("no nameserver")
    for host, port in servers:
        try:
            addr = socket.gethostbyname(host)
            return dns.query.udp(query, addr, timeout=timeout, port=port)
        except (dns.exception.DNSException, OSError) as exc:
            last = exc
    raise last


def assess_dns_ttl(ttls: Mapping[str, int], max_ttl_s: int) -> Assessment:
    """Each public name's TTL is short enough that a DNS switch takes effect within ``max_ttl_s``."""
    return Assessment.of(
        "DNS TTL allows a quick switch",
        [Finding(f"dns {n}", f"TTL {t}s", f"<= {max_ttl_s}s", t <= max_ttl_s) for n, t in ttls.items()],
        empty_ok=False,
    )
