"""RLS rules against Supabase splinter's own lint tests (tests/data/realworld/sql/peer-splinter/).

Each splinter test script is run for real, statement by statement, in its own database of a launched
PostgreSQL (Supabase's ``anon``/``authenticated`` roles and ``auth.uid()`` are minimal stand-ins, as
splinter's harness assumes a Supabase image).  At every ``select ... from lint."NNNN_..."`` our probe
reads the catalog through a read-only session and the number of issues our rule reports must equal
the rows in splinter's expected output (.out).  Difference in semantics: splinter runs inside one
transaction that is rolled back; we commit each statement, since our probe is a separate session.
"""

from __future__ import annotations

import re

import psycopg
import pytest
from psycopg import errors

from pytest_readiness.probes.data import postgres as pg
from tests.support.environment_setup import REALWORLD

SPLINTER = REALWORLD / "sql" / "peer-splinter"
SCHEMAS = ["public"]


def our_count(lint: str, db: pg.ReadOnlyDB) -> int:
    rel = pg.gather_relations(db)
    if lint.startswith("0013"):
        return len(pg.assess_rls_enabled(rel, SCHEMAS).failures)
    if lint.startswith("0007"):
        return sum("RLS is off" in f.note for f in pg.assess_rls_policies(rel, SCHEMAS).failures)
    if lint.startswith("0008"):
        return sum("no policy" in f.note for f in pg.assess_rls_policies(rel, SCHEMAS).failures)
    if lint.startswith("0024"):
        return len(pg.assess_policy_always_true(pg.gather_policies(db, SCHEMAS), rel, SCHEMAS).failures)
    raise AssertionError(lint)


def expected_counts(out_text: str) -> list[int]:
    """Issues splinter reported at each lint query of the .out file, in order."""
    lines = out_text.splitlines()
    counts = []
    for i, line in enumerate(lines):
        if 'from lint."' not in line:
            continue
        j = i + 1
        header = lines[j].strip()
        while not re.fullmatch(r"\(\d+ rows?\)", lines[j].strip()):
            j += 1
        n = int(re.search(r"\d+", lines[j]).group())  # type: ignore[union-attr]
        counts.append(int(lines[i + 3].strip()) if header == "count" else n)
    return counts


def statements(sql_text: str) -> list[str]:
    body = "\n".join(ln for ln in sql_text.splitlines() if not ln.strip().startswith("--"))
    out = []
    for stmt in (s.strip() for s in body.split(";")):
        low = stmt.lower()
        if not stmt or low in ("begin", "rollback") or low.startswith("set local"):
            continue
        out.append(stmt)
    return out


SCRIPTS = [
    "0007_policy_exists_rls_disabled",
    "0008_rls_enabled_no_policy",
    "0013_rls_disabled_in_public",
    "0024_rls_policy_always_true",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_rls_rules_agree_with_splinter(script, pg_bad):
    sql_path, out_path = SPLINTER / f"{script}.sql", SPLINTER / f"{script}.out"
    expected = expected_counts(out_path.read_text())
    dbname = f"splinter_{script[:4]}"
    pg_bad.execute(f"DROP DATABASE IF EXISTS {dbname}")
    pg_bad.execute(f"CREATE DATABASE {dbname}")
    pg_bad.execute(
        "CREATE SCHEMA auth;"
        " CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT NULL::uuid $$",
        dbname=dbname,
    )
    db = pg.ReadOnlyDB(pg_bad.dsn_for(pg_bad.user, pg_bad.password, dbname), 5)
    observed: list[int] = []
    try:
        for stmt in statements(sql_path.read_text()):
            if 'lint."' in stmt:
                observed.append(our_count(script, db))
                continue
            try:
                pg_bad.execute(stmt, dbname=dbname)
            except errors.DuplicateObject:  # custom_role is cluster-wide: a rerun finds it
                pass
            except psycopg.Error as exc:
                raise AssertionError(f"{script}: {stmt!r}: {exc}") from exc
    finally:
        db.close()
    assert observed == expected, f"{script}: ours {observed} vs splinter {expected}"
    assert len(expected) >= 2 and any(expected)


def test_expected_output_parser():
    out = SPLINTER / "0024_rls_policy_always_true.out"
    counts = expected_counts(out.read_text())
    assert counts[:3] == [0, 0, 1] and len(counts) == 19
