"""The production env file on the host: present, mode 600 or stricter, owned by the service user."""

from __future__ import annotations

from dataclasses import dataclass

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.probes.hosts.connect import HostHandle, gatherer
from pytest_readiness.probes.repo.secrets import private_mode


@dataclass(frozen=True)
class EnvFileFacts:
    subject: str
    exists: bool
    mode: int | None = None
    owner: str | None = None
    login_user: str = ""


@gatherer
def gather_env_file(h: HostHandle, path: str) -> EnvFileFacts:
    """``host.file``: one stat; the login user is the default owner (the service's own account)."""
    f = h.host.file(path)
    login = h.host.user().name
    if not f.is_file:
        return EnvFileFacts(h.subject(path), False, login_user=login)
    return EnvFileFacts(h.subject(path), True, f.mode, f.user, login)


def assess_env_file(facts: EnvFileFacts, service_user: str | None = None) -> Assessment:
    owner = service_user or facts.login_user
    if not facts.exists:
        return Assessment.single("host env file", facts.subject, "missing", "a regular file", False)
    mode = facts.mode or 0
    return Assessment.of(
        "host env file",
        [
            private_mode(f"{facts.subject} mode", mode),
            Finding(f"{facts.subject} owner", facts.owner, owner, facts.owner == owner),
        ],
    )
