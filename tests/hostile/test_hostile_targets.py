"""Every run ends, bounded, with an honest report: the real suites against hostile targets and files.

Each test runs a suite end to end (``[settings] timeout_s = 2``) against one misbehaving loopback
server or hostile file and asserts what the user relies on: the run ends within its bound, writes
readiness.json, the affected items are ``error`` (never ``pass``) with a reason naming the fault,
and the child's peak RSS stays small.  Bounds are generous multiples of the measured figures
(README, "Failure behaviour"), so a slow machine does not flake but a hang or a blow-up fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import hostile

TIMEOUT_S = 2
#: Bounds: the session (collection to reports, what the deadlines govern) and the whole child process
#: (interpreter start-up included, slow on a loaded 2-core machine).  Without the deadlines the drip
#: servers keep a run going for 2,000+ s and a frozen PostgreSQL forever.
SESSION_BOUND_S = 30
WALL_LIMIT_S = 120
MAX_RSS_MB = 300  # measured 64-113 MB; an unbounded read or alias expansion reaches gigabytes
SETTINGS = f"[settings]\ntimeout_s = {TIMEOUT_S}\n\n"


def _print(name: str, run: hostile.HostileRun) -> None:
    """The figures the README quotes (``-s`` shows them)."""
    print(
        f"\nHOSTILE {name}: session {run.report['duration_s']:.1f} s, process {run.seconds:.1f} s,"
        f" peak RSS {run.max_rss_mb:.0f} MB, exit {run.returncode}"
    )


def _assert_errors(run: hostile.HostileRun, ids: list[str], words: str) -> None:
    got = {i: run.items[i]["status"] for i in ids}
    assert got == dict.fromkeys(ids, "error"), got
    for i in ids:
        assert words in run.items[i]["reason"], run.items[i]["reason"]
    assert run.report["ready"] is False and run.returncode != 0
    assert run.max_rss_mb < MAX_RSS_MB


PROMETHEUS_ITEMS = ["MON-METRICS-PROMETHEUS", "MON-METRICS-TARGETS", "MON-ALERTING-RULES"]


@pytest.mark.parametrize(
    ("handler", "words"),
    [
        (hostile.silent, "answer within 2 s"),
        (hostile.drip_headers, "no complete answer within 2 s"),
        (hostile.drip_body, "no complete answer within 2 s"),
        (hostile.endless_chunked, "answer larger than 16 MB"),
        (hostile.huge_length, "answer larger than 16 MB"),
        (hostile.garbage, "the answer is not HTTP"),
        (hostile.invalid_json, "not JSON"),
    ],
    ids=lambda v: getattr(v, "__name__", None) if callable(v) else None,
)
def test_http_fault(tmp_path: Path, serve, handler, words: str) -> None:  # type: ignore[no-untyped-def]
    server = serve(handler)
    env = SETTINGS + f'[prometheus]\nurl = "{server.http_url}"\n'
    run = hostile.run_bounded(tmp_path, env, "suites/test_monitoring.py", limit_s=WALL_LIMIT_S)
    _print(f"http {handler.__name__}", run)
    assert run.report["duration_s"] < SESSION_BOUND_S
    _assert_errors(run, PROMETHEUS_ITEMS, words)


def test_databases_frozen_after_handshake(tmp_path: Path, serve) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL/PgBouncer: AuthenticationOk + ReadyForQuery, then silence (every query is cut at the
    client-side deadline); Redis: a listener that never answers (socket timeouts)."""
    pg = serve(hostile.frozen_postgres())
    bouncer = serve(hostile.frozen_postgres("1.21.0/bouncer"))
    redis = serve(hostile.silent)
    env = (
        SETTINGS
        + f'[postgres]\ndsn = "{pg.dsn()}"\n\n'
        + f'[pgbouncer]\ndsn = "{bouncer.dsn("pgbouncer", "pgbouncer")}"\n\n'
        + f'[redis]\nurl = "redis://127.0.0.1:{redis.port}/0"\n'
    )
    run = hostile.run_bounded(tmp_path, env, "suites/test_environment_setup.py", limit_s=WALL_LIMIT_S)
    _print("postgres+pgbouncer frozen after handshake, silent redis", run)
    assert run.report["duration_s"] < SESSION_BOUND_S

    def naming(server: hostile.Server) -> list[str]:
        return [i for i, it in run.items.items() if f"127.0.0.1:{server.port}" in it.get("reason", "")]

    assert naming(pg) and naming(bouncer) and naming(redis)
    _assert_errors(run, naming(pg) + naming(bouncer), "no answer within 2.5 s (query cancelled, connection")
    _assert_errors(run, naming(redis), "no answer within 2 s")


def test_redis_dripping_its_answer(tmp_path: Path, serve) -> None:  # type: ignore[no-untyped-def]
    """Each byte of INFO's answer comes well within the socket timeout: the probe's wall-clock deadline
    (timeout_s + 0.5 s for the whole exchange) ends it."""
    redis = serve(hostile.drip_redis)
    env = SETTINGS + f'[redis]\nurl = "redis://127.0.0.1:{redis.port}/0"\n'
    run = hostile.run_bounded(tmp_path, env, "suites/test_environment_setup.py", limit_s=WALL_LIMIT_S)
    _print("redis dripping its INFO answer", run)
    assert run.report["duration_s"] < SESSION_BOUND_S
    named = [i for i, it in run.items.items() if f"127.0.0.1:{redis.port}" in it.get("reason", "")]
    assert named
    _assert_errors(run, named, "no answer within 2.5 s (connection dropped)")


def test_yaml_bomb_in_manifests(tmp_path: Path) -> None:
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    bomb = manifests / "deploy.yaml"
    bomb.write_text(hostile.manifest_bomb())
    env = SETTINGS + f'[kubernetes]\nmanifests = "{manifests}"\n'
    _assert_bomb_defused(tmp_path, env, "suites/test_infrastructure.py", "a manifest", bomb)


def test_yaml_bomb_in_workflow(tmp_path: Path) -> None:
    repo = tmp_path / "app"
    (repo / ".github" / "workflows").mkdir(parents=True)
    workflow = repo / ".github" / "workflows" / "ci.yml"
    workflow.write_text(hostile.workflow_bomb())
    env = SETTINGS + f'[repo]\npath = "{repo}"\n'
    _assert_bomb_defused(tmp_path, env, "suites/test_cicd.py", "a workflow file", ".github/workflows/ci.yml")


def _assert_bomb_defused(tmp_path: Path, env: str, suite: str, where: str, file: object) -> None:
    """The run ends in bounds; the items reading the bomb are errors naming the file, none passes."""
    run = hostile.run_bounded(tmp_path / "run", env, suite, limit_s=WALL_LIMIT_S)
    _print(f"YAML bomb in {where}", run)
    assert run.report["duration_s"] < SESSION_BOUND_S
    errors = [i for i, it in run.items.items() if "alias bomb" in it.get("reason", "")]
    assert errors
    _assert_errors(run, errors, f"{file}: YAML aliases expand beyond")
