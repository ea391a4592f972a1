"""Security: authentication, API security, infrastructure (TLS, headers), compliance.

Network policies (SEC-INFRA-NETWORK-POLICIES) are proved by the Kubernetes checks.  Manual items:
API keys rotated, secrets encrypted at rest, GDPR features, retention policies (no external
observable proves them).
"""

from __future__ import annotations

import pytest

from pytest_readiness import outcomes
from pytest_readiness.lazy import probes

auth, compliance, cors, http_headers, input_validation, rate_limit, tls = probes(
    "web.auth",
    "web.compliance",
    "web.cors",
    "web.http_headers",
    "web.input_validation",
    "web.rate_limit",
    "web.tls",
)

# -- Authentication & Authorization ---------------------------------------------------------------


@pytest.mark.checklist("SEC-AUTH-SUPABASE-PROD")
def test_supabase_auth_production_settings(supabase_auth_settings, readiness_env, evidence):
    source = f"{readiness_env.get('supabase', 'url')}/auth/v1/settings"
    evidence.check(
        auth.assess_supabase_auth(
            supabase_auth_settings, source, readiness_env.threshold("jwt_max_lifetime_s")
        )
    )


@pytest.mark.checklist("SEC-AUTH-JWT-SECRET")
def test_jwt_secret_not_default(security_jwt_material, evidence):
    secrets, tokens, extra = security_jwt_material
    evidence.check(auth.assess_jwt_secret(secrets, tokens, extra))


@pytest.mark.checklist("SEC-AUTH-RBAC")
def test_rbac(security_rbac_results, evidence):
    evidence.check(auth.assess_rbac(security_rbac_results))


@pytest.mark.checklist("SEC-AUTH-SESSION-TIMEOUT")
def test_session_timeout(security_jwt_lifetimes, readiness_env, evidence):
    evidence.check(
        auth.assess_jwt_lifetime(security_jwt_lifetimes, int(readiness_env.threshold("jwt_max_lifetime_s")))
    )


# -- API Security ----------------------------------------------------------------------------------


@pytest.mark.checklist("SEC-API-CORS")
def test_cors_restricted(security_cors_facts, readiness_env, evidence):
    evidence.check(
        cors.assess_cors(security_cors_facts, readiness_env.get("http", "production_domains") or [])
    )


@pytest.mark.checklist("SEC-API-RATE-LIMIT")
def test_rate_limited(security_rate_limit_facts, evidence):
    evidence.check(rate_limit.assess_rate_limit(security_rate_limit_facts))


@pytest.mark.checklist("SEC-API-INPUT-VALIDATION")
def test_input_validation(security_input_facts, evidence):
    evidence.check(input_validation.assess_input_validation(security_input_facts))


# -- Infrastructure Security: TLS (one shared scan) ---------------------------------------------------


@pytest.mark.xdist_group("security-tls")
@pytest.mark.checklist("SEC-INFRA-TLS")
def test_tls_certificate(tls_scan, evidence):
    evidence.check(tls.assess_certificate(tls_scan.values()))


@pytest.mark.xdist_group("security-tls")
@pytest.mark.checklist("SEC-INFRA-TLS")
def test_tls_certificate_expiry(tls_scan, tls_min_days, evidence):
    evidence.check(tls.assess_expiry(tls_scan.values(), tls_min_days))


@pytest.mark.xdist_group("security-tls")
@pytest.mark.checklist("SEC-INFRA-TLS")
def test_tls_protocols_and_ciphers(tls_scan, evidence):
    evidence.require(tls.assess_protocols(tls_scan.values()), tls.assess_ciphers(tls_scan.values()))


@pytest.mark.xdist_group("security-tls")
@pytest.mark.checklist("SEC-INFRA-TLS")
def test_tls_vulnerabilities(tls_scan, evidence):
    evidence.check(tls.assess_vulnerabilities(tls_scan.values()))


@pytest.mark.xdist_group("security-tls")
@pytest.mark.checklist("SEC-INFRA-TLS")
def test_tls_mozilla_profile(tls_scan, readiness_env, evidence):
    if str(readiness_env.get("tls", "mozilla_profile")).lower() == "none":
        outcomes.refused("refused by configuration: [tls] mozilla_profile = none (set a Mozilla profile)")
    evidence.check(tls.assess_mozilla(tls_scan.values()))


# -- Infrastructure Security: headers ----------------------------------------------------------------


@pytest.mark.checklist("SEC-INFRA-HEADERS")
def test_hsts(security_pages, readiness_env, evidence):
    evidence.check(http_headers.assess_hsts(security_pages, int(readiness_env.threshold("hsts_min_age_s"))))


@pytest.mark.checklist("SEC-INFRA-HEADERS")
def test_csp(security_pages, evidence):
    evidence.check(http_headers.assess_csp(security_pages))


@pytest.mark.checklist("SEC-INFRA-HEADERS")
def test_content_type_frame_referrer(security_pages, security_assets, evidence):
    evidence.require(
        http_headers.assess_content_type_options(security_pages + security_assets),
        http_headers.assess_frame_options(security_pages),
        http_headers.assess_referrer_policy(security_pages),
    )


@pytest.mark.checklist("SEC-INFRA-HEADERS")
def test_cookies(security_pages, security_session_cookie, evidence):
    evidence.check(http_headers.assess_cookies(security_pages, security_session_cookie))


@pytest.mark.checklist("SEC-INFRA-HEADERS")
def test_http_redirects_to_https(security_redirect, evidence):
    evidence.check(http_headers.assess_https_redirect(security_redirect))


# -- Compliance -------------------------------------------------------------------------------------


@pytest.mark.checklist("SEC-COMPLIANCE-AUDIT-LOG")
def test_audit_logging(postgres_db, readiness_env, evidence):
    expected = readiness_env.get("compliance", "audit_settings") or None
    facts = compliance.gather_audit(postgres_db.setting, expected)
    evidence.check(compliance.assess_audit_logging(facts, expected))


@pytest.mark.checklist("SEC-COMPLIANCE-PRIVACY")
def test_privacy_policy_published(security_privacy_policy, evidence):
    evidence.check(compliance.assess_privacy_policy(security_privacy_policy))
