"""Documentation: technical and operational documents in the repository, API docs, release notes."""

import pytest

from pytest_readiness.lazy import probes
from pytest_readiness.probes.repo import docs
from pytest_readiness.probes.repo.docs import proved_by_url

health, http_client, openapi = probes("web.health", "web.http_client", "repo.openapi")


def _present(kind, title, app_repo, doc_locations):
    globs, keys = docs.locations(kind, doc_locations)
    return docs.assess_docs(kind, title, docs.find_docs(app_repo, globs, keys), globs)


@pytest.mark.checklist("DOC-TECH-API")
def test_openapi_document(openapi_doc, readiness_env, evidence):
    checks = [openapi.assess_valid(openapi_doc, "openapi.yaml / docs/openapi.* ([repo] openapi)")]
    routes = readiness_env.get("repo", "api_routes")
    if openapi_doc is not None and routes:
        checks.append(openapi.assess_routes(openapi_doc, routes))
    evidence.require(*checks)


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        pytest.param(
            "architecture", "architecture diagrams", marks=pytest.mark.checklist("DOC-TECH-ARCHITECTURE")
        ),
        pytest.param(
            "db_schema", "database schema documentation", marks=pytest.mark.checklist("DOC-TECH-DB-SCHEMA")
        ),
        pytest.param(
            "deploy_guide", "deployment guide", marks=pytest.mark.checklist("DOC-TECH-DEPLOY-GUIDE")
        ),
        pytest.param("runbooks", "runbooks", marks=pytest.mark.checklist("DOC-OPS-RUNBOOKS")),
        pytest.param(
            "incident_response",
            "incident response plan",
            marks=pytest.mark.checklist("DOC-OPS-INCIDENT-RESPONSE"),
        ),
        pytest.param(
            "escalation", "escalation procedures", marks=pytest.mark.checklist("DOC-OPS-ESCALATION")
        ),
    ],
)
def test_document_present(kind, title, app_repo, doc_locations, evidence):
    evidence.check(_present(kind, title, app_repo, doc_locations))


@pytest.mark.checklist("DOC-USER-RELEASE-NOTES")
def test_changelog_entry(app_repo, release_tag, readiness_env, evidence):
    configured = readiness_env.get("repo", "changelog")
    file, heading = docs.changelog_entry(
        app_repo, release_tag, [configured] if configured else docs.CHANGELOGS
    )
    evidence.check(docs.assess_changelog(release_tag, file, heading))


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("on_call", marks=pytest.mark.checklist("DOC-OPS-ON-CALL")),
        pytest.param("user_guides", marks=pytest.mark.checklist("DOC-USER-GUIDES")),
        pytest.param("faq", marks=pytest.mark.checklist("DOC-USER-FAQ")),
        pytest.param("videos", marks=pytest.mark.checklist("DOC-USER-VIDEOS")),
    ],
)
@proved_by_url("*")
def test_attestation_url(key, readiness_env, evidence):
    url = readiness_env.get("repo", "attestation_urls")[key]
    cfg = http_client.HttpConfig.of(
        readiness_env.timeout,
        bool(readiness_env.get("http", "verify_tls")),
        readiness_env.path("http", "ca_file"),
    )
    evidence.check(health.assess_url_answers(health.fetch_health([url], cfg), key))
