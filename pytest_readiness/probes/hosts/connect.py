"""testinfra connections, one per target, opened on first use and kept (with their failure) per process.

``ssh://`` and ``paramiko://`` go through paramiko (one persistent connection per host, a connect,
banner and auth timeout, a key passphrase, a sudo password fed on stdin, never on a command line);
every other scheme is testinfra's own backend (local, docker, podman, kubectl, ansible...).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import paramiko
import testinfra.backend
from testinfra.backend.base import BaseBackend
from testinfra.backend.paramiko import ParamikoBackend
from testinfra.host import Host

from pytest_readiness import redact
from pytest_readiness.errors import ProbeError
from pytest_readiness.hosts_config import Target

__all__ = ["HostHandle", "HostPool", "gatherer", "open_host"]

P = ParamSpec("P")
R = TypeVar("R")


class _Paramiko(ParamikoBackend):  # type: ignore[misc]  # testinfra imports paramiko untyped
    """testinfra's paramiko backend plus a key passphrase, bounded waits and ``sudo -S``."""

    def __init__(
        self, hostspec: str, *, passphrase: str | None = None, sudo_password: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(hostspec, **kwargs)
        self._passphrase = passphrase
        self._sudo_password = sudo_password

    @property
    def client(self) -> paramiko.SSHClient:
        cached: paramiko.SSHClient | Exception | None = self.__dict__.get("_client")
        if isinstance(cached, Exception):
            raise cached  # testinfra's run() retries once on SSHException: do not wait twice
        if cached is not None:
            return cached
        client = paramiko.SSHClient()
        client.load_system_host_keys()  # ~/.ssh/known_hosts: a changed host key is an error
        client.set_missing_host_key_policy(paramiko.WarningPolicy())  # unknown: testinfra's default
        cfg: dict[str, Any] = {
            "hostname": self.host.name,
            "port": int(self.host.port) if self.host.port else 22,
            "username": self.host.user,
            "timeout": self.timeout,
            "banner_timeout": self.timeout,
            "auth_timeout": self.timeout,
            "channel_timeout": self.timeout,
            "password": self.host.password,
            "passphrase": self._passphrase,
        }
        config_path = self.ssh_config or os.path.expanduser("~/.ssh/config")
        if os.path.isfile(config_path):
            with open(config_path, encoding="utf-8") as handle:
                parsed = paramiko.SSHConfig()
                parsed.parse(handle)
            self._load_ssh_config(client, cfg, parsed, os.path.dirname(config_path))
        if self.ssh_identity_file:
            cfg["key_filename"] = self.ssh_identity_file
        if cfg.get("key_filename"):
            cfg["look_for_keys"] = False  # a refused key must not fall back to ~/.ssh/id_*
        try:
            client.connect(**cfg)
        except Exception as exc:
            self.__dict__["_client"] = exc
            raise
        self.__dict__["_client"] = client
        return client

    @client.deleter
    def client(self) -> None:
        self.__dict__.pop("_client", None)

    def get_sudo_command(self, command: str, sudo_user: str | None) -> str:
        if self._sudo_password is None:
            return str(super().get_sudo_command(command, sudo_user))
        if sudo_user is None:
            return str(self.quote("sudo -S -p '' /bin/sh -c %s", command))
        return str(self.quote("sudo -S -p '' -u %s /bin/sh -c %s", sudo_user, command))

    def _exec_command(self, command: bytes) -> tuple[int, bytes, bytes]:
        transport = self.client.get_transport()
        assert transport is not None
        chan = transport.open_session(timeout=self.timeout)
        chan.settimeout(self.timeout * 3)  # a hung command is an error, not a hung run
        if self.get_pty:
            chan.get_pty()
        chan.exec_command(command)
        if self.sudo and self._sudo_password is not None:
            chan.sendall((self._sudo_password + "\n").encode())
        chan.shutdown_write()
        stdout = b"".join(chan.makefile("rb"))
        stderr = b"".join(chan.makefile_stderr("rb"))
        return chan.recv_exit_status(), stdout, stderr

    def close(self) -> None:
        cached = self.__dict__.get("_client")
        if isinstance(cached, paramiko.SSHClient):
            cached.close()


def _backend(target: Target, timeout: float) -> BaseBackend:
    host, kw = testinfra.backend.parse_hostspec(target.spec)
    for key in ("ssh_config", "ssh_identity_file", "sudo", "sudo_user"):
        if target.get(key) is not None:
            kw.setdefault(key, target.get(key))
    own = target.get("timeout_s")
    kw.setdefault("timeout", int(max(1, round(float(timeout if own is None else own)))))
    connection = kw.pop("connection", "paramiko")
    if connection in ("ssh", "paramiko"):
        return _Paramiko(
            host, passphrase=target.get("ssh_key_passphrase"), sudo_password=target.get("sudo_password"), **kw
        )
    klass = testinfra.backend.get_backend_class(connection)
    return klass(**kw) if connection == "local" else klass(host, **kw)


def open_host(target: Target, timeout: float) -> Host:
    """A connected testinfra Host, or ProbeError naming the host and why (never a secret)."""
    try:
        host = Host(_backend(target, timeout))
        host.system_info.type  # noqa: B018 - the first round trip: connect, authenticate, run
    except (TimeoutError, paramiko.SSHException, OSError, RuntimeError, AssertionError) as exc:
        raise ProbeError(
            redact.redact(f"{target.label}: cannot connect: {type(exc).__name__}: {exc}")
        ) from None
    return host


@dataclass
class HostHandle:
    """A connected host and the target it came from; ``subject(x)`` names the host in a finding."""

    target: Target
    host: Host

    def subject(self, what: str) -> str:
        return f"{self.target.label} {what}"


class HostPool:
    """One connection per target spec in this process; a failed connection is remembered, not retried."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._hosts: dict[str, Host | ProbeError] = {}

    def connect(self, target: Target) -> HostHandle:
        key = target.spec + repr(sorted((k, str(v)) for k, v in target.settings.items()))
        if key not in self._hosts:
            try:
                self._hosts[key] = open_host(target, self.timeout)
            except ProbeError as exc:
                self._hosts[key] = exc
        found = self._hosts[key]
        if isinstance(found, ProbeError):
            raise ProbeError(str(found))
        return HostHandle(target, found)

    def close(self) -> None:
        for host in self._hosts.values():
            if isinstance(host, Host) and isinstance(host.backend, _Paramiko):
                host.backend.close()
        self._hosts.clear()


def gatherer(fn: Callable[P, R]) -> Callable[P, R]:
    """Probe errors stay errors: testinfra asserts on unexpected exit codes, which must not read as ``fail``.

    The first argument of a gatherer is the :class:`HostHandle`; it names the host in the message.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (AssertionError, paramiko.SSHException, OSError, RuntimeError) as exc:
            label = args[0].target.label if args and isinstance(args[0], HostHandle) else "host"
            text = " ".join(str(exc).split())[:300]
            raise ProbeError(redact.redact(f"{label}: {fn.__name__}: {type(exc).__name__}: {text}")) from None

    return wrapper
