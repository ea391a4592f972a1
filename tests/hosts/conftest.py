"""Fixtures of the hosts tests (helpers live in ``tests.support.hosts``)."""

from __future__ import annotations

import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_readiness.hosts_config import Target
from pytest_readiness.launcher.sshd import SshServer
from pytest_readiness.probes.hosts.connect import HostHandle, HostPool

#: A key passphrase that must never appear in any output.
from tests.support.hosts import PYTHON, StandIn, make_venv, ssh_target


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


@pytest.fixture(scope="session")
def pool() -> Iterator[HostPool]:
    p = HostPool(timeout=5)
    try:
        yield p
    finally:
        p.close()


@pytest.fixture(scope="session", params=["local", "ssh"])
def host(request, pool, sshd) -> HostHandle:
    """The same checks on both backends."""
    if request.param == "local":
        return pool.connect(Target("local", "app", "local://"))
    return pool.connect(ssh_target(sshd))


@pytest.fixture(scope="session")
def login_user(host) -> str:
    return str(host.host.user().name)


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
