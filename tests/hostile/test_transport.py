"""The one HTTP transport and the one YAML loader: their rules, proved against real loopback servers.

Also the structural guarantee: no module under ``pytest_readiness/probes`` or ``fixtures`` talks
HTTP around :mod:`pytest_readiness.probes.transport` (checked on the AST).
"""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest

from pytest_readiness import __version__, safe_yaml
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes import transport
from pytest_readiness.probes.web.http_client import HttpConfig, send
from tests.support import hostile

PACKAGE = Path(__file__).resolve().parents[2] / "pytest_readiness"
HTTP_METHODS = {"get", "head", "post", "put", "patch", "delete", "options", "request"}
OTHER_STACKS = {"urllib.request", "http.client", "httpx", "aiohttp", "urllib3"}


def _bypasses(path: Path) -> list[str]:
    """Calls and imports in ``path`` that would talk HTTP without the transport."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    imports_requests = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            imports_requests |= "requests" in names
            found += [
                f"import {n}"
                for n in names
                if (n in OTHER_STACKS or n.split(".")[0] in OTHER_STACKS) and n != "urllib3.exceptions"
            ]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        func = node.func
        if imports_requests and isinstance(func.value, ast.Name) and func.value.id == "requests":
            found.append(f"requests.{func.attr}()")  # requests.get(), requests.Session() ...
        elif func.attr in HTTP_METHODS and any(k.arg == "timeout" for k in node.keywords):
            found.append(f".{func.attr}(..., timeout=...)")  # a session used directly
    return [f"{path.relative_to(PACKAGE)}:{f}" for f in found]


def test_no_probe_talks_http_around_the_transport() -> None:
    files = [*(PACKAGE / "probes").rglob("*.py"), *(PACKAGE / "fixtures").rglob("*.py")]
    offenders = [b for f in files if f.name != "transport.py" for b in _bypasses(f)]
    assert offenders == []
    # the rule is able to see what it forbids
    sample = PACKAGE / "probes" / "transport.py"
    assert any("requests.Session()" in b for b in _bypasses(sample))


def test_session_rules_user_agent_and_no_environment_proxy(serve, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # a proxy that would refuse: never used
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    server = serve(hostile.echo_headers)
    with transport.new_session() as http:
        assert http.trust_env is False and http.verify is True
        answer = transport.fetch(http, "GET", server.http_url + "/", timeout=2)
    assert answer.status_code == 200
    assert answer.json()["User-Agent"] == f"pytest-readiness/{__version__}"


def test_redirect_limit(serve) -> None:  # type: ignore[no-untyped-def]
    server = serve(hostile.redirect_loop)
    with transport.new_session() as http, pytest.raises(ProbeError, match="more than 5 redirects"):
        transport.fetch(http, "GET", server.http_url + "/", timeout=2)


@pytest.mark.parametrize("handler", [hostile.silent, hostile.drip_headers, hostile.drip_body])
def test_wall_clock_deadline(serve, handler) -> None:  # type: ignore[no-untyped-def]
    server = serve(handler)
    started = time.monotonic()
    with pytest.raises(ProbeError, match=r"answer within 1 s"):
        send(HttpConfig(timeout=1), "GET", server.http_url + "/")
    assert time.monotonic() - started < 1.8


def test_deadline_inside_tls_and_custom_ca(serve, local_ca) -> None:  # type: ignore[no-untyped-def]
    cert = local_ca.issue()
    server = serve(hostile.tls(hostile.drip_body, cert.cert_path, cert.key_path))
    url = f"https://127.0.0.1:{server.port}/"
    started = time.monotonic()
    with (
        transport.new_session(verify=str(local_ca.ca_pem_path)) as http,
        pytest.raises(ProbeError, match="no complete answer within 1 s"),
    ):
        transport.fetch(http, "GET", url, timeout=1)
    assert time.monotonic() - started < 1.8
    with transport.new_session() as http, pytest.raises(ProbeError, match="TLS verification failed"):
        transport.fetch(http, "GET", url, timeout=1)  # verified by default: the local CA is unknown


@pytest.mark.parametrize("handler", [hostile.endless_chunked, hostile.huge_length])
def test_body_limit(serve, handler) -> None:  # type: ignore[no-untyped-def]
    server = serve(handler)
    with transport.new_session() as http, pytest.raises(ProbeError, match="answer larger than 1 MB"):
        transport.fetch(http, "GET", server.http_url + "/", timeout=5, max_bytes=2**20)


# ------------------------------------------------------------------------------------ YAML


def test_yaml_bomb_refused_fast_naming_the_file() -> None:
    bomb = hostile.yaml_bomb()
    assert len(bomb) < 1000
    started = time.monotonic()
    with pytest.raises(safe_yaml.YamlRefused, match=r"^deploy.yaml: YAML aliases expand beyond"):
        safe_yaml.load_all(bomb, "deploy.yaml")
    assert time.monotonic() - started < 0.5


def test_yaml_limits_and_ordinary_documents() -> None:
    with pytest.raises(safe_yaml.YamlRefused, match="larger than 8 MB"):
        safe_yaml.load("a: " + "x" * (safe_yaml.MAX_BYTES + 1), "big.yaml")
    shared = "base: &b {cpu: 1, memory: 2Gi}\nweb: *b\nworker: *b\n"
    assert safe_yaml.load(shared, "ok.yaml")["worker"] == {"cpu": 1, "memory": "2Gi"}
    assert safe_yaml.load_all("a: 1\n---\nb: [1, 2]\n", "two.yaml") == [{"a": 1}, {"b": [1, 2]}]
    assert safe_yaml.load("", "empty.yaml") is None
    big = "items:\n" + "".join(f"  - {{name: n{i}, value: {i}}}\n" for i in range(5_000))
    assert len(safe_yaml.load(big, "big-but-fine.yaml")["items"]) == 5_000
