"""``[hosts]``: named groups of testinfra connection specs with a role, validated before any probe.

::

    [hosts]
    ssh_identity_file = "~/.ssh/deploy"          # defaults for every group
    app   = { targets = ["ssh://deploy@app-1"], role = "app", env_file = "/srv/app/.env.production" }
    cache = { targets = ["ssh://admin@redis-1"], role = "redis" }
    inventory = "ansible/hosts.ini"              # Ansible groups become groups, the group name the role

No testinfra import here: the environment file is validated for every run, probes or not.  A
malformed spec is a :class:`ConfigError` naming ``hosts.<group>.targets[i]`` (exit 4).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_readiness import redact
from pytest_readiness.env_schema import Key
from pytest_readiness.errors import ConfigError

#: testinfra's backends (``testinfra.backend.BACKENDS``); ``ssh://`` is served by paramiko here.
SCHEMES = frozenset(
    {"local", "ssh", "paramiko", "safe-ssh", "docker", "podman", "kubectl", "ansible", "winrm",
     "lxc", "openshift", "chroot", "salt"}
)  # fmt: skip
#: Query keys testinfra's ``parse_hostspec`` understands.
QUERY_KEYS = frozenset(
    {"sudo", "ssl", "no_ssl", "no_verify_ssl", "force_ansible", "sudo_user", "namespace", "container",
     "read_timeout_sec", "operation_timeout_sec", "timeout", "controlpersist", "kubeconfig", "context",
     "ssh_config", "ansible_inventory", "ssh_identity_file"}
)  # fmt: skip
#: Connection settings: at the top of ``[hosts]`` (defaults) or in a group. Kind as in env_schema.
CONNECTION_KEYS: dict[str, str] = {
    "ssh_config": "path",
    "ssh_identity_file": "path",
    "ssh_key_passphrase": "secret",
    "sudo": "bool",
    "sudo_user": "str",
    "sudo_password": "secret",
    "timeout_s": "float",
}
#: What the checks read on a group's hosts (all optional; a check without its key is not configured).
#: Defaults that depend on the role (services, ports) or on the host's layout (logrotate's folders,
#: time daemons) are the probes'; constant ones are here, read through :meth:`Target.get`.
CHECK_KEYS: dict[str, Key] = {
    "services": Key("list", "service names; default by role (redis-server, postgres, pgbouncer, nginx)"),
    "env_file": Key("str", "production env file on the host"),
    "service_user": Key("str", "owner of env_file; default: the user the connection logs in as"),
    "ports": Key("list", "listening ports judged for exposure; default by role"),
    "public_listeners": Key("list", "addresses allowed to listen beyond loopback/private ranges"),
    "redis_conf": Key("str", "redis.conf on the host"),
    "redis_url": Key("secret", "live instance to compare with (default [redis] url)"),
    "data_directory": Key("str", "PostgreSQL data directory"),
    "min_free_percent": Key("float", "free space the PostgreSQL data disk keeps", default=20.0),
    "wal_archive_dir": Key("str", "WAL archive directory"),
    "tls_certs": Key("list", "certificate files (PEM) on the host"),
    "tls_endpoint": Key("str", "host:port serving them"),
    "pip": Key("str", "pip of the app's environment in the image, e.g. /app/.venv/bin/pip"),
    "production_packages": Key("list", "the production set; default parsed from [repo]"),
    "process": Key("str", "the app process's command name (comm), e.g. gunicorn"),
    "log_files": Key("list", "service logs that logrotate must cover"),
    "logrotate_dir": Key("str", "default: the system's /etc/logrotate.conf and /etc/logrotate.d"),
    "time_daemons": Key("list", "default chronyd, systemd-timesyncd, ntpd, openntpd"),
}
GROUP_KEYS = {
    "targets": "list",
    "role": "str",
    **CONNECTION_KEYS,
    **{k: v.kind for k, v in CHECK_KEYS.items()},
}
_ROLE = re.compile(r"[A-Za-z0-9_.\-]+")


@dataclass(frozen=True)
class Target:
    """One host (or container) of a group: its testinfra spec, role and settings."""

    group: str
    role: str
    spec: str
    settings: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def label(self) -> str:
        """The spec without credentials or options: names the host (and container) in every finding."""
        url = urllib.parse.urlsplit(self.spec)
        if url.scheme == "local":
            return "local"
        netloc = url.hostname or url.netloc.rsplit("@", 1)[-1]
        if url.username:
            netloc = f"{url.username}@{netloc}"
        if url.port:
            netloc = f"{netloc}:{url.port}"
        query = urllib.parse.parse_qs(url.query)
        container = query.get("container", [""])[0]
        namespace = query.get("namespace", [""])[0]
        where = f"{url.scheme}://{namespace + '/' if namespace else ''}{netloc}"
        return f"{where}[{container}]" if container else where

    @property
    def test_id(self) -> str:
        """``group:label`` without the login user: an "@" in a node id reads as xdist's group suffix."""
        return f"{self.group}:{re.sub(r'//[^@/]*@', '//', self.label)}"

    def get(self, key: str) -> Any:
        """The group's setting, else the schema's default (None when the key has none)."""
        spec = CHECK_KEYS.get(key)
        return self.settings.get(key, spec.default if spec is not None else None)


def validate(section: Mapping[str, Any], shown: str, root: Path) -> list[Target]:
    """Every target of ``[hosts]`` (groups, then the inventory's); registers the secrets met."""
    defaults = {k: v for k, v in section.items() if k in CONNECTION_KEYS}
    out: list[Target] = []
    for name, group in section.items():
        if name in CONNECTION_KEYS or name == "inventory":
            continue
        if not isinstance(group, dict):
            raise ConfigError(
                shown, f"hosts.{name}", 'a group must be a table {targets = [...], role = "..."}'
            )
        out += _group(name, group, defaults, shown, root)
    inventory = section.get("inventory")
    if inventory:
        out += _inventory(
            Path(inventory) if Path(inventory).is_absolute() else root / inventory, defaults, shown
        )
    _register_secrets(out)
    return out


def _group(
    name: str, group: Mapping[str, Any], defaults: Mapping[str, Any], shown: str, root: Path
) -> list[Target]:
    for key, value in group.items():
        kind = GROUP_KEYS.get(key)
        if kind is None:
            raise ConfigError(
                shown, f"hosts.{name}.{key}", f"unknown key (known: {', '.join(sorted(GROUP_KEYS))})"
            )
        if not _type_ok(kind, value):
            raise ConfigError(shown, f"hosts.{name}.{key}", f"expected {_KIND_NAMES.get(kind, 'a ' + kind)}")
    targets = group.get("targets")
    if not targets:
        raise ConfigError(
            shown, f"hosts.{name}.targets", 'required: a list of testinfra specs, e.g. ["ssh://deploy@app-1"]'
        )
    role = group.get("role", name)
    if not _ROLE.fullmatch(role):
        raise ConfigError(shown, f"hosts.{name}.role", f"invalid role {role!r}")
    settings = {**defaults, **{k: v for k, v in group.items() if k not in ("targets", "role")}}
    for key in ("ssh_config", "ssh_identity_file"):
        if settings.get(key):
            path = Path(str(settings[key])).expanduser()
            settings[key] = str(path if path.is_absolute() else (root / path).resolve())
    for i, spec in enumerate(targets):
        check_spec(spec, shown, f"hosts.{name}.targets[{i}]")
    return [Target(name, role, spec, settings) for spec in targets]


_KIND_NAMES = {"list": "a list", "secret": "a string", "path": "a string (path)", "float": "a number"}


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "list":
        return isinstance(value, list) and all(
            isinstance(v, str | int) and not isinstance(v, bool) for v in value
        )
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "float":
        return isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    return isinstance(value, str)


def check_spec(spec: Any, shown: str, key: str) -> None:
    """A testinfra connection spec ``scheme://[user@]host[:port][?opt=v]``, or a ConfigError."""
    if not isinstance(spec, str) or "://" not in spec:
        raise ConfigError(shown, key, 'expected a testinfra spec like "ssh://user@host" or "local://"')
    url = urllib.parse.urlsplit(spec)
    if url.scheme not in SCHEMES:
        raise ConfigError(shown, key, f"unknown backend {url.scheme!r} (known: {', '.join(sorted(SCHEMES))})")
    if url.scheme != "local" and not url.netloc:
        raise ConfigError(shown, key, f"{url.scheme}:// needs a host, e.g. {url.scheme}://name")
    try:
        url.port  # noqa: B018 - validates the port
    except ValueError:
        raise ConfigError(shown, key, "invalid port") from None
    query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    unknown = sorted(set(query) - QUERY_KEYS)
    if unknown:
        raise ConfigError(
            shown, key, f"unknown option {unknown[0]!r} (known: {', '.join(sorted(QUERY_KEYS))})"
        )
    if "timeout" in query and not query["timeout"][0].isdigit():
        raise ConfigError(shown, key, "timeout must be whole seconds")


def _inventory(path: Path, defaults: Mapping[str, Any], shown: str) -> list[Target]:
    """An Ansible INI inventory: each ``[group]`` of hosts becomes a group whose role is its name."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(shown, "hosts.inventory", f"cannot read {path}: {exc.strerror}") from None
    out: list[Target] = []
    group: str | None = None
    for raw in lines:
        line = raw.split("#", 1)[0].split(";", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                raise ConfigError(shown, "hosts.inventory", f"{path.name}: malformed group line {line!r}")
            name = line[1:-1]
            group = None if ":" in name else name  # [g:vars] / [g:children] hold no hosts
            continue
        if group is not None:
            host = line.split()[0]
            out.append(Target(group, group, f"ansible://{host}?ansible_inventory={path}", dict(defaults)))
    if not out:
        raise ConfigError(shown, "hosts.inventory", f"{path.name}: no host in any group")
    return out


def _register_secrets(targets: list[Target]) -> None:
    found: set[str] = set()
    for target in targets:
        found.update(redact.secrets_in_url(target.spec))
        for key in ("ssh_key_passphrase", "sudo_password", "redis_url"):
            value = target.get(key)
            if isinstance(value, str) and value:
                found.add(value)
                found.update(redact.secrets_in_url(value))
    redact.register(found)


def targets(section: Mapping[str, Any], root: Path) -> list[Target]:
    """The targets of an already validated ``[hosts]`` section (no ConfigError expected)."""
    return validate(section, "[hosts]", root)
