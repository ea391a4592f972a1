"""Environment files: every error is one line (file, key, problem), exit 4, before any test runs."""

from __future__ import annotations

import pytest

from tests.support.core import ReadinessRun

PROBE = """
import pytest, pathlib
@pytest.mark.checklist("ENV-REDIS-EVICTION")
def test_probe():
    pathlib.Path("probed").write_text("yes")
"""


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[redis]\nurl = "${REDIS_URL_UNSET_123}"\n',
            "*environments/dev.toml: redis.url: environment variable REDIS_URL_UNSET_123 is not set*",
        ),
        ('[redis]\nadress = "x"\n', "*environments/dev.toml: redis.adress: unknown key (known: *"),
        ('[rediss]\nurl = "x"\n', "*environments/dev.toml: rediss: unknown section*"),
        ('[redis\nurl = "x"\n', "*environments/dev.toml: malformed TOML*"),
        (
            '[tls]\nhosts = "a:443"\n',
            "*environments/dev.toml: tls.hosts: expected a list of strings, got str*",
        ),
        ("[thresholds]\np96_ms = 1\n", "*environments/dev.toml: thresholds.p96_ms: unknown threshold*"),
        ('[settings]\ntimeout_s = "fast"\n', "*settings.timeout_s: expected a float, got str*"),
    ],
)
def test_bad_environment_file(readiness: ReadinessRun, toml: str, expected: str) -> None:
    readiness.env(text=toml)
    readiness.pytester.makepyfile(test_probe=PROBE)
    result, report = readiness.run("--env", "dev")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: readiness configuration error: {expected}"])
    assert report is None
    assert not (readiness.pytester.path / "probed").exists()
    assert not (readiness.pytester.path / "out").exists()


def test_unknown_environment_lists_known(readiness: ReadinessRun) -> None:
    readiness.env("staging")
    readiness.pytester.makepyfile(test_probe=PROBE)
    result, _ = readiness.run("--env", "prod")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*environments/prod.toml: unknown environment 'prod' (known: staging)*"])


def test_defaults_and_interpolation(readiness: ReadinessRun, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_HOST", "app.internal")
    readiness.env(
        text='[http]\nbase_url = "https://${APP_HOST}"\napi_url = "${API_URL:-https://api.internal}"\n'
    )
    readiness.pytester.makepyfile(
        test_env="""
import pytest
@pytest.mark.checklist("SEC-INFRA-HEADERS")
def test_env(readiness_env):
    assert readiness_env.get("http", "base_url") == "https://app.internal"
    assert readiness_env.get("http", "api_url") == "https://api.internal"
    assert readiness_env.timeout == 10.0
    assert readiness_env.threshold("p95_ms") == 2000
"""
    )
    result, _ = readiness.run("--env", "dev")
    result.assert_outcomes(passed=1)


CANARY = "canary-S3cr3t-value-93f1"

LEAKY = """
import logging, pytest
from pytest_readiness.assessment import Assessment

@pytest.mark.checklist("ENV-REDIS-EVICTION")
def test_leaks_everywhere(readiness_env, evidence):
    url = readiness_env.get("redis", "url")
    token = readiness_env.get("grafana", "token")
    print("connecting to", url, token)
    logging.getLogger("probe").error("auth failed for %s with %s", url, token)
    evidence.record("redis " + url, observed=token, expected="a token", ok=False, note=url)
    assert token == "x", f"token {token} rejected by {url}"

@pytest.mark.checklist("ENV-REDIS-MAXMEMORY")
@pytest.mark.parametrize("target", ["redis"])
def test_id(target, readiness_env):
    raise RuntimeError("cannot connect: " + readiness_env.get("postgres", "dsn"))
"""


@pytest.mark.parametrize("workers", ["0", "2"])
def test_canary_secret_never_leaves_the_process(
    readiness: ReadinessRun, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    monkeypatch.setenv("REDIS_URL", f"redis://:{CANARY}@127.0.0.1:6390/0")
    monkeypatch.setenv("GRAFANA_TOKEN", CANARY + "-tok")
    monkeypatch.setenv("PG_PASSWORD", CANARY + "pg")
    readiness.env(
        text='[redis]\nurl = "${REDIS_URL}"\n[grafana]\ntoken = "${GRAFANA_TOKEN}"\n'
        '[postgres]\ndsn = "postgresql://app:${PG_PASSWORD}@db/app"\n'
    )
    readiness.pytester.makepyfile(test_leaky=LEAKY)
    result, report = readiness.run(
        "--env", "dev", "-l", "-rA", "-n", workers, "--log-level=INFO", subprocess=True
    )
    assert report is not None
    output = result.stdout.str() + result.stderr.str()
    assert "connecting to" in output and "***" in output
    assert CANARY not in output
    assert CANARY not in (readiness.pytester.path / "out" / "readiness.json").read_text()
