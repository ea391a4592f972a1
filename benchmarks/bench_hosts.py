"""Benchmark (not a test): suites/test_hosts.py over 50 ``ssh://`` targets on the loopback sshd.

    .venv/bin/python benchmarks/bench_hosts.py            # 50 hosts, -n 0 then -n 4
    .venv/bin/python benchmarks/bench_hosts.py 20 0 2     # 20 hosts, -n 0 and -n 2

The 50 targets are ``Host`` aliases of one sshd (an ssh_config, as real fleets use), each an ``app``
host with four checks: env file, app process user, clock, log rotation.  Reported: wall time of the
pytest run, the tests it ran, and the SSH logins sshd accepted (one per host and worker is the goal).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pytest_readiness.launcher.sshd import SshServer  # noqa: E402
from tests.support.hosts import give  # noqa: E402
from tests.support.readiness import env_toml  # noqa: E402


def prepare(folder: Path, server: SshServer, hosts: int) -> Path:
    folder.chmod(0o755)
    env_file = folder / ".env.production"
    env_file.write_text("SECRET_KEY=x\n")
    env_file.chmod(0o600)
    give(env_file, server.user)
    (folder / "logrotate.d").mkdir()
    (folder / "logrotate.d" / "app").write_text("/srv/app/*.log {\n  daily\n}\n")
    (folder / "logrotate.d" / "app").chmod(0o644)
    aliases = [f"app-{i:02d}" for i in range(1, hosts + 1)]
    server.write_ssh_config(aliases).chmod(0o644)
    group = {
        "targets": [f"ssh://{a}" for a in aliases],
        "role": "app",
        "ssh_config": str(server.ssh_config_path),
        "env_file": str(env_file),
        "process": "sshd",
        "time_daemons": ["sshd"],  # stands in for chronyd: the clock check runs its probes
        "log_files": ["/srv/app/api.log"],
        "logrotate_dir": str(folder / "logrotate.d"),
    }
    env = folder / "env.toml"
    env.write_text(env_toml({"settings": {"timeout_s": 10}, "hosts": {"app": group}}))
    return env


def run(env: Path, out: Path, workers: str, server: SshServer) -> tuple[float, str, int]:
    before = server.log_path.read_text().count("Accepted publickey")
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", f"--env={env}", "suites/test_hosts.py", "-p", "no:cacheprovider",
         f"--readiness-dir={out}", "-q", "--tb=no", "-W", "ignore::UserWarning", "-n", workers],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    logins = server.log_path.read_text().count("Accepted publickey") - before
    lines = reversed(proc.stdout.splitlines())
    summary = next((line for line in lines if " in " in line), proc.stdout[-300:])
    return elapsed, summary.strip("= "), logins


def main() -> None:
    hosts = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    workers = sys.argv[2:] or ["0", "4"]
    with SshServer() as server, tempfile.TemporaryDirectory(prefix="bench-hosts-") as tmp:
        env = prepare(Path(tmp), server, hosts)
        print(f"{hosts} ssh:// targets (aliases of one loopback sshd), 4 checks each")
        for n in workers:
            elapsed, summary, logins = run(env, Path(tmp) / f"out-{n}", n, server)
            print(f"-n {n}: {elapsed:6.1f} s  ssh logins {logins:3d}  {summary}")


if __name__ == "__main__":
    main()
