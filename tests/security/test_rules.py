"""Unit tests of the security rules (no server): each rule both ways, with its evidence."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.web import (
    auth,
    compliance,
    cors,
    csp,
    http_headers,
    input_validation,
    rate_limit,
    tls,
)
from pytest_readiness.probes.web.http_client import HttpFacts
from tests.support.security import TLS_RULES

GOOD_CSP = "default-src 'self'; object-src 'none'; frame-ancestors 'none'"


def page(url: str = "https://app.example/", **headers: str | list[str]) -> HttpFacts:
    return HttpFacts(
        url,
        "GET",
        200,
        {k.lower().replace("_", "-"): (v if isinstance(v, list) else [v]) for k, v in headers.items()},
    )


# -- CSP (Observatory rules) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "problem"),
    [
        (GOOD_CSP, None),
        (
            "default-src 'self'; script-src 'self' 'unsafe-inline' 'nonce-abc'",
            None,
        ),  # CSP2 ignores unsafe-inline
        ("default-src 'none'; script-src 'sha256-xyz' 'strict-dynamic' https:", None),
        ("default-src 'self'; style-src 'self' 'unsafe-inline'", None),
        ("default-src 'self'; script-src 'self' 'unsafe-inline'", "'unsafe-inline' in script-src"),
        ("default-src 'self'; script-src 'self' 'unsafe-eval'", "'unsafe-eval'"),
        ("default-src 'self'; script-src *", "allows any script"),
        ("default-src https:", "allows any script"),
        ("default-src 'self'; script-src data:", "allows any script"),
        ("img-src 'self'", "scripts are unrestricted"),
        ("script-src 'self'", "plugins are unrestricted"),
        ("default-src 'self'; object-src *", "object-src allows any plugin"),
    ],
)
def test_csp_rules(policy, problem):
    verdict = csp.evaluate([policy])
    if problem is None:
        assert verdict.ok, verdict.problems
    else:
        assert not verdict.ok and any(problem in p for p in verdict.problems), verdict.problems


def test_csp_missing_and_report_only():
    a = http_headers.assess_csp([page(content_security_policy_report_only=GOOD_CSP)])
    assert not a.ok
    assert a.findings[0].observed == {"report-only": [GOOD_CSP]}


# -- headers -----------------------------------------------------------------------------------------


def test_hsts_rules():
    ok = http_headers.assess_hsts([page(strict_transport_security="max-age=31536000; includeSubDomains")])
    assert ok.ok
    six_months = http_headers.assess_hsts(
        [page(strict_transport_security="max-age=15552000; includeSubDomains")]
    )
    assert six_months.ok
    short = http_headers.assess_hsts([page(strict_transport_security="max-age=86400; includeSubDomains")])
    assert not short.ok and "max-age 86400" in short.findings[0].note
    nosub = http_headers.assess_hsts([page(strict_transport_security="max-age=31536000")])
    assert not nosub.ok and "includeSubDomains" in nosub.findings[0].note
    twice = http_headers.assess_hsts(
        [page(strict_transport_security=["max-age=31536000; includeSubDomains", "max-age=0"])]
    )
    assert not twice.ok and "more than once" in twice.findings[0].note
    missing = http_headers.assess_hsts(
        [page(), page("https://app.example/api/", strict_transport_security="x")]
    )
    assert [f.ok for f in missing.findings] == [False, False]
    plain = http_headers.assess_hsts([page("http://app.example/")])
    assert not plain.ok


def test_other_headers():
    good = page(
        x_content_type_options="nosniff",
        x_frame_options="DENY",
        referrer_policy="no-referrer, strict-origin-when-cross-origin",
    )
    assert http_headers.assess_content_type_options([good]).ok
    assert http_headers.assess_frame_options([good]).ok
    assert http_headers.assess_referrer_policy([good]).ok
    via_csp = page(content_security_policy=GOOD_CSP)
    assert http_headers.assess_frame_options([via_csp]).findings[0].note == "CSP frame-ancestors"
    bad = page(
        x_content_type_options="sniff", x_frame_options="ALLOW-FROM https://x", referrer_policy="unsafe-url"
    )
    assert not http_headers.assess_content_type_options([bad]).ok
    assert not http_headers.assess_frame_options([bad]).ok
    assert not http_headers.assess_referrer_policy([bad]).ok
    assert not http_headers.assess_frame_options([page(content_security_policy="frame-ancestors *")]).ok


def test_cookies():
    good = page(
        set_cookie=["sessionid=abc; Secure; HttpOnly; SameSite=Lax", "theme=dark; Secure; SameSite=Strict"]
    )
    assert http_headers.assess_cookies([good]).ok
    bad = page(set_cookie=["sessionid=SECRETVALUE; SameSite=None", "theme=dark; Secure"])
    a = http_headers.assess_cookies([bad])
    assert not a.ok
    notes = {f.subject: f.note for f in a.findings}
    assert "Secure missing" in notes["https://app.example/ cookie sessionid"]
    assert "HttpOnly missing" in notes["https://app.example/ cookie sessionid"]
    assert "SameSite missing" in notes["https://app.example/ cookie theme"]
    assert "SECRETVALUE" not in json.dumps([f.observed for f in a.findings])
    assert http_headers.assess_cookies([page()]).ok  # no cookie: nothing to protect


def test_discover_urls_same_origin_bounded_and_diverse():
    body = (
        '<html><head><link rel="stylesheet" href="/static/app.css">'
        '<script src="/static/a.js"></script><script src="/static/b.js"></script>'
        '<script src="https://cdn.example.com/x.js"></script>'
        '<link rel="icon" href="//app.example/favicon.ico">'
        '</head><body><a href="/about#team">About</a><a href="/about">again</a><a href="/logout">out</a>'
        '<a href="mailto:a@b.c">mail</a><a href="/">home</a><a href="/api/">api</a><img src="img/logo.png">'
    )
    home = HttpFacts("https://app.example/", "GET", 200, {"content-type": ["text/html"]}, body)
    urls = http_headers.discover_urls(home, known=["https://app.example/api/"])
    # One per (first segment, extension) first: b.js comes after the other locations; CDN, logout,
    # mailto, home itself and the configured /api/ are left out; /about once (fragment dropped).
    assert urls == [
        "https://app.example/static/app.css",
        "https://app.example/static/a.js",
        "https://app.example/favicon.ico",
        "https://app.example/about",
        "https://app.example/img/logo.png",
        "https://app.example/static/b.js",
    ]
    assert http_headers.discover_urls(home, limit=2) == urls[:2]
    json_home = HttpFacts("https://app.example/", "GET", 200, {"content-type": ["application/json"]}, body)
    assert http_headers.discover_urls(json_home) == []


def test_redirect_rules():
    chain = http_headers.RedirectChain
    same = chain("http://a.example/", [("http://a.example/", 301, "https://a.example/")])
    assert http_headers.assess_https_redirect(same).ok
    off = chain("http://a.example/", [("http://a.example/", 301, "https://b.example/")])
    assert "leaves the host" in http_headers.assess_https_redirect(off).findings[0].note
    none = chain("http://a.example/", [("http://a.example/", 200, None)])
    assert not http_headers.assess_https_redirect(none).ok
    to_http = chain("http://a.example/", [("http://a.example/", 302, "http://a.example/x")])
    assert not http_headers.assess_https_redirect(to_http).ok
    closed = http_headers.assess_https_redirect(
        chain("http://a.example/", [], listening=False, failure="connection closed without an answer")
    )
    assert not closed.ok
    assert (
        closed.findings[0].observed == "no answer on http://a.example/: connection closed without an answer"
    )


# -- CORS, rate limit, input validation -------------------------------------------------------------------


def _cors(origin, allow, creds=False):
    return cors.CorsAnswer("https://api/x", origin, "preflight", 204, allow, creds, True)


def test_cors_rules():
    prod = ["app.example.com"]
    good = cors.CorsFacts(
        "https://api/x",
        [
            _cors(cors.FOREIGN_ORIGIN, None),
            _cors("null", None),
            _cors("https://app.example.com", "https://app.example.com"),
        ],
    )
    assert cors.assess_cors([good], prod).ok
    wildcard = cors.CorsFacts("https://api/x", [_cors(cors.FOREIGN_ORIGIN, "*", True)])
    a = cors.assess_cors([wildcard], prod)
    assert not a.ok and "with credentials" in a.findings[0].note
    reflect = cors.CorsFacts("https://api/x", [_cors(cors.FOREIGN_ORIGIN, cors.FOREIGN_ORIGIN, True)])
    assert "echoes the requesting origin" in cors.assess_cors([reflect], prod).findings[0].note
    missing = cors.CorsFacts("https://api/x", [_cors("https://app.example.com", None)])
    assert "production domain not allowed" in cors.assess_cors([missing], prod).findings[0].note


def test_rate_limit_rules():
    hit = rate_limit.BurstFacts("https://api/x", 7, {200: 6, 429: 1}, 7)
    assert rate_limit.assess_rate_limit([hit]).ok
    headers = rate_limit.BurstFacts("https://api/x", 20, {200: 20}, None, {"ratelimit-policy": "100;w=60"})
    assert rate_limit.assess_rate_limit([headers]).ok
    none = rate_limit.BurstFacts("https://api/x", 20, {200: 20})
    assert not rate_limit.assess_rate_limit([none]).ok
    nginx503 = rate_limit.BurstFacts(
        "https://api/x", 7, {200: 6, 503: 1}, None, stopped="server answered 503"
    )
    assert "limit_req_status 429" in rate_limit.assess_rate_limit([nginx503]).findings[0].note


def test_input_validation_rules():
    ok = input_validation.CaseResult("https://api/x", "POST", "malformed JSON", 400, None)
    crash = input_validation.CaseResult("https://api/x", "POST", "malformed JSON", 500, None)
    trace = input_validation.CaseResult(
        "https://api/x", "POST", "wrong types", 422, "Traceback (most recent call last)"
    )
    accepted = input_validation.CaseResult("https://api/x", "POST", "wrong types", 201, None)
    assert input_validation.assess_input_validation([ok]).ok
    for bad in (crash, trace, accepted):
        assert not input_validation.assess_input_validation([bad]).ok
    body = 'Traceback (most recent call last):\n  File "/app/x.py", line 3, in <module>'
    assert input_validation.STACK_TRACE.search(body)
    assert input_validation.STACK_TRACE.search('Exception in thread "main" java.lang.NullPointerException')
    assert input_validation.STACK_TRACE.search("\n    at com.acme.Api.handle(Api.java:42)")
    assert not input_validation.STACK_TRACE.search('{"error": "invalid JSON at position 12"}')
    with pytest.raises(ProbeError):
        input_validation.parse_endpoint("DELETE https://api/x")
    assert input_validation.parse_endpoint("https://api/x") == ("POST", "https://api/x")


# -- TLS rules --------------------------------------------------------------------------------------


def tls_facts(**kw):
    base = dict(
        target="h:443",
        hostname="h",
        protocols={
            "SSLv2": False,
            "SSLv3": False,
            "TLSv1": False,
            "TLSv1.1": False,
            "TLSv1.2": True,
            "TLSv1.3": True,
        },
        accepted_ciphers={"TLSv1.2": ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]},
        leaf_names=["h"],
        not_after="2099-01-01T00:00:00+00:00",
        days_left=80.0,
        hostname_matches=True,
        trusted=True,
        vulnerabilities={
            "heartbleed": False,
            "ccs_injection": False,
            "robot": "NOT_VULNERABLE_NO_ORACLE",
            "insecure_renegotiation": False,
            "client_renegotiation_dos": False,
        },
        mozilla_profile="intermediate",
        mozilla_issues={},
    )
    base.update(kw)
    return tls.TlsFacts(**base)


def test_tls_rules_both_ways():
    good = [tls_facts()]
    for rule in TLS_RULES:
        assert rule(good).ok, rule.__name__
    assert tls.assess_expiry(good, 30).ok
    assert not tls.assess_expiry([tls_facts(days_left=10.0)], 30).ok
    assert not tls.assess_certificate([tls_facts(hostname_matches=False)]).ok
    assert not tls.assess_certificate(
        [tls_facts(trusted=False, trust_errors={"Mozilla": "unknown issuer"})]
    ).ok
    old = dict(tls_facts().protocols, TLSv1=True)
    a = tls.assess_protocols([tls_facts(protocols=old)])
    assert not a.ok and "TLSv1" in a.findings[0].note
    weak = tls.assess_ciphers(
        [tls_facts(accepted_ciphers={"TLSv1.2": ["TLS_ECDH_anon_WITH_AES_128_CBC_SHA"]})]
    )
    assert not weak.ok
    vuln = dict(tls_facts().vulnerabilities, heartbleed=True)
    assert not tls.assess_vulnerabilities([tls_facts(vulnerabilities=vuln)]).ok
    assert not tls.assess_mozilla([tls_facts(mozilla_issues={"tls_versions": "TLSv1"})]).ok
    with pytest.raises(ProbeError):
        tls.assess_certificate([tls_facts(error="no TLS connectivity")])


def test_tls_target_parse_and_hostname():
    assert tls.TlsTarget.parse("https://Example.com/x") == tls.TlsTarget("example.com", 443)
    assert tls.TlsTarget.parse("localhost:8443") == tls.TlsTarget("localhost", 8443)
    assert tls.hostname_matches("a.example.com", ["*.example.com"])
    assert not tls.hostname_matches("a.b.example.com", ["*.example.com"])
    assert tls.hostname_matches("127.0.0.1", ["127.0.0.1"])
    assert not tls.hostname_matches("localhost", ["other.example"])


# -- auth -------------------------------------------------------------------------------------------------


def _jwt(claims, secret="x" * 40):
    def enc(d):
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

    head = enc({"alg": "HS256", "typ": "JWT"})
    body = enc(claims)
    sig = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{base64.urlsafe_b64encode(sig).rstrip(b'=').decode()}"


SUPABASE_DEMO_ANON = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9"
    ".CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
)


def test_jwt_secret_rules():
    strong = "k" * 48
    good = auth.assess_jwt_secret(
        {"[supabase] jwt_secret": strong}, {"[supabase] anon_key": _jwt({"role": "anon"}, strong)}
    )
    assert good.ok
    default = "super-secret-jwt-token-with-at-least-32-characters-long"
    bad = auth.assess_jwt_secret(
        {"[supabase] jwt_secret": default}, {"[supabase] anon_key": SUPABASE_DEMO_ANON}
    )
    assert not bad.ok and all(not f.ok for f in bad.findings)
    assert default not in json.dumps([[f.subject, f.observed, f.expected, f.note] for f in bad.findings])
    assert SUPABASE_DEMO_ANON not in bad.message()
    # Without the secret: a token signed with a dev default is caught from its signature alone.
    minted = auth.assess_jwt_secret({}, {"[http] sample_token": _jwt({"role": "x"}, "your-256-bit-secret")})
    assert not minted.ok and "published default" in minted.findings[0].note
    assert not auth.assess_jwt_secret({"[supabase] jwt_secret": "short"}, {}).ok
    assert not auth.assess_jwt_secret({}, {"t": _jwt({}, "team-default")}, extra_defaults=["team-default"]).ok


def test_jwt_lifetime_and_supabase_settings():
    one_hour = auth.lifetime_from_token(_jwt({"iat": 1000, "exp": 4600}), "[http] sample_token")
    assert auth.assess_jwt_lifetime([one_hour], 3600).ok
    week = auth.lifetime_from_token(_jwt({"iat": 0, "exp": 604800}), "[http] sample_token")
    assert not auth.assess_jwt_lifetime([week], 3600).ok
    forever = auth.lifetime_from_token(_jwt({"iat": 0}), "[http] sample_token")
    assert not auth.assess_jwt_lifetime([forever], 3600).ok
    with pytest.raises(ProbeError):
        auth.lifetime_from_token("not-a-token", "[http] sample_token")
    good = {"mailer_autoconfirm": False, "phone_autoconfirm": False, "jwt_exp": 3600}
    assert auth.assess_supabase_auth(good, "s", 3600).ok
    assert not auth.assess_supabase_auth({"mailer_autoconfirm": True}, "s", 3600).ok
    assert not auth.assess_supabase_auth({"mailer_autoconfirm": False, "jwt_exp": 86400}, "s", 3600).ok
    with pytest.raises(ProbeError):
        auth.assess_supabase_auth({"external": {}}, "s", 3600)


def test_rbac_rules():
    ok = auth.RbacResult("anonymous", "GET", "https://api/admin", [401, 403], 401)
    leak = auth.RbacResult("anonymous", "GET", "https://api/admin", [401, 403], 200)
    assert auth.assess_rbac([ok]).ok
    a = auth.assess_rbac([leak])
    assert not a.ok and a.findings[0].note == "anonymous caller got access"


# -- compliance ---------------------------------------------------------------------------------------


def test_audit_logging_rules():
    pgaudit = compliance.AuditFacts(
        {"shared_preload_libraries": "pg_stat_statements,pgaudit", "pgaudit.log": "ddl"}
    )
    assert compliance.assess_audit_logging(pgaudit).ok
    nothing = compliance.AuditFacts(
        {"shared_preload_libraries": "", "pgaudit.log": None, "log_statement": "none"}
    )
    assert not compliance.assess_audit_logging(nothing).ok
    logs = compliance.AuditFacts(
        {"shared_preload_libraries": "", "log_statement": "ddl", "log_connections": "on"}
    )
    assert compliance.assess_audit_logging(logs, {"log_statement": "ddl", "log_connections": True}).ok
    assert not compliance.assess_audit_logging(logs, {"log_statement": "all"}).ok


def test_privacy_policy_rules():
    good = compliance.PolicyFacts("https://a/privacy", 200, "text/html", 5000, None, "https://a/privacy")
    assert compliance.assess_privacy_policy(good).ok
    assert not compliance.assess_privacy_policy(
        compliance.PolicyFacts("https://a/privacy", 404, "text/html", 100, None, "https://a/privacy")
    ).ok
    assert not compliance.assess_privacy_policy(
        compliance.PolicyFacts("https://a/privacy", 200, "text/html", 3, None, "https://a/privacy")
    ).ok
