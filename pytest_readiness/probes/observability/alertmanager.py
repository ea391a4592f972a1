"""Alertmanager: where does each severity go, and are the pager/chat receivers really wired.

The live configuration comes from ``GET /api/v2/status`` (``config.original``: the YAML Alertmanager
runs, with secrets replaced by ``<secret>``).  The route tree is walked with Alertmanager's own
semantics (``dispatch/route.go``): a route matches when all its matchers match; children are tried
in order, the first match wins unless it has ``continue: true``; when no child matches the route
itself handles the alert; receivers are inherited.

Secret values (SMTP passwords, webhook URLs, routing keys) never leave this module: a key is
reported as ``set``, ``masked``, ``file``, ``placeholder`` or ``missing``.  Because the API masks
them, telling a placeholder from a real key needs the config file itself (``config_file``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pytest_readiness import safe_yaml
from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes import transport
from pytest_readiness.probes.observability.json_api import require

__all__ = [
    "AlertmanagerConfig",
    "Route",
    "assess_integration",
    "assess_routing",
    "fetch_live_config",
    "key_status",
    "load_config_file",
    "parse_config",
]

MASKED = "<secret>"
_PLACEHOLDER = re.compile(
    r"^<[^>]*>$|change[-_ ]?me|placeholder|example\.(com|org|net)|your[-_ ]|x{4,}|todo|replace[-_ ]?me|dummy"
    r"|insert[-_ ]|^0+$|/T0{6,}/",
    re.I,
)
_MATCHER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$")


@dataclass(frozen=True)
class Matcher:
    """``name op value`` of Alertmanager (regexes are anchored, a missing label is ``""``)."""

    name: str
    op: str
    value: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.name, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        hit = re.fullmatch(self.value, actual) is not None
        return hit if self.op == "=~" else not hit


@dataclass(frozen=True)
class Route:
    """A node of the routing tree with its (inherited) receiver."""

    receiver: str
    matchers: tuple[Matcher, ...] = ()
    cont: bool = False
    routes: tuple[Route, ...] = ()

    def match(self, labels: Mapping[str, str], root: bool = True) -> list[Route]:
        """The routes handling ``labels`` (``Route.Match`` of Alertmanager)."""
        if not root and not all(m.matches(labels) for m in self.matchers):
            return []
        found: list[Route] = []
        for child in self.routes:
            hits = child.match(labels, root=False)
            found.extend(hits)
            if hits and not child.cont:
                break
        return found or [self]

    def walk(self) -> Iterator[Route]:
        yield self
        for child in self.routes:
            yield from child.walk()


@dataclass(frozen=True)
class AlertmanagerConfig:
    """The parts of an Alertmanager config the checks need; ``source`` is ``live`` or a file name."""

    route: Route
    receivers: Mapping[str, Mapping[str, Any]]
    global_: Mapping[str, Any] = field(default_factory=dict)
    source: str = "live"

    def receivers_for(self, labels: Mapping[str, str]) -> list[str]:
        return list(dict.fromkeys(r.receiver for r in self.route.match(labels)))

    def integrations(self, receiver: str) -> list[str]:
        """Kinds of notifier a receiver has (``pagerduty``, ``slack``, ``email``...): none = blackhole."""
        spec = self.receivers.get(receiver) or {}
        return sorted(k[: -len("_configs")] for k, v in spec.items() if k.endswith("_configs") and v)


def _parse_matcher(text: str) -> Matcher:
    m = _MATCHER.match(text)
    if not m:
        raise ProbeError(f"Alertmanager config: cannot parse matcher {text!r}")
    value = m.group(3)
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return Matcher(m.group(1), m.group(2), value)


def _route(spec: Mapping[str, Any], parent_receiver: str) -> Route:
    receiver = str(spec.get("receiver") or parent_receiver)
    matchers: list[Matcher] = [_parse_matcher(str(t)) for t in spec.get("matchers") or []]
    matchers += [Matcher(str(k), "=", str(v)) for k, v in (spec.get("match") or {}).items()]
    matchers += [Matcher(str(k), "=~", str(v)) for k, v in (spec.get("match_re") or {}).items()]
    children = tuple(_route(c, receiver) for c in spec.get("routes") or [])
    return Route(receiver, tuple(matchers), bool(spec.get("continue", False)), children)


def parse_config(text: str, source: str = "live") -> AlertmanagerConfig:
    """Parse Alertmanager YAML (``config.original`` or a file)."""
    try:
        doc = safe_yaml.load(text, f"Alertmanager config ({source})")
    except yaml.YAMLError:
        raise ProbeError(f"Alertmanager config ({source}): not valid YAML") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("route"), dict):
        raise ProbeError(f"Alertmanager config ({source}): no route tree")
    receivers = {str(r.get("name")): dict(r) for r in doc.get("receivers") or [] if isinstance(r, dict)}
    return AlertmanagerConfig(
        route=_route(doc["route"], ""),
        receivers=receivers,
        global_=dict(doc.get("global") or {}),
        source=source,
    )


def fetch_live_config(url: str, *, timeout: float = 10.0, verify: bool | str = True) -> AlertmanagerConfig:
    """``GET /api/v2/status`` and parse ``config.original``."""
    endpoint = url.rstrip("/") + "/api/v2/status"
    try:
        with transport.new_session(verify=verify) as http:
            resp = transport.fetch(
                http, "GET", endpoint, timeout=timeout, headers={"Accept": "application/json"}
            )
    except transport.TransportError as exc:
        raise ProbeError(f"Alertmanager {endpoint}: {transport.describe(exc)}") from None
    if resp.status_code != 200:
        raise ProbeError(f"Alertmanager {endpoint}: HTTP {resp.status_code}")
    try:
        body = resp.json()
    except ValueError:
        raise ProbeError(f"Alertmanager {endpoint}: answer is not JSON") from None
    return parse_config(require(body, "config.original", str, f"Alertmanager {endpoint}"), "live")


def load_config_file(path: Path) -> AlertmanagerConfig:
    """The deployed config file (read-only): the only place where placeholders can be told apart."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProbeError(f"Alertmanager config file {path}: {exc.strerror}") from None
    return parse_config(text, path.name)


# ---------------------------------------------------------------------------------------- rules


def assess_routing(config: AlertmanagerConfig, severities: Sequence[str]) -> Assessment:
    """Each severity reaches a defined receiver that notifies someone; no route names an unknown receiver."""
    findings = []
    for sev in severities:
        receivers = config.receivers_for({"severity": sev})
        bad = [r for r in receivers if r not in config.receivers or not config.integrations(r)]
        findings.append(
            Finding(
                f"severity={sev}",
                {r: config.integrations(r) if r in config.receivers else "undefined" for r in receivers},
                "a defined receiver with at least one integration",
                bool(receivers) and not bad,
                "; ".join(
                    f"receiver {r} is undefined"
                    if r not in config.receivers
                    else f"receiver {r} has no integration"
                    for r in bad
                ),
            )
        )
    referenced = sorted({r.receiver for r in config.route.walk()})
    undefined = [r for r in referenced if r not in config.receivers]
    findings.append(
        Finding(
            "route tree receivers",
            {"referenced": referenced, "undefined": undefined},
            "every referenced receiver is defined",
            not undefined,
        )
    )
    return Assessment.of(f"alert routing ({config.source})", findings)


def key_status(value: Any, file_value: Any = None) -> str:
    """``set`` | ``masked`` | ``file`` | ``placeholder`` | ``missing`` — never the value itself."""
    if file_value:
        return "file"
    if value is None or str(value).strip() == "":
        return "missing"
    text = str(value).strip()
    if text == MASKED:
        return "masked"
    return "placeholder" if _PLACEHOLDER.search(text) else "set"


#: integration -> (key fields, global fallback field) in the order Alertmanager prefers them.
_KEYS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "pagerduty": (("routing_key", "service_key"), None),
    "slack": (("api_url",), "slack_api_url"),
}


def assess_integration(config: AlertmanagerConfig, kind: str) -> Assessment:
    """Receivers of ``kind`` (``pagerduty``/``slack``) exist, are routed to and hold a real key.

    Delivery itself is not tested here (that stays an attestation); a placeholder such as
    ``<team-X-key>`` or a ``XXXX`` webhook fails.  A value masked by the API passes with a note.
    """
    fields, global_field = _KEYS[kind]
    routed = {r.receiver for r in config.route.walk()}
    findings = []
    for name, spec in config.receivers.items():
        for i, item in enumerate(spec.get(f"{kind}_configs") or []):
            item = item or {}
            statuses = [
                key_status(item.get(f), item.get(f + "_file"))
                for f in fields
                if f in item or f + "_file" in item
            ]
            if not statuses and global_field:
                statuses = [
                    key_status(config.global_.get(global_field), config.global_.get(global_field + "_file"))
                ]
            status = next((s for s in statuses if s != "missing"), "missing")
            good = status in ("set", "file", "masked")
            notes = []
            if status == "masked":
                notes.append(
                    "value hidden by Alertmanager; set [alertmanager] config_file to detect placeholders"
                )
            elif not good:
                notes.append(f"key is {status}")
            if name not in routed:
                notes.append("no route sends alerts to this receiver")
            findings.append(
                Finding(
                    f"receiver {name} {kind}_configs[{i}]",
                    {"key": status, "routed": name in routed},
                    {"key": "set", "routed": True},
                    good and name in routed,
                    "; ".join(notes),
                )
            )
    return Assessment.of(f"{kind} receivers ({config.source})", findings, empty_ok=False)
