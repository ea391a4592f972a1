"""Log rotation configured: every service log is covered by a logrotate stanza."""

from __future__ import annotations

import fnmatch
import shlex
from dataclasses import dataclass

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.probes.hosts.connect import HostHandle, gatherer

DEFAULT_DIR = "/etc/logrotate.d"
MAIN_CONF = "/etc/logrotate.conf"


@dataclass(frozen=True)
class LogrotateFacts:
    host: str
    patterns: dict[str, list[str]]  # config file -> the log paths/globs its stanzas name


def parse_stanza_paths(text: str) -> list[str]:
    """The paths before each ``{`` at the top level of a logrotate configuration."""
    paths: list[str] = []
    pending: list[str] = []
    depth = 0
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if depth == 0:
            head = line.partition("{")[0]
            try:
                words = shlex.split(head)
            except ValueError:
                words = head.split()
            if "{" in line:
                paths += [w for w in pending + words if w.startswith("/")]
                pending = []
            elif words and all(w.startswith("/") for w in words):
                pending += words
            else:
                pending = []  # a global directive, not a path
        depth = max(0, depth + line.count("{") - line.count("}"))
    return paths


@gatherer
def gather_logrotate(h: HostHandle, conf_dir: str | None = None) -> LogrotateFacts:
    """``host.file``: every file of ``conf_dir``; for the system's folder (the default) also its main file."""
    conf_dir = conf_dir or DEFAULT_DIR
    files = [MAIN_CONF] if conf_dir == DEFAULT_DIR else []
    folder = h.host.file(conf_dir)
    if folder.is_directory:
        files += [f"{conf_dir.rstrip('/')}/{name}" for name in sorted(folder.listdir())]
    patterns = {}
    for path in files:
        f = h.host.file(path)
        if f.is_file:
            patterns[path] = parse_stanza_paths(f.content_string)
    return LogrotateFacts(h.target.label, patterns)


def assess_logrotate(facts: LogrotateFacts, log_files: list[str]) -> Assessment:
    findings = []
    for log in log_files:
        covered = sorted(
            conf for conf, pats in facts.patterns.items() if any(fnmatch.fnmatch(log, p) for p in pats)
        )
        findings.append(
            Finding(
                f"{facts.host} {log}", covered or "no logrotate stanza", "a logrotate stanza", bool(covered)
            )
        )
    return Assessment.of("log rotation", findings, empty_ok=False)
