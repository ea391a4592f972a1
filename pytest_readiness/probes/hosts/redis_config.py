"""redis.conf on the host agrees with the live CONFIG (persistence, eviction): a restart changes nothing.

A ``CONFIG SET`` that never reached the file is lost at the next restart; a file edited but never
reloaded is not what runs.  Only directives the file sets are compared (an absent one is Redis'
default, which the live checks judge).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.probes.hosts.connect import HostHandle, gatherer

COMPARED = ("appendonly", "appendfsync", "save", "maxmemory", "maxmemory-policy")
_UNITS = {"k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2, "g": 1000**3, "gb": 1024**3}


@dataclass(frozen=True)
class RedisConfFacts:
    subject: str
    directives: dict[str, str]  # the compared directives the file sets, normalised like CONFIG GET


def parse_redis_conf(text: str) -> dict[str, str]:
    """The last value of each compared directive; ``save`` lines accumulate as CONFIG GET shows them."""
    out: dict[str, str] = {}
    saves: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            parts = shlex.split(line)
        except ValueError:
            continue
        key, args = parts[0].lower(), parts[1:]
        if key == "save":
            saves = [] if (not args or args == [""]) else (saves or []) + [" ".join(args)]
        elif key in COMPARED and args:
            out[key] = args[0].lower()
    if saves is not None:
        out["save"] = " ".join(saves)
    if "maxmemory" in out:
        out["maxmemory"] = str(_bytes(out["maxmemory"]))
    return out


def _bytes(value: str) -> int | str:
    match = re.fullmatch(r"(\d+)([a-z]*)", value)
    if not match or (match.group(2) and match.group(2) not in _UNITS):
        return value
    return int(match.group(1)) * _UNITS.get(match.group(2), 1)


@gatherer
def gather_redis_conf(h: HostHandle, path: str) -> RedisConfFacts | None:
    """``host.file(path).content_string``; None when the file is not there."""
    f = h.host.file(path)
    if not f.is_file:
        return None
    return RedisConfFacts(h.subject(path), parse_redis_conf(f.content_string))


def assess_redis_conf(facts: RedisConfFacts | None, live: dict[str, str] | None, subject: str) -> Assessment:
    if facts is None:
        return Assessment.single("redis.conf vs live", subject, "missing", "the configuration file", False)
    if live is None:
        return Assessment.single(
            "redis.conf vs live",
            facts.subject,
            "CONFIG GET refused",
            "live CONFIG",
            False,
            "the live configuration could not be read",
        )
    findings = [
        Finding(
            f"{facts.subject} {key}",
            {"file": value, "live": live.get(key)},
            "equal",
            str(live.get(key, "")).lower() == value,
            ""
            if str(live.get(key, "")).lower() == value
            else "CONFIG SET not persisted, or file not reloaded",
        )
        for key, value in sorted(facts.directives.items())
    ]
    return Assessment.of("redis.conf vs live", findings)
