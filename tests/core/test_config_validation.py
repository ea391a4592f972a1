"""Config holes: empty variables, URL/DSN schemes, timeout bounds, a directory as file (exit 4, one line)."""

from __future__ import annotations

import pytest

from pytest_readiness.probes.web import dns as dns_probe
from tests.support.core import ReadinessRun

PROBE = """
import pytest, pathlib
@pytest.mark.checklist("ENV-REDIS-EVICTION")
def test_probe():
    pathlib.Path("probed").write_text("yes")
"""


def _refused(readiness: ReadinessRun, expected: str, *args: str) -> None:
    readiness.pytester.makepyfile(test_probe=PROBE)
    result, report = readiness.run(*(args or ("--env", "dev")))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert len(errors) == 1, result.stderr.lines
    result.stderr.fnmatch_lines([f"ERROR: readiness configuration error: {expected}"])
    assert report is None
    assert not (readiness.pytester.path / "probed").exists()


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[redis]\nurl = "${EMPTY_REDIS_URL}"\n',
            "*dev.toml: redis.url: environment variable EMPTY_REDIS_URL is set but empty "
            "(use ${EMPTY_REDIS_URL:-} to allow empty)",
        ),
        (
            '[postgres]\ndsn = "mysql://u:pw-Never-Shown@db/app"\n',
            "*dev.toml: postgres.dsn: scheme 'mysql' not allowed (allowed: postgres, postgresql)",
        ),
        (
            '[pgbouncer]\ndsn = "http://u:pw-Never-Shown@db/pgbouncer"\n',
            "*dev.toml: pgbouncer.dsn: scheme 'http' not allowed (allowed: postgres, postgresql)",
        ),
        (
            '[redis]\nurl = "memcached://cache:11211"\n',
            "*dev.toml: redis.url: scheme 'memcached' not allowed (allowed: redis, rediss, unix)",
        ),
        (
            '[http]\nbase_url = "app.example.com"\n',
            "*dev.toml: http.base_url: no URL scheme (allowed: http, https)",
        ),
        (
            '[http]\nhealth_urls = ["https://a/health", "ftp://b/health"]\n',
            "*dev.toml: http.health_urls[[]1]: scheme 'ftp' not allowed (allowed: http, https)",
        ),
        ("[settings]\ntimeout_s = 0\n", "*dev.toml: settings.timeout_s: must be > 0 and <= 300, got 0.0"),
        ("[settings]\ntimeout_s = -1\n", "*dev.toml: settings.timeout_s: must be > 0 and <= 300, got -1.0"),
        ("[settings]\ntimeout_s = nan\n", "*dev.toml: settings.timeout_s: must be > 0 and <= 300, got nan"),
        ("[settings]\ntimeout_s = inf\n", "*dev.toml: settings.timeout_s: must be > 0 and <= 300, got inf"),
        (
            "[settings]\ntimeout_s = 1e9\n",
            "*dev.toml: settings.timeout_s: must be > 0 and <= 300, got 1000000000.0",
        ),
    ],
)
def test_refused_before_any_probe(
    readiness: ReadinessRun, monkeypatch: pytest.MonkeyPatch, toml: str, expected: str
) -> None:
    monkeypatch.setenv("EMPTY_REDIS_URL", "")
    readiness.env(text=toml)
    _refused(readiness, expected)
    assert "pw-Never-Shown" not in readiness.pytester.path.joinpath("x").as_posix()


@pytest.mark.parametrize(
    "toml",
    [
        '[redis]\nurl = "${EMPTY_REDIS_URL:-}"\n',  # the explicit way to allow empty
        '[redis]\nurl = "${EMPTY_REDIS_URL:-redis://localhost:1}"\n',
        '[postgres]\ndsn = "host=localhost dbname=app"\n',  # libpq keyword DSN
        '[redis]\nurl = "unix:///run/redis.sock"\n',
        "[settings]\ntimeout_s = 300\n",
    ],
)
def test_accepted(readiness: ReadinessRun, monkeypatch: pytest.MonkeyPatch, toml: str) -> None:
    monkeypatch.setenv("EMPTY_REDIS_URL", "")
    readiness.env(text=toml)
    readiness.pytester.makepyfile(test_probe=PROBE)
    result, _ = readiness.run("--env", "dev", "--collect-only")
    assert result.ret == 0, result.stderr.str()


def test_directory_as_environment_file(readiness: ReadinessRun) -> None:
    (readiness.pytester.path / "environments" / "dev.toml").mkdir(parents=True)
    _refused(readiness, "*environments/dev.toml: is a directory, not an environment file")
    _refused(
        readiness,
        "*environments/dev.toml: is a directory, not an environment file",
        "--env",
        "environments/dev.toml",
    )


def test_ip_literals_are_not_resolved() -> None:
    class NoResolver:
        def resolve(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("an IP literal was sent to the resolver")

    for host, address in (("10.1.2.3", "10.1.2.3"), ("::1", "::1"), ("[2001:db8::5]", "2001:db8::5")):
        facts = dns_probe.lookup(NoResolver(), host)  # type: ignore[arg-type]
        assert (facts.status, facts.addresses) == ("ok", (address,))
    assert not dns_probe.is_ip_literal("app.example.com")
