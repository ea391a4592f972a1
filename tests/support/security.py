# ruff: noqa: E501  (nginx directives are kept on one line, as in real configs)
"""nginx variants (good and bad) for the security probes, started by the launcher.

Every good server sends its security headers from one snippet that is repeated in each location
with its own ``add_header`` (nginx drops server-level ``add_header`` in such a location: the bad
variants rely on exactly that pitfall).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from pytest_readiness.probes.web import tls

#: The TLS rules that need no threshold (expiry takes the days): one good scan passes every one.
TLS_RULES = (
    tls.assess_certificate,
    tls.assess_protocols,
    tls.assess_ciphers,
    tls.assess_vulnerabilities,
    tls.assess_mozilla,
)

REALWORLD = Path(__file__).resolve().parents[1] / "data" / "realworld"
H5BP = REALWORLD / "nginx" / "h5bp-server-configs-nginx"

MOZILLA_INTERMEDIATE = """
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ecdh_curve X25519:prime256v1:secp384r1;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
    ssl_prefer_server_ciphers off;
"""

SECURITY_HEADERS = """
    add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    add_header Content-Security-Policy "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'" always;
    add_header X-Content-Type-Options nosniff always;
    add_header X-Frame-Options DENY always;
    add_header Referrer-Policy strict-origin-when-cross-origin always;
"""

CORS_GOOD = """
    add_header Access-Control-Allow-Origin $cors_origin always;
    add_header Access-Control-Allow-Credentials true always;
    add_header Vary Origin always;
    if ($request_method = OPTIONS) { return 204; }
"""
CORS_BAD = """
    add_header Access-Control-Allow-Origin * always;
    add_header Access-Control-Allow-Credentials true always;
    if ($request_method = OPTIONS) { return 204; }
"""

HTTP_PREAMBLE = """
map $http_origin $cors_origin { default ""; "https://app.example.com" $http_origin; }
limit_req_zone $binary_remote_addr zone=probe:1m rate=1r/s;
"""

PRIVACY_HTML = (
    "<html><body><h1>Privacy policy</h1>"
    + "<p>We process personal data lawfully.</p>" * 20
    + "</body></html>"
)
TRACEBACK = (
    'Traceback (most recent call last):\\n  File \\"/app/api.py\\", line 12, in create\\nKeyError: name'
)


def app_server(good: bool) -> str:
    """An app-like nginx: pages, API (CORS, input validation), admin (RBAC), rate-limited path."""
    server_headers = (
        SECURITY_HEADERS
        if good
        else (
            "    add_header X-Content-Type-Options nosniff always;\n"
            "    add_header Content-Security-Policy \"default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'\" always;\n"
        )
    )
    redirect = "return 301 https://localhost:{https_port}$request_uri;" if good else "root {root};"
    api_headers = (SECURITY_HEADERS + CORS_GOOD) if good else CORS_BAD
    api_body = 'return 422 \'{"error":"invalid body"}\';' if good else f'return 500 "{TRACEBACK}";'
    admin = (
        'if ($http_authorization = "Bearer admin-token-value") { return 200 "admin"; } return 401;'
        if good
        else 'return 200 "admin";'
    )
    limited = "limit_req zone=probe burst=3 nodelay; limit_req_status 429;" if good else ""
    cookie = (
        'add_header Set-Cookie "sessionid=abc; Path=/; Secure; HttpOnly; SameSite=Lax" always;'
        if good
        else 'add_header Set-Cookie "sessionid=abc; Path=/" always;'
    )
    return (
        HTTP_PREAMBLE
        + f"""
server {{
    listen 127.0.0.1:{{http_port}};
    server_name localhost;
    {redirect}
}}
server {{
    listen 127.0.0.1:{{https_port}} ssl;
    server_name localhost;
    ssl_certificate {{cert}};
    ssl_certificate_key {{key}};
{MOZILLA_INTERMEDIATE}
    root {{root}};
{server_headers}
    location / {{ try_files $uri $uri/ =404; }}
    location = /login {{
{SECURITY_HEADERS if good else ""}
        {cookie}
        return 200 "login";
    }}
    location /api/ {{
{api_headers}
        client_max_body_size 64k;
        default_type application/json;
        if ($request_method = POST) {{ {api_body} }}
        return 200 '{{"items": []}}';
    }}
    location /admin/ {{ {admin} }}
    # try_files, not return: return runs in the rewrite phase, before limit_req could count the request.
    location /limited/ {{ {limited} try_files /index.html =404; }}
}}
"""
    )


def https(server, path: str = "/") -> str:
    return f"https://localhost:{server.https_port}{path}"


# Plain HTTP to "localhost" is closed with nginx's 444; the launcher's readiness probe (Host 127.0.0.1)
# reaches the default server, which answers.
HTTP_444 = """
server {
    listen 127.0.0.1:{http_port} default_server;
    return 200 "ready";
}
server {
    listen 127.0.0.1:{http_port};
    server_name localhost;
    return 444;
}
"""
CLOSE_444 = (
    HTTP_444
    + """
server {
    listen 127.0.0.1:{https_port} ssl;
    server_name localhost;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    root {root};
"""
    + SECURITY_HEADERS
    + """
}
"""
)


SITE_HTML = (
    '<!doctype html><html><head><link rel="stylesheet" href="/static/app.css">'
    '<script src="/static/app.js"></script></head><body><a href="/about.html">About</a>'
    '<a href="/logout">Log out</a><a href="/missing.html">gone</a></body></html>'
)


def linked_site(good: bool) -> str:
    """Headers at server level; /static/ and /about.html add their own header (cache, robots).

    nginx then drops every server-level add_header there, unless (good) the snippet is repeated.
    """
    again = SECURITY_HEADERS if good else ""
    return f"""
types {{ text/html html; text/css css; application/javascript js; }}
server {{
    listen 127.0.0.1:{{https_port}} ssl;
    server_name localhost;
    ssl_certificate {{cert}};
    ssl_certificate_key {{key}};
    root {{root}};
{SECURITY_HEADERS}
    location / {{ try_files $uri $uri/ =404; }}
    location /static/ {{ add_header Cache-Control "public, max-age=31536000"; {again} }}
    location = /about.html {{ add_header X-Robots-Tag noindex; {again} }}
    location = /logout {{ return 500; }}
}}
"""


SITE_FILES = {
    "index.html": SITE_HTML,
    "about.html": "<html><body>about</body></html>",
    "static/app.css": "body{}",
    "static/app.js": "1;",
}


# -- TLS variants -----------------------------------------------------------------------------------

TLS_BLOCK = """
server {{
    listen 127.0.0.1:{{https_port}} ssl;
    server_name localhost;
    ssl_certificate {{cert}};
    ssl_certificate_key {{key}};
{tls}
    root {{root}};
}}
"""
TLS10 = "    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n    ssl_ciphers ECDHE+AESGCM:ECDHE+AES:@SECLEVEL=0;\n"
# Debian 12's OpenSSL 3 refuses anonymous suites and TLS 1.0 unless the security level drops to 0.
WEAK = "    ssl_protocols TLSv1.2;\n    ssl_ciphers ECDHE+AESGCM:aNULL:@SECLEVEL=0;\n"


def h5bp_copy(dest: Path) -> Path:
    """The real h5bp snippets, copied with their relative includes made absolute."""
    shutil.copytree(H5BP, dest, dirs_exist_ok=True)
    for conf in [*dest.rglob("*.conf"), dest / "mime.types"]:
        text = conf.read_text()
        text = re.sub(r"(\binclude\s+)(h5bp/|mime\.types)", lambda m: f"{m[1]}{dest}/{m[2]}", text)
        # The launcher's http {} already sets default_type; nginx refuses a duplicate.
        text = re.sub(r"^([ \t]*default_type\b)", r"# \1", text, flags=re.M)
        conf.write_text(text)
    return dest


def h5bp_http_body(root: Path, vhost_text: str) -> str:
    """The http {} body of h5bp's nginx.conf with ``include conf.d/*.conf`` replaced by one vhost."""
    text = (root / "nginx.conf").read_text()
    body = text[text.index("http {") + len("http {") : text.rindex("}")]
    body = re.sub(r"^\s*access_log\s+/var/log[^;]*;", "", body, flags=re.M)
    body = re.sub(r"^\s*include conf\.d/\*\.conf;", "", body, flags=re.M)
    body = re.sub(r"(\binclude\s+)(h5bp/)", lambda m: f"{m[1]}{root}/{m[2]}", body)
    return body + "\n" + vhost_text + "\n"


def adapt_vhost(text: str, root: Path, server_name: str) -> str:
    """Local ports, certificates and host name; everything else in the server blocks untouched."""
    text = re.sub(r"^\s*listen \[::\]:443[^;]*;", "", text, flags=re.M)
    text = re.sub(r"listen 443 ssl http2[^;]*;", "listen 127.0.0.1:{https_port} ssl http2;", text)
    text = re.sub(r"^\s*listen \[::\]:80[^;]*;", "", text, flags=re.M)
    text = re.sub(r"listen 80[^;]*;", "listen 127.0.0.1:{http_port};", text)
    text = text.replace(
        "include h5bp/tls/certificate_files.conf;", "ssl_certificate {cert}; ssl_certificate_key {key};"
    )
    text = re.sub(r"root /var/www/[^;]*;", "root {root};", text)
    text = text.replace(f"server_name {server_name};", "server_name localhost;")
    text = re.sub(r"(\binclude\s+)(h5bp/)", lambda m: f"{m[1]}{root}/{m[2]}", text)
    return text
