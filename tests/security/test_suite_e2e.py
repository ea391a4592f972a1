"""End to end: ``pytest --env=<generated> suites/test_security.py`` on nginx variants → readiness.json."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness.probes.web import compliance
from tests.support.readiness import run_readiness
from tests.support.security import HTTP_444, SITE_FILES, https, linked_site

ADMIN_TOKEN = "admin-token-value"


def _sample_token(lifetime_s: int) -> str:
    def enc(d: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

    claims = {"iat": 1000, "exp": 1000 + lifetime_s, "sub": "u1"}
    return f"{enc({'alg': 'HS256', 'typ': 'JWT'})}.{enc(claims)}.c2ln"


def env_toml(server, ca: Path, *, lifetime_s: int, jwt_secret: str) -> str:
    token = _sample_token(lifetime_s)
    return f"""
[settings]
timeout_s = 5

[http]
base_url = "{https(server)}"
http_url = "http://localhost:{server.http_port}/"
paths = ["/", "/login", "/api/items"]
ca_file = "{ca}"
production_domains = ["app.example.com"]
cors_endpoints = ["{https(server, "/api/items")}"]
rate_limit_endpoints = ["{https(server, "/limited/")}"]
rate_limit_burst = 12
input_endpoints = ["{https(server, "/api/items")}"]
privacy_policy_url = "{https(server, "/privacy.html")}"
sample_token = "{token}"

[[http.rbac]]
role = "anonymous"
endpoint = "{https(server, "/admin/")}"
expected_status = [401, 403]

[[http.rbac]]
role = "admin"
role_token = "{ADMIN_TOKEN}"
endpoint = "{https(server, "/admin/")}"
expected_status = 200

[supabase]
jwt_secret = "{jwt_secret}"

[tls]
hosts = ["localhost:{server.https_port}"]
ca_file = "{ca}"
"""


def run_suite(tmp_path: Path, env_text: str, *extra: str) -> tuple[dict[str, dict[str, Any]], str]:
    run = run_readiness(
        tmp_path, env_text, "suites/test_security.py", "-W", "ignore::DeprecationWarning", *extra, timeout=180
    )
    return run.items, run.text + run.stdout + run.stderr


AUTOMATED = [
    "SEC-AUTH-JWT-SECRET",
    "SEC-AUTH-RBAC",
    "SEC-AUTH-SESSION-TIMEOUT",
    "SEC-API-CORS",
    "SEC-API-RATE-LIMIT",
    "SEC-API-INPUT-VALIDATION",
    "SEC-INFRA-TLS",
    "SEC-INFRA-HEADERS",
    "SEC-COMPLIANCE-PRIVACY",
]


def test_suite_good_and_bad(tmp_path, good_app, bad_app, strict_ca):
    """Good run under xdist (-n 2), bad run serial (-n 0): both must give exactly the expected verdicts."""
    good, good_text = run_suite(
        tmp_path / "good",
        env_toml(good_app, strict_ca.ca_path, lifetime_s=3600, jwt_secret="q" * 48),
        "-n",
        "2",
    )
    statuses = {i: good[i]["status"] for i in AUTOMATED}
    assert set(statuses.values()) == {"pass"}, statuses
    assert good["SEC-AUTH-SUPABASE-PROD"]["status"] == "unverified"  # no [supabase] url
    tls_evidence = [f for ev in good["SEC-INFRA-TLS"]["evidence"] for f in ev["findings"]]
    assert {f["subject"] for f in tls_evidence} >= {f"localhost:{good_app.https_port} certificate"}

    bad, bad_text = run_suite(
        tmp_path / "bad",
        env_toml(
            bad_app,
            strict_ca.ca_path,
            lifetime_s=7 * 86400,
            jwt_secret="super-secret-jwt-token-with-at-least-32-characters-long",
        ),
        "-n",
        "0",
    )
    bad_status = {i: bad[i]["status"] for i in AUTOMATED}
    expected_fail = set(AUTOMATED) - {"SEC-INFRA-TLS"}  # same good TLS config on both
    assert {i for i, s in bad_status.items() if s == "fail"} == expected_fail, bad_status
    headers = [f for ev in bad["SEC-INFRA-HEADERS"]["evidence"] for f in ev["findings"] if not f["ok"]]
    assert any(f["subject"].endswith("/api/items header Content-Security-Policy") for f in headers)
    for text in (good_text, bad_text):
        assert ADMIN_TOKEN not in text
        assert "super-secret-jwt-token-with-at-least-32-characters-long" not in text


def test_headers_no_plain_http_answer_and_linked_location(
    tmp_path, nginx_server_factory, good_cert, strict_ca
):
    """Plain HTTP closed (nginx 444) is the redirect finding; the HTTPS verdicts still stand, and a
    location the home page links to that drops the server's headers is found without configuration."""
    server = nginx_server_factory(HTTP_444 + linked_site(False), certs=good_cert, files=SITE_FILES)
    env = f"""
[http]
base_url = "{https(server)}"
http_url = "http://localhost:{server.http_port}/"
ca_file = "{strict_ca.ca_path}"
"""
    items, _ = run_suite(tmp_path, env, "-k", "hsts or csp or content_type or redirects")
    headers = items["SEC-INFRA-HEADERS"]
    assert headers["status"] == "fail", headers
    found = {f["subject"]: f for ev in headers["evidence"] for f in ev["findings"]}
    redirect = found[f"http://localhost:{server.http_port}/ redirect"]
    assert not redirect["ok"]
    assert redirect["observed"] == (
        f"no answer on http://localhost:{server.http_port}/: connection closed without an answer"
    )
    assert found[f"{https(server)} header Strict-Transport-Security"]["ok"]  # the HTTPS verdict stands
    assert found[f"{https(server)} header Content-Security-Policy"]["ok"]
    assert not found[f"{https(server, '/about.html')} header Strict-Transport-Security"]["ok"]
    assert not found[f"{https(server, '/static/app.js')} header X-Content-Type-Options"]["ok"]
    assert f"{https(server, '/static/app.js')} header Content-Security-Policy" not in found  # an asset


def test_unreachable_target_is_error_fast(tmp_path, strict_ca):
    env = f"""
[settings]
timeout_s = 2
[http]
base_url = "https://localhost:9/"
ca_file = "{strict_ca.ca_path}"
[tls]
hosts = ["localhost:9"]
"""
    items, _ = run_suite(tmp_path, env)
    assert items["SEC-INFRA-HEADERS"]["status"] == "error"
    assert items["SEC-INFRA-TLS"]["status"] == "error"
    assert items["SEC-API-CORS"]["status"] == "unverified"


# -- audit logging against a real PostgreSQL -------------------------------------------------------------


@pytest.mark.parametrize("logged", [True, False])
def test_audit_logging_postgres(postgres_server_factory, logged):
    settings = {"log_connections": "on", "log_statement": "ddl"} if logged else {"log_statement": "none"}
    server = postgres_server_factory(settings=settings)

    def setting(name: str) -> Any:
        rows = server.execute("SELECT current_setting(%s, true)", (name,))
        return rows[0][0] if rows else None

    expected = {"log_connections": "on", "log_statement": "ddl"}
    a = compliance.assess_audit_logging(compliance.gather_audit(setting, expected), expected)
    assert a.ok is logged, a.message()
    pgaudit = a.findings[0]
    assert pgaudit.observed["pgaudit.log"] is None  # pgaudit is not installed here: the log_* trail decides
