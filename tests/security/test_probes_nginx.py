"""The security probes against real nginx servers, good and bad variants, and against h5bp's configs."""

from __future__ import annotations

import datetime as dt

import pytest

from pytest_readiness.env_schema import default
from pytest_readiness.errors import ProbeError
from pytest_readiness.launcher.base import free_port
from pytest_readiness.probes.web import compliance, cors, http_headers, input_validation, rate_limit, tls
from pytest_readiness.probes.web.auth import assess_rbac, probe_rbac
from pytest_readiness.probes.web.http_client import HttpConfig
from tests.support.security import (
    CLOSE_444,
    H5BP,
    SITE_FILES,
    TLS_RULES,
    adapt_vhost,
    h5bp_copy,
    h5bp_http_body,
    https,
    linked_site,
)

PATHS = ["/", "/login", "/api/items"]
OVERSIZED = default("http", "input_max_body_bytes")


def pages(cfg, server):
    return http_headers.fetch_pages(cfg, [https(server, p) for p in PATHS])


def by_subject(assessment):
    return {f.subject: f for f in assessment.findings}


# -- headers -----------------------------------------------------------------------------------------


def test_headers_good(http_cfg, good_app):
    p = pages(http_cfg, good_app)
    for rule in (
        http_headers.assess_hsts,
        http_headers.assess_csp,
        http_headers.assess_content_type_options,
        http_headers.assess_frame_options,
        http_headers.assess_referrer_policy,
        http_headers.assess_cookies,
    ):
        a = rule(p)
        assert a.ok, a.message()
    hsts = http_headers.assess_hsts(p)
    assert hsts.findings[0].observed == "max-age=31536000; includeSubDomains"
    cookies = http_headers.assess_cookies(p)
    assert [f.observed for f in cookies.findings] == [{"secure": True, "httponly": True, "samesite": "Lax"}]


def test_headers_bad(http_cfg, bad_app):
    p = pages(http_cfg, bad_app)
    hsts = http_headers.assess_hsts(p)
    assert not hsts.ok and all(f.note == "header missing" for f in hsts.findings)
    csp_a = by_subject(http_headers.assess_csp(p))
    root = csp_a[f"{https(bad_app)} header Content-Security-Policy"]
    assert not root.ok and "'unsafe-inline' in script-src without a nonce or hash" in root.note
    assert "'unsafe-eval' in script-src" in root.note
    # /api/items sets its own add_header (CORS): nginx dropped the server-level CSP and nosniff there.
    lost = csp_a[f"{https(bad_app, '/api/items')} header Content-Security-Policy"]
    assert lost.observed is None and "no Content-Security-Policy header" in lost.note
    nosniff = by_subject(http_headers.assess_content_type_options(p))
    assert nosniff[f"{https(bad_app)} header X-Content-Type-Options"].ok
    assert not nosniff[f"{https(bad_app, '/api/items')} header X-Content-Type-Options"].ok
    assert not http_headers.assess_frame_options(p).ok
    assert not http_headers.assess_referrer_policy(p).ok
    cookie = http_headers.assess_cookies(p)
    assert not cookie.ok and "Secure missing" in cookie.findings[0].note


def test_redirect_both_ways(http_cfg, good_app, bad_app):
    good = http_headers.fetch_redirect_chain(http_cfg, f"http://localhost:{good_app.http_port}/")
    a = http_headers.assess_https_redirect(good)
    assert a.ok, a.message()
    assert a.findings[0].observed[0]["location"] == f"https://localhost:{good_app.https_port}/"
    # Entered by IP, the same server redirects to another host name: HSTS cannot be set for the IP.
    off = http_headers.assess_https_redirect(
        http_headers.fetch_redirect_chain(http_cfg, good_app.http_url + "/")
    )
    assert not off.ok and "leaves the host" in off.findings[0].note
    bad_url = f"http://localhost:{bad_app.http_port}/"
    bad = http_headers.assess_https_redirect(http_headers.fetch_redirect_chain(http_cfg, bad_url))
    assert not bad.ok and "without redirecting" in bad.findings[0].note


def test_redirect_no_answer_is_a_finding_and_pages_still_judged(http_cfg, nginx_server_factory, good_cert):
    # nginx `return 444` closes the connection without a status line (as sites that drop plain HTTP do).
    server = nginx_server_factory(CLOSE_444, certs=good_cert)
    url = f"http://localhost:{server.http_port}/"
    chain = http_headers.fetch_redirect_chain(http_cfg, url)
    assert not chain.listening and chain.failure == "connection closed without an answer"
    closed = http_headers.assess_https_redirect(chain)
    assert not closed.ok
    assert closed.findings[0].observed == f"no answer on {url}: connection closed without an answer"
    assert closed.findings[0].expected == "3xx to https:// on the same host"
    # The HTTPS page of the same server is still judged (and passes) from its own facts.
    assert http_headers.assess_hsts(http_headers.fetch_pages(http_cfg, [https(server)])).ok
    # Nothing listening at all: refused, also a finding of the redirect check.
    refused_url = f"http://localhost:{free_port()}/"
    refused = http_headers.assess_https_redirect(http_headers.fetch_redirect_chain(http_cfg, refused_url))
    assert (
        not refused.ok and refused.findings[0].observed == f"no answer on {refused_url}: connection refused"
    )
    # A name that does not resolve is a probe problem, not a finding.
    with pytest.raises(ProbeError, match="cannot connect"):
        http_headers.fetch_redirect_chain(http_cfg, "http://no-such-host.invalid/")


@pytest.mark.parametrize("good", [True, False])
def test_linked_pages_find_a_location_that_drops_headers(http_cfg, nginx_server_factory, good_cert, good):
    server = nginx_server_factory(linked_site(good), certs=good_cert, files=SITE_FILES)
    home = http_headers.fetch_pages(http_cfg, [https(server)])
    linked = http_headers.fetch_linked(http_cfg, home[0], [https(server)])
    assert [p.url for p in linked.pages] == [https(server, "/about.html")]
    assert sorted(p.url for p in linked.assets) == [
        https(server, "/static/app.css"),
        https(server, "/static/app.js"),
    ]
    assert linked.skipped == {https(server, "/missing.html"): "HTTP 404"}
    assert "/logout" not in (server.dir / "logs" / "access.log").read_text()  # never requested
    pages = home + linked.pages
    nosniff = http_headers.assess_content_type_options(pages + linked.assets)
    csp_a = http_headers.assess_csp(pages)
    assert nosniff.ok is good and csp_a.ok is good
    if not good:
        bad = by_subject(nosniff)[f"{https(server, '/static/app.js')} header X-Content-Type-Options"]
        assert bad.observed == [] and bad.note == "header missing"
        about = by_subject(csp_a)[f"{https(server, '/about.html')} header Content-Security-Policy"]
        assert about.observed is None and not about.ok
        assert by_subject(csp_a)[f"{https(server)} header Content-Security-Policy"].ok


def test_untrusted_or_unreachable_is_probe_error(good_app):
    with pytest.raises(ProbeError, match="TLS verification failed"):
        http_headers.fetch_pages(HttpConfig(timeout=5.0, verify=True), [https(good_app)])
    with pytest.raises(ProbeError, match="cannot connect"):
        http_headers.fetch_pages(HttpConfig(timeout=2.0), ["https://127.0.0.1:9/"])


# -- CORS, rate limit, input validation, RBAC, privacy -----------------------------------------------------


def test_cors_both_ways(http_cfg, good_app, bad_app):
    prod = ["app.example.com"]
    good = cors.assess_cors(cors.probe(http_cfg, [https(good_app, "/api/items")], prod), prod)
    assert good.ok, good.message()
    bad = cors.assess_cors(cors.probe(http_cfg, [https(bad_app, "/api/items")], prod), prod)
    assert not bad.ok
    foreign = next(f for f in bad.findings if "foreign origin" in f.subject)
    assert "Access-Control-Allow-Origin * with credentials" in foreign.note
    assert foreign.observed[0]["allow-origin"] == "*" and foreign.observed[0]["credentials"] is True


def test_rate_limit_both_ways(http_cfg, nginx_server_factory, good_cert):
    from tests.support.security import app_server

    # Own servers: a burst must not leave the shared app servers rate limited for other tests.
    on = nginx_server_factory(app_server(True), certs=good_cert, shared=False)
    off = nginx_server_factory(app_server(False), certs=good_cert, shared=False)
    facts_on = rate_limit.burst(http_cfg, https(on, "/limited/"), count=20, budget_s=10)
    assert facts_on.first_429_at is not None and facts_on.first_429_at <= 6
    assert facts_on.sent == facts_on.first_429_at  # stopped at the first 429
    assert rate_limit.assess_rate_limit([facts_on]).ok
    facts_off = rate_limit.burst(http_cfg, https(off, "/limited/"), count=8, budget_s=10)
    a = rate_limit.assess_rate_limit([facts_off])
    assert not a.ok and a.findings[0].observed["statuses"] == {200: 8}
    with pytest.raises(ProbeError):
        rate_limit.burst(http_cfg, https(off, "/limited/"), count=10_000, budget_s=10)


def test_input_validation_both_ways(http_cfg, good_app, bad_app):
    good = input_validation.assess_input_validation(
        input_validation.probe(http_cfg, [https(good_app, "/api/items")], OVERSIZED)
    )
    assert good.ok, good.message()
    oversized = next(f for f in good.findings if f.subject.endswith("oversized body"))
    assert oversized.observed["status"] == 413 or oversized.observed["status"] is None
    bad = input_validation.assess_input_validation(
        input_validation.probe(http_cfg, [https(bad_app, "/api/items")], OVERSIZED)
    )
    malformed = next(f for f in bad.findings if f.subject.endswith("malformed JSON"))
    assert not malformed.ok and "server error 500" in malformed.note and "stack trace" in malformed.note


def test_rbac_both_ways(http_cfg, good_app, bad_app):
    triples = [
        {"role": "anonymous", "endpoint": https(good_app, "/admin/"), "expected_status": [401, 403]},
        {
            "role": "admin",
            "role_token": "admin-token-value",
            "endpoint": https(good_app, "/admin/"),
            "expected_status": 200,
        },
    ]
    good = assess_rbac(probe_rbac(http_cfg, triples))
    assert good.ok, good.message()
    assert "admin-token-value" not in repr(good.findings)
    bad = assess_rbac(probe_rbac(http_cfg, [dict(triples[0], endpoint=https(bad_app, "/admin/"))]))
    assert (
        not bad.ok
        and bad.findings[0].observed == 200
        and bad.findings[0].note == "anonymous caller got access"
    )
    with pytest.raises(ProbeError, match="not read-only"):
        probe_rbac(http_cfg, [dict(triples[0], method="DELETE")])


def test_privacy_policy_both_ways(http_cfg, good_app, bad_app):
    assert compliance.assess_privacy_policy(
        compliance.fetch_privacy_policy(http_cfg, https(good_app, "/privacy.html"))
    ).ok
    placeholder = compliance.assess_privacy_policy(
        compliance.fetch_privacy_policy(http_cfg, https(bad_app, "/privacy.html"))
    )
    assert not placeholder.ok and "not a policy" in placeholder.findings[0].note
    missing = compliance.assess_privacy_policy(
        compliance.fetch_privacy_policy(http_cfg, https(good_app, "/nope.html"))
    )
    assert not missing.ok and missing.findings[0].observed["status"] == 404


# -- TLS (one concurrent scan of every variant) ----------------------------------------------------------


@pytest.fixture(scope="module")
def tls_results(tls_servers, strict_ca):
    targets = {name: tls.TlsTarget("localhost", s.https_port) for name, s in tls_servers.items()}
    facts = tls.scan(targets.values(), ca_file=strict_ca.ca_path, timeout=5)
    return {name: facts[t.label] for name, t in targets.items()}


def test_tls_good(tls_results):
    good = [tls_results["good"]]
    for rule in TLS_RULES:
        a = rule(good)
        assert a.ok, a.message()
    assert tls.assess_expiry(good, 30).ok
    assert not tls.assess_expiry(good, 120).ok  # 90-day certificate: the threshold is honoured
    assert tls_results["good"].protocols["TLSv1.3"] and not tls_results["good"].protocols["TLSv1"]


@pytest.mark.parametrize(
    ("variant", "note"),
    [
        ("expired", "expired on"),
        ("self_signed", "chain not trusted"),
        ("wrong_host", "do not match localhost"),
    ],
)
def test_tls_bad_certificates(tls_results, variant, note):
    a = tls.assess_certificate([tls_results[variant]])
    assert not a.ok and note in a.findings[0].note, a.message()
    assert "certificate_path_validation" in tls_results[variant].mozilla_issues


def test_tls_expired_fails_expiry(tls_results):
    a = tls.assess_expiry([tls_results["expired"]], 30)
    assert not a.ok and a.findings[0].observed["days_left"] < 0


def test_tls_old_protocols_and_weak_ciphers(tls_results):
    old = tls.assess_protocols([tls_results["tls10"]])
    assert not old.ok and "TLSv1, TLSv1.1" in old.findings[0].note
    assert "tls_versions" in tls_results["tls10"].mozilla_issues
    weak = tls.assess_ciphers([tls_results["weak_ciphers"]])
    assert not weak.ok and all("_anon_" in c for c in weak.findings[0].observed)
    assert "ciphers" in tls_results["weak_ciphers"].mozilla_issues
    assert tls.assess_vulnerabilities([tls_results["tls10"]]).ok  # old but not vulnerable: separate verdicts


def test_tls_unreachable_is_error():
    facts = tls.scan([tls.TlsTarget("127.0.0.1", 9)], timeout=2, mozilla_profile=None)
    with pytest.raises(ProbeError, match="no TLS connectivity"):
        tls.assess_certificate(facts.values())


# -- h5bp server configs (tests/data/realworld) ------------------------------------------------------------


@pytest.fixture(scope="module")
def h5bp_root(tmp_path_factory):
    return h5bp_copy(tmp_path_factory.mktemp("h5bp"))


def h5bp_server(factory, cert, root, vhost: str, server_name: str):
    text = adapt_vhost((H5BP / vhost).read_text(), root, server_name)
    return factory(
        h5bp_http_body(root, text), certs=cert, files={"index.html": "<html>h5bp</html>\n", "404.html": "nf"}
    )


def test_h5bp_example_com_no_hsts_no_csp(nginx_server_factory, good_cert, h5bp_root, http_cfg):
    """README: example.com.conf has no HSTS and no CSP -> both fail; basic.conf's headers pass."""
    server = h5bp_server(
        nginx_server_factory, good_cert, h5bp_root, "conf.d/templates/example.com.conf", "example.com"
    )
    p = http_headers.fetch_pages(http_cfg, [https(server, "/index.html")])
    assert not http_headers.assess_hsts(p).ok
    assert http_headers.assess_csp(p).findings[0].note.startswith("no Content-Security-Policy")
    assert http_headers.assess_content_type_options(p).ok
    assert http_headers.assess_frame_options(p).ok  # $x_frame_options = DENY for text/html
    assert http_headers.assess_referrer_policy(p).ok  # strict-origin-when-cross-origin


def test_h5bp_policy_balanced_is_tls12_only(nginx_server_factory, good_cert, h5bp_root, strict_ca):
    """README: policy_balanced is TLS 1.2 only.  Our protocol rule passes it (1.2 is allowed); sslyze's
    Mozilla intermediate checker still fails it: ``EECDH+AES`` enables CBC suites outside the profile."""
    server = h5bp_server(
        nginx_server_factory, good_cert, h5bp_root, "conf.d/templates/example.com.conf", "example.com"
    )
    target = tls.TlsTarget("localhost", server.https_port)
    facts = next(iter(tls.scan([target], ca_file=strict_ca.ca_path, timeout=5).values()))
    offered = [p for p, on in facts.protocols.items() if on]
    assert offered == ["TLSv1.2"]
    assert tls.assess_protocols([facts]).ok
    assert tls.assess_certificate([facts]).ok
    assert set(facts.mozilla_issues or {}) == {"ciphers"}, facts.mozilla_issues


def test_h5bp_secure_server_hsts_below_one_year(nginx_server_factory, good_cert, h5bp_root, http_cfg):
    """README: secure.server.localhost.conf sends HSTS with max-age below one year (16070400 s = 186 days).

    Our rule is the Observatory's: max-age >= 15552000 s (six months) passes, so this config passes.
    A one-year minimum is hstspreload.org's requirement for the preload list, not a security
    failure; set the threshold ``hsts_min_age_s = 31536000`` to demand it (asserted below).
    """
    server = h5bp_server(
        nginx_server_factory,
        good_cert,
        h5bp_root,
        "test/vhosts/secure.server.localhost.conf",
        "secure.server.localhost",
    )
    p = http_headers.fetch_pages(http_cfg, [https(server, "/index.html")])
    a = http_headers.assess_hsts(p)
    assert a.ok and a.findings[0].observed == "max-age=16070400; includeSubDomains"
    one_year = http_headers.assess_hsts(p, min_age=31536000)
    assert not one_year.ok and "max-age 16070400 < 31536000" in one_year.findings[0].note


def test_fixture_dates_sane(good_cert):
    assert good_cert.not_after is not None and good_cert.not_after > dt.datetime.now(dt.UTC)
