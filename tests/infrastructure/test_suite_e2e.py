"""The Infrastructure suite end to end: `pytest --env=... suites/test_infrastructure.py`, JSON read back.

Compliant and non-compliant applications, offline manifests and the live (fake) API server, with a
real DNS server, a v2 registry and a repository holding the DR plan and restore evidence.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_readiness.launcher.dns import LocalDNS as FakeDNS
from pytest_readiness.probes.kubernetes import load_manifests
from tests.support.infrastructure import DR_TEXT, bad_objects, good_objects, run_suite, write_manifests
from tests.support.k8s_fake import FakeKubeAPI
from tests.support.registry_fake import FakeRegistry

ZONE = {
    "app.valueverse.example": [("CNAME", "d111abc.cloudfront.net", 60)],
    "www.valueverse.example": [("CNAME", "d111abc.cloudfront.net", 60)],
    "d111abc.cloudfront.net": [("A", "13.32.1.10", 60)],
}
BAD_ZONE = {"app.valueverse.example": [("A", "203.0.113.7", 3600)]}
K8S_ITEMS = ["INFRA-K8S-AUTOSCALING", "INFRA-K8S-RESOURCES", "INFRA-K8S-PDB", "INFRA-K8S-NETWORK-POLICIES",
             "SEC-INFRA-NETWORK-POLICIES", "INFRA-REGISTRY-CONFIGURED", "INFRA-DNS-LOAD-BALANCER",
             "INFRA-BACKUP-STRATEGY"]  # fmt: skip
OTHER_ITEMS = ["INFRA-DNS-DOMAINS", "INFRA-DNS-RECORDS", "INFRA-DNS-CDN", "INFRA-BACKUP-RESTORE-TESTED",
               "INFRA-BACKUP-DR-PLAN", "INFRA-BACKUP-RTO-RPO"]  # fmt: skip


def _repo(tmp: Path, good: bool) -> Path:
    repo = tmp / "repo"
    (repo / "docs").mkdir(parents=True)
    if good:
        (repo / "docs" / "disaster-recovery.md").write_text(DR_TEXT)
    (repo / "restore.json").write_text('{"last_restore": "%s"}' % ("2099-01-01" if not good else _recent()))
    return repo


def _recent() -> str:
    import datetime as dt

    return (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).date().isoformat()


def _env(k8s: str, dns_port: int, registry: str, repo: Path) -> str:
    return f"""
[settings]
timeout_s = 5
{k8s}
registry = "ghcr.io/valueverse"
[registry]
url = "{registry}"
repositories = ["valueverse/web"]
tag = "1.4.0"
[dns]
names = ["app.valueverse.example", "www.valueverse.example"]
nameservers = ["127.0.0.1"]
port = {dns_port}
expected_targets = ["cloudfront.net"]
[backup]
restore_evidence = "{repo / "restore.json"}"
[repo]
path = "{repo}"
"""


@pytest.fixture(scope="module")
def servers():
    with FakeDNS(ZONE) as good_dns, FakeDNS(BAD_ZONE) as bad_dns, \
            FakeRegistry({"valueverse/web": ["1.4.0"]}) as good_reg, FakeRegistry({}) as bad_reg:  # fmt: skip
        yield {"good": (good_dns, good_reg), "bad": (bad_dns, bad_reg)}


@pytest.fixture(scope="module")
def offline_runs(servers, tmp_path_factory):
    runs = {}
    for name, objects in (("good", good_objects()), ("bad", bad_objects())):
        tmp = tmp_path_factory.mktemp(name)
        manifests = write_manifests(tmp / "m.yaml", objects)
        dns, registry = servers[name]
        k8s = f'[kubernetes]\nmanifests = "{manifests}"\nnamespaces = ["prod"]'
        runs[name] = run_suite(tmp, _env(k8s, dns.port, registry.url, _repo(tmp, name == "good")))
    return runs


def test_good_passes_every_item(offline_runs):
    items = offline_runs["good"]
    assert {i: items[i]["status"] for i in K8S_ITEMS + OTHER_ITEMS} == dict.fromkeys(
        K8S_ITEMS + OTHER_ITEMS, "pass"
    )
    assert items["INFRA-K8S-CLUSTER"]["status"] == "unverified"  # offline: no cluster to ask
    assert items["INFRA-REGISTRY-SCANNING"]["status"] not in ("pass", "fail")  # manual


def test_bad_fails_every_item_with_named_evidence(offline_runs):
    items = offline_runs["bad"]
    assert {i: items[i]["status"] for i in K8S_ITEMS + OTHER_ITEMS} == dict.fromkeys(
        K8S_ITEMS + OTHER_ITEMS, "fail"
    )
    subjects = {
        f["subject"] for e in items["INFRA-K8S-RESOURCES"]["evidence"] for f in e["findings"] if not f["ok"]
    }
    assert subjects == {"prod/Deployment/web:web", "prod/Deployment/web:init"}
    pdb = [f for e in items["INFRA-K8S-PDB"]["evidence"] for f in e["findings"] if not f["ok"]]
    assert {f["subject"] for f in pdb} == {"prod/Deployment/worker", "prod/PodDisruptionBudget/web"}
    # probes: manifests can fail the cluster item (never pass it, see the good run)
    assert items["INFRA-K8S-CLUSTER"]["status"] == "fail"
    probes = [f for e in items["INFRA-K8S-CLUSTER"]["evidence"] for f in e["findings"] if not f["ok"]]
    assert {f["subject"]: f["note"] for f in probes} == {
        "prod/Deployment/web:web": "no readinessProbe; no livenessProbe"
    }
    stores = [f for e in items["INFRA-BACKUP-STRATEGY"]["evidence"] for f in e["findings"] if not f["ok"]]
    assert {f["subject"]: f["observed"] for f in stores if "emptyDir" in f["note"]} == {
        "prod/StatefulSet/db:db": {"engine": "redis", "data_mounts": {"/data": "emptyDir"}}
    }
    ttl = next(f for e in items["INFRA-DNS-RECORDS"]["evidence"] for f in e["findings"])
    assert ttl["observed"]["ttl"] == 3600 and "TTL 3600s > 300s" in ttl["note"]


def test_live_gives_the_same_verdicts_as_offline(servers, offline_runs, tmp_path):
    manifests = write_manifests(tmp_path / "m.yaml", good_objects())
    with FakeKubeAPI(load_manifests(manifests)) as api:
        kc = api.kubeconfig(tmp_path / "kubeconfig")
        k8s = f'[kubernetes]\ncontext = "prod"\nkubeconfig = "{kc}"\nnamespaces = ["prod"]'
        dns, registry = servers["good"]
        live = run_suite(tmp_path, _env(k8s, dns.port, registry.url, _repo(tmp_path, True)))
    offline = offline_runs["good"]
    for item in K8S_ITEMS + OTHER_ITEMS:
        assert live[item]["status"] == offline[item]["status"], item
    assert live["INFRA-K8S-CLUSTER"]["status"] == "pass"


def test_unreachable_cluster_is_error_never_pass(tmp_path):
    kc = tmp_path / "kubeconfig"
    with FakeKubeAPI([]) as api:
        api.kubeconfig(kc)
    k8s = f'[kubernetes]\ncontext = "prod"\nkubeconfig = "{kc}"\nnamespaces = ["prod"]'
    items = run_suite(tmp_path, f"[settings]\ntimeout_s = 2\n{k8s}\n")
    for item in ("INFRA-K8S-CLUSTER", "INFRA-K8S-RESOURCES", "INFRA-K8S-PDB", "INFRA-K8S-NETWORK-POLICIES"):
        assert items[item]["status"] == "error", item
    assert items["INFRA-DNS-DOMAINS"]["status"] == "unverified"


def test_health_item_needs_answers_and_probes(tmp_path, nginx_server_factory):
    """CODE-BACKEND-HEALTH: probes are judged only beside configured health URLs (a real nginx)."""
    nginx = nginx_server_factory("""
server {
    listen 127.0.0.1:{http_port};
    access_log off;
    location = /health { return 200 '{"status": "ok"}'; }
}
""")
    http = f'[http]\nhealth_urls = ["{nginx.http_url}/health"]'
    for name, objects, status in (("good", good_objects(), "pass"), ("bad", bad_objects(), "fail")):
        manifests = write_manifests(tmp_path / f"{name}.yaml", objects)
        k8s = f'[kubernetes]\nmanifests = "{manifests}"\nnamespaces = ["prod"]'
        items = run_suite(tmp_path / name, f"[settings]\ntimeout_s = 5\n{k8s}\n{http}\n", "-k", "probe")
        assert items["CODE-BACKEND-HEALTH"]["status"] == status, name
        bad = [f for e in items["CODE-BACKEND-HEALTH"]["evidence"] for f in e["findings"] if not f["ok"]]
        assert [f["subject"] for f in bad] == ([] if status == "pass" else ["prod/Deployment/web:web"])
    # without health URLs the item is not decided by probe configuration alone
    manifests = write_manifests(tmp_path / "only.yaml", good_objects())
    k8s = f'[kubernetes]\nmanifests = "{manifests}"\nnamespaces = ["prod"]'
    items = run_suite(tmp_path / "only", f"[settings]\ntimeout_s = 5\n{k8s}\n", "-k", "probe")
    assert items["CODE-BACKEND-HEALTH"]["status"] == "unverified"
