"""The live source through the real ``kubernetes`` client: pagination, errors, cluster facts."""

from __future__ import annotations

import socket
import time

import pytest

from pytest_readiness.env_schema import default
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.kubernetes import inventory as inv_mod
from pytest_readiness.probes.kubernetes import live_inventory
from pytest_readiness.probes.kubernetes import rules as k8s
from tests.support.infrastructure import good_objects
from tests.support.k8s_fake import FakeKubeAPI


def test_pagination_follows_continue_tokens(tmp_path, monkeypatch):
    monkeypatch.setattr(inv_mod, "PAGE_SIZE", 2)
    objects = [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": f"d{i}", "namespace": "prod"},
         "spec": {"template": {"metadata": {"labels": {"app": f"d{i}"}}, "spec": {"containers": []}}}}
        for i in range(5)
    ]  # fmt: skip
    with FakeKubeAPI(objects) as api:
        inv = live_inventory(api.kubeconfig(tmp_path / "kc"), "prod", ["prod"], 5)
        names = [o["metadata"]["name"] for o in inv.objects("Deployment")]
        assert names == ["d0", "d1", "d2", "d3", "d4"]
        assert api.requests["Deployment prod"] == 3
        assert {o["kind"] for o in inv.objects("Deployment")} == {"Deployment"}


def test_cluster_version_and_namespaces(tmp_path):
    with FakeKubeAPI(good_objects(), version=("1", "31")) as api:
        inv = live_inventory(api.kubeconfig(tmp_path / "kc"), "prod", ["prod", "payments"], 5)
        a = k8s.assess_cluster(inv, "prod", ["prod", "payments"], "1.30")
        assert {f.subject: f.ok for f in a.findings} == {
            "cluster prod server version": True,
            "namespace prod": True,
            "namespace payments": False,
        }
        assert a.findings[0].observed == "v1.31.2"
    with FakeKubeAPI(good_objects(), version=("1", "27+")) as api:
        inv = live_inventory(api.kubeconfig(tmp_path / "kc"), "prod", ["prod"], 5)
        assert not k8s.assess_cluster(inv, "prod", ["prod"], "1.30").ok


def test_wrong_token_is_an_error_not_a_pass(tmp_path):
    with FakeKubeAPI(good_objects()) as api:
        inv = live_inventory(api.kubeconfig(tmp_path / "kc", token="wrong"), "prod", ["prod"], 5)
        with pytest.raises(ProbeError, match="HTTP 401"):
            k8s.assess_resources(inv, default("kubernetes", "required_resources"))


def test_forbidden_namespace_is_an_error(tmp_path):
    with FakeKubeAPI(good_objects(), forbidden=["prod"]) as api:
        inv = live_inventory(api.kubeconfig(tmp_path / "kc"), "prod", ["prod"], 5)
        with pytest.raises(ProbeError, match="HTTP 403"):
            inv.workloads()


def test_forbidden_kube_system_falls_back_to_configured_evidence(tmp_path):
    objects = [o for o in good_objects() if o["metadata"]["name"] != "cluster-autoscaler"]
    with FakeKubeAPI(objects, forbidden=["kube-system"]) as api:
        inv = live_inventory(api.kubeconfig(tmp_path / "kc"), "prod", ["prod"], 5)
        with pytest.raises(ProbeError, match="kube-system"):
            k8s.assess_node_autoscaling(inv)
        assert k8s.assess_node_autoscaling(inv, "GKE Autopilot").ok


def test_unreachable_api_fails_fast(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with FakeKubeAPI([]) as api:
        kc = api.kubeconfig(tmp_path / "kc")
    kc.write_text(kc.read_text().replace(api.url, f"http://127.0.0.1:{port}"))
    start = time.monotonic()
    with pytest.raises(ProbeError, match="unreachable"):
        live_inventory(kc, "prod", ["prod"], 2).workloads()
    assert time.monotonic() - start < 30  # did not hang


def test_hanging_api_times_out(tmp_path):
    with FakeKubeAPI(good_objects(), delay_s=3) as api:
        inv = live_inventory(api.kubeconfig(tmp_path / "kc"), "prod", ["prod"], 0.5)
        with pytest.raises(ProbeError, match="unreachable"):
            inv.server_version()


def test_unknown_context_is_an_error(tmp_path):
    with FakeKubeAPI([]) as api:
        kc = api.kubeconfig(tmp_path / "kc")
    with pytest.raises(ProbeError, match="kubeconfig"):
        live_inventory(kc, "staging", None, 2)


def test_absent_crd_lists_nothing(tmp_path):
    with FakeKubeAPI(good_objects()) as api:
        inv = live_inventory(api.kubeconfig(tmp_path / "kc"), "prod", ["prod"], 5)
        assert inv.objects("Rollout") == [] and inv.objects("NodePool") == []
