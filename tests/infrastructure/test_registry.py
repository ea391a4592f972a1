# ruff: noqa: E501  (data tables read best one case per line)
"""Registry checks against a local server speaking the Docker Registry HTTP API v2 with GHCR's token flow."""

from __future__ import annotations

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.kubernetes import registry as reg
from tests.support.registry_fake import FakeRegistry


def _images(host: str) -> list[tuple[str, str]]:
    return [
        ("prod/Deployment/web:web", f"{host}/valueverse/web:1.4.0"),
        ("prod/Job/migrate:migrate", f"{host}/valueverse/web:1.4.0"),
        (
            "prod/Deployment/worker:worker",
            f"{host}/valueverse/worker@{FakeRegistry.digest('valueverse/worker', '1.4.0')}",
        ),
        ("kube-system/Deployment/ca:ca", "registry.k8s.io/autoscaling/cluster-autoscaler:v1.31.0"),
    ]


def test_present_images_pass_with_digests_and_token_flow():
    with FakeRegistry({"valueverse/web": ["1.4.0"], "valueverse/worker": ["1.4.0"]}) as r:
        client = reg.RegistryClient(r.url, timeout=5)
        checks = reg.plan(_images(r.host), r.host)
        facts = [client.manifest(c.repository, c.reference) for c in checks]
        a = reg.assess_images_exist(checks, facts, r.host, "1.4.0")
        assert a.ok, a.message()
        web = next(f for f in a.findings if f.subject.endswith("web:1.4.0"))
        assert web.observed["used_by"] == ["prod/Deployment/web:web", "prod/Job/migrate:migrate"]
        assert web.observed["digest"] == FakeRegistry.digest("valueverse/web", "1.4.0")
        assert r.token_requests[0] == {
            "scope": "repository:valueverse/web:pull",
            "service": r.host,
            "basic": False,
        }
        assert all("application/vnd.oci.image.index.v1+json" in h for h in r.accept_headers)


def test_missing_image_and_wrong_release_tag_fail():
    with FakeRegistry({"valueverse/web": ["1.3.0"], "valueverse/worker": ["1.4.0"]}) as r:
        client = reg.RegistryClient(r.url, timeout=5)
        checks = reg.plan([*_images(r.host), ("prod/Deployment/old:old", f"{r.host}/valueverse/worker:1.3.9")],
                          r.host, ["valueverse/api"], "1.4.0")  # fmt: skip
        facts = [client.manifest(c.repository, c.reference) for c in checks]
        bad = {f.subject: f.note for f in reg.assess_images_exist(checks, facts, r.host, "1.4.0").failures}
        assert bad == {
            f"{r.host}/valueverse/api:1.4.0": "manifest not found",
            f"{r.host}/valueverse/web:1.4.0": "manifest not found",
            f"{r.host}/valueverse/worker:1.3.9": "manifest not found; tag 1.3.9 is not the release tag 1.4.0",
        }


def test_private_repository_needs_the_pat_and_never_shows_it():
    with FakeRegistry(
        {"valueverse/web": ["1.4.0"]}, private=frozenset({"valueverse/web"}), pat="ghp_s3cret"
    ) as r:
        with pytest.raises(ProbeError) as err:
            reg.RegistryClient(r.url, timeout=5).manifest("valueverse/web", "1.4.0")
        assert "HTTP 403" in str(err.value) and "ghp_s3cret" not in str(err.value)
        fact = reg.RegistryClient(r.url, token="ghp_s3cret", username="bot", timeout=5).manifest(
            "valueverse/web", "1.4.0"
        )
        assert fact.exists and r.token_requests[-1]["basic"]
        with pytest.raises(ProbeError, match="refused a pull token"):
            reg.RegistryClient(r.url, token="ghp_wrong", timeout=5).manifest("valueverse/web", "1.4.0")


def test_registry_errors_are_errors():
    with FakeRegistry({}, fail_status=503) as r, pytest.raises(ProbeError, match="HTTP 503"):
        reg.RegistryClient(r.url, timeout=5).manifest("valueverse/web", "1.4.0")
    with pytest.raises(ProbeError, match="unreachable"):
        reg.RegistryClient(r.url, timeout=2).manifest("valueverse/web", "1.4.0")
