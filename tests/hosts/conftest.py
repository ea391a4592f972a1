"""Real targets for the host checks: this machine (``local://``) and a loopback OpenSSH server.

sshd runs as the unprivileged ``postgres`` account (see ``launcher/sshd.py``), so files the SSH
target must see live in a world-traversable folder (``shared``), owned by whoever must own them.
Stand-in "services" are copies of ``sleep`` under a unique name: other test sessions on this machine
start redis/postgres too, so a stopped *real* service name could still be running elsewhere.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_readiness.hosts_config import Target
from pytest_readiness.launcher.sshd import SshServer
from pytest_readiness.probes.hosts.connect import HostHandle, HostPool

#: A key passphrase that must never appear in any output.
CANARY = "Canary-passphrase-7f3e9a1c5b"


@pytest.fixture(scope="session")
def sshd(sshd_factory) -> SshServer:
    return sshd_factory()


@pytest.fixture(scope="session")
def shared() -> Iterator[Path]:
    """A folder both this process and the SSH login user can read (mode 755)."""
    path = Path(tempfile.mkdtemp(prefix="readiness-hosts-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def give(path: Path, user: str) -> None:
    """chown ``path`` to ``user`` (we run as root in CI; no-op otherwise)."""
    if os.geteuid() == 0:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


@pytest.fixture(scope="session")
def pool() -> Iterator[HostPool]:
    p = HostPool(timeout=5)
    try:
        yield p
    finally:
        p.close()


def ssh_target(server: SshServer, role: str = "app", **settings: object) -> Target:
    return Target("ssh", role, server.spec(), {"ssh_identity_file": str(server.client_key), **settings})


@pytest.fixture(scope="session", params=["local", "ssh"])
def host(request, pool, sshd) -> HostHandle:
    """The same checks on both backends."""
    if request.param == "local":
        return pool.connect(Target("local", "app", "local://"))
    return pool.connect(ssh_target(sshd))


@pytest.fixture(scope="session")
def login_user(host) -> str:
    return str(host.host.user().name)


@dataclass
class StandIn:
    """A running stand-in service process named ``name``."""

    name: str
    proc: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)


@pytest.fixture
def stand_in(shared) -> Iterator[callable]:
    started: list[StandIn] = []

    def start(prefix: str = "svc") -> StandIn:
        name = f"{prefix}{secrets.token_hex(3)}"[:15]
        exe = shared / name
        shutil.copy("/bin/sleep", exe)
        exe.chmod(0o755)
        proc = subprocess.Popen([str(exe), "300"])
        started.append(StandIn(name, proc))
        return started[-1]

    yield start
    for s in started:
        s.stop()


#: The system interpreter: the venv's pip must run as the SSH user, who cannot reach a pyenv under /root.
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


@pytest.fixture(scope="session")
def venvs(shared) -> dict[str, Path]:
    procs = [
        subprocess.Popen([PYTHON, "-m", "venv", str(shared / f"venv-{n}")], stdout=subprocess.DEVNULL)
        for n in ("good", "bad")
    ]
    assert all(p.wait(120) == 0 for p in procs)
    return {
        "good": make_venv(shared / "venv-good", dev=False),
        "bad": make_venv(shared / "venv-bad", dev=True),
    }
