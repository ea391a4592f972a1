"""``readiness init`` scaffolds a team's repository, and ``readiness run`` checks a live Redis from it."""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pytest_readiness.env_schema import SCHEMA
from pytest_readiness.launcher.fixtures import ServiceFactory
from pytest_readiness.launcher.redis import RedisServer


def test_init_then_run_against_a_local_redis(
    pytester: pytest.Pytester,
    redis_server_factory: ServiceFactory[RedisServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    redis = redis_server_factory(
        config={"maxmemory": "64mb", "maxmemory-policy": "volatile-lru", "appendonly": "yes", "save": "900 1"}
    )
    init = pytester.run(sys.executable, "-m", "pytest_readiness.cli", "init")
    assert init.ret == 0, init.stderr.str()
    root = pytester.path
    for rel in ("environments/prod.toml", "conftest.py", "waivers.toml", "attestations.toml",
                ".github/workflows/nightly-readiness.yml", ".gitignore"):
        assert (root / rel).is_file(), rel
    env_text = (root / "environments/prod.toml").read_text()
    assert tomllib.loads(env_text) == {}  # every section commented out ...
    for section in SCHEMA:
        assert f"# [{section}]" in env_text  # ... and every section documented
    assert "readiness run --env" in (root / ".github/workflows/nightly-readiness.yml").read_text()
    assert tomllib.loads((root / "waivers.toml").read_text()) == {}
    assert "reports/" in (root / ".gitignore").read_text()

    (root / "environments/prod.toml").write_text(
        env_text.replace("# [redis]\n# url = \"${REDIS_URL}\"", "[redis]\nurl = \"${REDIS_URL}\"")
        .replace("# eviction_policy = \"\"", "eviction_policy = \"allkeys-lru\"", 1)
    )
    monkeypatch.setenv("REDIS_URL", redis.url)
    run = pytester.run(
        sys.executable, "-m", "pytest_readiness.cli", "run", "--env", "prod", "-k", "redis",
        "-p", "no:cacheprovider", "--waivers", "waivers.toml", "--attestations", "attestations.toml",
    )
    assert run.ret == 1, run.stdout.str()[-3000:] + run.stderr.str()[-2000:]  # NO-GO: eviction policy
    report = json.loads((root / "reports" / "readiness.json").read_text())
    status = {i["id"]: i["status"] for i in report["items"]}
    assert status["ENV-REDIS-PERSISTENCE"] in ("pass", "unverified")  # decided, not failed (see the gate)
    assert status["ENV-REDIS-EVICTION"] == "fail"
    eviction = next(i for i in report["items"] if i["id"] == "ENV-REDIS-EVICTION")
    finding = eviction["evidence"][0]["findings"][0]
    assert (finding["observed"], finding["expected"]) == ("volatile-lru", "allkeys-lru")
    password = urlsplit(redis.url).password
    assert not password or password not in run.stdout.str() + (root / "reports/checklist.md").read_text()


def test_init_keeps_existing_files(pytester: pytest.Pytester) -> None:
    (pytester.path / "conftest.py").write_text("# ours\n")
    result = pytester.run(sys.executable, "-m", "pytest_readiness.cli", "init", "team")
    assert result.ret == 0
    assert (pytester.path / "conftest.py").read_text() == "# ours\n"
    assert (Path(pytester.path) / "team" / "conftest.py").is_file()
    again = pytester.run(sys.executable, "-m", "pytest_readiness.cli", "init", "team")
    assert again.stdout.str().count("kept ") == 6
