"""TLS scan time per host: our scan (what a readiness run pays) next to ``python -m sslyze HOST:PORT``.

    .venv/bin/python benchmarks/bench_tls_scan.py [--repeat 3] [--hosts 3]

One nginx (Mozilla intermediate configuration, certificate from a local CA) on loopback.  Ours is
measured in-process (the suites' session fixture scans once, after the interpreter and sslyze are
loaded) and as a whole command (``python -c`` that imports and scans, like the CLI does).  The CLI's
own "SCANS COMPLETED IN" figure is shown too.  Several hosts are queued at once by one Scanner.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from pytest_readiness.demo import MOZILLA_INTERMEDIATE_CIPHERS
from pytest_readiness.launcher import NginxServer
from pytest_readiness.launcher.tls import StrictCA
from pytest_readiness.probes.web import tls

SITE = """
server {
    listen 127.0.0.1:{https_port} ssl;
    server_name localhost;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ecdh_curve X25519:prime256v1:secp384r1;
    ssl_ciphers CIPHERS;
    ssl_prefer_server_ciphers off;
    location / { return 200 "ok"; }
}
server { listen 127.0.0.1:{http_port}; location / { return 200 "ok"; } }
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--hosts", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        ca = StrictCA(Path(tmp) / "ca")
        servers = [
            NginxServer(
                SITE.replace("CIPHERS", MOZILLA_INTERMEDIATE_CIPHERS), certs=ca.issue(["localhost"])
            ).start()
            for _ in range(args.hosts)
        ]
        try:
            targets = [tls.TlsTarget("localhost", s.https_port) for s in servers]
            tls.scan(targets[:1], ca_file=ca.ca_path)  # warm-up: imports, trust store
            one = f"localhost:{servers[0].https_port}"
            ours, ours_cmd, many, cli, cli_scan = [], [], [], [], []
            script = (
                "import sys, warnings; warnings.simplefilter('ignore');"
                "from pytest_readiness.probes import tls;"
                f"tls.scan([tls.TlsTarget('localhost', {servers[0].https_port})],"
                f" ca_file={str(ca.ca_path)!r})"
            )
            for _ in range(args.repeat):
                start = time.perf_counter()
                tls.scan(targets[:1], ca_file=ca.ca_path)
                ours.append(time.perf_counter() - start)
                start = time.perf_counter()
                tls.scan(targets, ca_file=ca.ca_path)
                many.append(time.perf_counter() - start)
                start = time.perf_counter()
                subprocess.run([sys.executable, "-c", script], check=True, capture_output=True)
                ours_cmd.append(time.perf_counter() - start)
                start = time.perf_counter()
                out = subprocess.run(
                    [sys.executable, "-m", "sslyze", one], capture_output=True, text=True
                ).stdout
                cli.append(time.perf_counter() - start)
                cli_scan += [
                    float(x.split("IN")[1].split()[0]) for x in out.splitlines() if "SCANS COMPLETED IN" in x
                ]
        finally:
            for server in servers:
                server.stop()
    med = statistics.median
    print(f"TLS scan of one host, median of {args.repeat} (one run, same nginx target):")
    print(f"  ours, in-process (as in a readiness run)  {med(ours):5.2f} s")
    print(f"  ours, whole command (python -c ...)       {med(ours_cmd):5.2f} s")
    print(f"  python -m sslyze HOST:PORT, whole command {med(cli):5.2f} s", end="")
    print(f"  (its own scan phase {med(cli_scan):.2f} s)")
    print(f"  ratio ours in-process / sslyze scan phase  {med(ours) / med(cli_scan):.2f}")
    print(f"  ratio command / command                    {med(ours_cmd) / med(cli):.2f}")
    print(f"  {args.hosts} hosts in one scan (concurrent)              {med(many):5.2f} s")


if __name__ == "__main__":
    main()
