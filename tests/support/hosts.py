"""Real targets for the host checks: this machine (``local://``) and a loopback OpenSSH server.

sshd runs as the unprivileged ``postgres`` account (see ``launcher/sshd.py``), so files the SSH
target must see live in a world-traversable folder (``shared``), owned by whoever must own them.
Stand-in "services" are copies of ``sleep`` under a unique name: other test sessions on this machine
start redis/postgres too, so a stopped *real* service name could still be running elsewhere.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pytest_readiness.hosts_config import Target
from pytest_readiness.launcher.sshd import SshServer

#: A key passphrase that must never appear in any output.

CANARY = "Canary-passphrase-7f3e9a1c5b"


def give(path: Path, user: str) -> None:
    """chown ``path`` to ``user`` (we run as root in CI; no-op otherwise)."""
    if os.geteuid() == 0:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def ssh_target(server: SshServer, role: str = "app", **settings: object) -> Target:
    return Target("ssh", role, server.spec(), {"ssh_identity_file": str(server.client_key), **settings})


@dataclass
class StandIn:
    """A running stand-in service process named ``name``."""

    name: str
    proc: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)


PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable


def make_venv(path: Path, dev: bool) -> Path:
    """Fill a venv standing in for the image; ``dev`` adds a pytest distribution (what pip lists)."""
    site = next(path.glob("lib/python*/site-packages"))
    for name, version in (("requests", "2.32.3"),) + ((("pytest", "8.3.2"),) if dev else ()):
        info = site / f"{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        (info / "INSTALLER").write_text("pip\n")
        (info / "RECORD").write_text("")
    subprocess.run(["chmod", "-R", "a+rX", str(path)], check=True)
    return path / "bin" / "pip"
