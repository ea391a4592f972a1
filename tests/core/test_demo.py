"""The demo command: real local services, a realistic mix of ready and not-ready, then stopped."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_demo_reports_passes_and_failures_from_real_services(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest_readiness.cli",
            "demo",
            f"--readiness-dir={out}",
            "-q",
            "--tb=no",
            "-n",
            "2",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "services stopped" in proc.stdout
    report = json.loads((out / "readiness.json").read_text())
    status = {i["id"]: i["status"] for i in report["items"]}
    # ready settings of the demo services pass ... (SEC-INFRA-TLS and ENV-REDIS-PERSISTENCE also judge
    # this machine's clock daemon and vm.overcommit_memory through [hosts]: they depend on the machine)
    for item in ("ENV-REDIS-MAXMEMORY", "ENV-POSTGRES-MONITORING", "MON-ALERTING-ROUTING"):
        assert status[item] == "pass", (item, status[item])
    env_file = next(i for i in report["items"] if i["id"] == "ENV-SECRETS-ENV-FILE")
    host_modes = [f for ev in env_file["evidence"] for f in ev["findings"] if f["subject"].endswith(" mode")]
    assert [(f["observed"], f["ok"]) for f in host_modes] == [("644", False)]  # the app host's env file
    # ... and the deliberately not-ready ones fail with evidence from the live services
    for item in ("ENV-SUPABASE-RLS", "ENV-REDIS-EVICTION", "SEC-INFRA-HEADERS", "MON-ALERTING-RUNBOOKS"):
        assert status[item] == "fail", (item, status[item])
    eviction = next(i for i in report["items"] if i["id"] == "ENV-REDIS-EVICTION")
    finding = eviction["evidence"][0]["findings"][0]
    assert finding["observed"] == "volatile-lru" and finding["expected"] == "allkeys-lru"
    # the demo's waiver and attestation files: a waived failure, an expired waiver, attested items
    assert status["SEC-API-RATE-LIMIT"] == "waived"
    assert status["DOC-TECH-DB-SCHEMA"] == "fail"
    assert status["SIGNOFF-SECURITY"] == "attested" and status["TEST-SECURITY-PENTEST"] == "attested"
    assert "expired" in proc.stdout
    assert report["ready"] is False and report["verdict"] == "NO-GO"
    # declared not applicable with a reason; coverage in the report and on the terminal
    assert status["INFRA-DNS-CDN"] == "not_applicable" and status["CODE-FRONTEND-BUILD"] == "not_applicable"
    assert report["applicability"]["INFRA-DNS-CDN"].startswith("the demo serves from loopback")
    coverage = report["coverage"]["overall"]
    assert coverage["verified"] > 0 and coverage["not_applicable"] >= 6
    assert "coverage:" in proc.stdout and "NO-GO" in proc.stdout
    assert (out / "checklist.md").exists() and (out / "readiness.html").exists()


def test_demo_interrupted_forwards_and_cleans_up(tmp_path: Path) -> None:
    """SIGTERM mid-run: the pytest child writes incomplete reports, no temporary folder (CA key) remains."""
    scratch = Path(tempfile.mkdtemp(prefix="demo-scratch-"))  # TMPDIR: the postgres user must enter it
    scratch.chmod(0o755)
    try:
        _interrupt_demo(scratch, tmp_path / "reports")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _interrupt_demo(scratch: Path, out: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest_readiness.cli", "demo", f"--readiness-dir={out}", "-q", "-n", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # the pytest child is started once the command line is printed
        lines.append(proc.stdout.readline())
        if lines[-1].startswith("readiness demo: pytest --env=demo") or proc.poll() is not None:
            break
    assert proc.poll() is None, "".join(lines)
    time.sleep(2)  # the child is checking the services
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=120)
    output = "".join(lines) + rest
    assert proc.returncode == 128 + signal.SIGTERM, output
    assert "services stopped, temporary files removed" in output
    report = json.loads((out / "readiness.json").read_text())  # written by the child on the forwarded signal
    assert report["ready"] is False and report["meta"].get("incomplete"), output
    left = [str(p) for p in scratch.rglob("*")]
    assert not [p for p in left if "key" in Path(p).name or p.endswith(".pem")], left
    assert not left, left
