"""A throw-away OpenSSH server on a loopback port, logging in one unprivileged user by key only.

sshd runs *as that user* (not root): an sshd without root cannot switch users, so it can only log in
the account it runs as, needs no privilege separation, PAM or changes to /etc, and a bug in a test
can never hand out a root shell.  When the tests run as root the account is ``user`` (default
``postgres``, which the launcher already runs PostgreSQL as and which has a login shell); otherwise it
is the invoking user.  Host key, client key (optionally passphrase-protected), a second key that is
*not* authorised, config and logs live in the service's own temp folder, removed on stop.
"""

from __future__ import annotations

import os
import pwd
import socket
import subprocess
from pathlib import Path
from typing import Unpack

from pytest_readiness.launcher.base import SSHD, LauncherError, Service, ServicePath, Timeouts

__all__ = ["SshServer"]


def _keygen(path: Path, passphrase: str = "") -> None:
    try:
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "readiness-test", "-f", str(path)],
            check=True, capture_output=True, timeout=30,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        raise LauncherError(f"ssh-keygen failed for {path.name}: {type(exc).__name__}") from None


class SshServer(Service):
    """``/usr/sbin/sshd -D -e`` on 127.0.0.1:<free port>; log in as :attr:`user` with :attr:`client_key`.

    ``passphrase`` encrypts the client key (tests of secret redaction); ``ssh_config_path`` holds
    ``Host`` aliases (:meth:`write_ssh_config`) so many targets can name the same server.
    """

    name = "sshd"
    binary_spec = SSHD
    start_timeout = 30.0
    stop_timeout = 10.0
    host_key = ServicePath("ssh_host_ed25519_key", "The server's host key.")
    client_key = ServicePath(
        "client_ed25519", "The authorised private key (encrypted with ``passphrase`` when one was given)."
    )
    wrong_key = ServicePath("wrong_ed25519", "A valid key the server does not authorise: a refused login.")
    ssh_config_path = ServicePath("ssh_config", "Client config with the aliases of :meth:`write_ssh_config`.")

    def __init__(self, user: str = "postgres", passphrase: str = "", **timeouts: Unpack[Timeouts]) -> None:
        super().__init__(**timeouts)
        as_root = os.geteuid() == 0
        self.user = user if as_root else pwd.getpwuid(os.geteuid()).pw_name
        self.run_as = self.user if as_root else None  # type: ignore[misc]  # per instance
        self.passphrase = passphrase

    def spec(self, scheme: str = "ssh") -> str:
        """``ssh://user@127.0.0.1:port``: a testinfra spec reaching this server."""
        return self.url_for(scheme, user=self.user)

    def prepare(self) -> None:
        _keygen(self.host_key)
        _keygen(self.client_key, self.passphrase)
        _keygen(self.wrong_key)
        (self.dir / "authorized_keys").write_text(self.client_key.with_suffix(".pub").read_text())
        config = [
            f"Port {self.port}",
            f"ListenAddress {self.host}",
            f"HostKey {self.host_key}",
            f"PidFile {self.dir / 'sshd.pid'}",
            f"AuthorizedKeysFile {self.dir / 'authorized_keys'}",
            f"AllowUsers {self.user}",
            "StrictModes no",  # the temp folder's owner is checked, not ~/.ssh
            "UsePAM no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes",
            "PermitRootLogin no",
            "MaxStartups 200:30:400",  # the many-hosts benchmark opens 50 connections at once
            "MaxSessions 200",
            "LogLevel VERBOSE",
        ]
        (self.dir / "sshd_config").write_text("\n".join(config) + "\n")
        self.write_ssh_config([])

    def write_ssh_config(self, aliases: list[str]) -> Path:
        """An ssh_config where each alias reaches this server as :attr:`user` (HostName 127.0.0.1)."""
        blocks = [
            f"Host {alias}\n  HostName {self.host}\n  Port {self.port}\n  User {self.user}\n"
            f"  IdentityFile {self.client_key}\n"
            for alias in aliases
        ]
        self.ssh_config_path.write_text("\n".join(blocks))
        return self.ssh_config_path

    def command(self) -> list[str]:
        return [self.binary, "-D", "-e", "-f", str(self.dir / "sshd_config")]

    def is_ready(self) -> bool:
        """The SSH banner is served."""
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5) as sock:
                return sock.recv(64).startswith(b"SSH-2.0-")
        except OSError:
            return False
