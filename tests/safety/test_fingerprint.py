"""The proof helpers must themselves be able to fail: every kind of change the adversarial suite
claims to rule out is made here for real (as superuser) and must be detected."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.safety.safety_state import diff, fingerprint, lingering
from tests.safety.support import Target, make_target


@pytest.fixture(scope="module")
def scratch(pg_server: Any) -> Iterator[Target]:
    yield from make_target(pg_server, "fp")


REAL_CHANGES = [
    ("UPDATE items SET body = 'x' WHERE id = 1", "table public.items"),
    ("UPDATE items SET emb = '[9,9,9]' WHERE id = 2", "table public.items"),
    ("DELETE FROM audit_log WHERE note = 'seed'", "table public.audit_log"),
    ("INSERT INTO audit_log (note) VALUES ('x')", "table public.audit_log"),
    ('UPDATE "Odd Schema"."Mixed Case" SET id = 3 WHERE id = 2', "table Odd Schema.Mixed Case"),
    ("SELECT setval('counter_seq', 99)", "pg_sequences"),
    ("SELECT nextval('counter_seq')", "pg_sequences"),
    ("CREATE TABLE extra (a int)", "pg_class"),
    ("ALTER TABLE items ADD COLUMN more int", "pg_attribute"),
    ("CREATE FUNCTION f2() RETURNS int LANGUAGE sql AS 'SELECT 1'", "pg_proc"),
    ("ALTER ROLE CURRENT_USER SET work_mem = '77MB'", "pg_db_role_setting"),
    ("CREATE ROLE pgvtui_fp_role", "pg_authid"),
    ("SELECT lo_from_bytea(0, 'new')", "pg_largeobject_metadata"),
    ("SELECT lo_put(424242, 0, 'X')", "pg_largeobject"),
    ("COMMENT ON TABLE items IS 'hello'", "pg_description"),
    ("TRUNCATE audit_log", "table public.audit_log"),
    ("GRANT SELECT ON items TO PUBLIC", "pg_class"),
    ("SELECT pg_stat_reset()", "stats_reset"),
]


@pytest.mark.parametrize(("statement", "expected"), REAL_CHANGES, ids=[c[0] for c in REAL_CHANGES])
def test_fingerprint_detects_real_change(scratch: Target, statement: str, expected: str) -> None:
    before = scratch.fingerprint()
    with scratch.admin() as conn:
        conn.execute(statement)
        try:
            after = fingerprint(conn)
        finally:
            if statement.startswith("CREATE ROLE"):  # roles are cluster-wide: clean up
                conn.execute("DROP ROLE pgvtui_fp_role")
    assert expected in diff(before, after)


def test_fingerprint_is_stable_without_changes(scratch: Target) -> None:
    """Reads (and autovacuum-style statistics) must not move it, or every test would be noise."""
    before = scratch.fingerprint()
    with scratch.admin() as conn:
        conn.execute("SELECT * FROM items ORDER BY emb <-> '[1,1,1]' LIMIT 5").fetchall()
        conn.execute("ANALYZE items")
    assert diff(before, scratch.fingerprint()) == []


def test_lingering_detects_advisory_lock_and_pgvtui_backend(scratch: Target) -> None:
    with psycopg.connect(scratch.dsn, autocommit=True, application_name="pgvtui") as held:
        held.execute("SELECT pg_advisory_lock(7)")
        with scratch.admin() as conn:
            found = lingering(conn)
        assert any("advisory" in p for p in found)
        assert any("pgvtui backend" in p for p in found)


def test_check_unchanged_detects_files_and_terminated_victim(scratch: Target) -> None:
    scratch.baseline = scratch.fingerprint()
    (scratch.canary_dir / "copy_program").write_text("x")
    with pytest.raises(AssertionError, match="files created"):
        scratch.check_unchanged()
    with scratch.admin() as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (scratch.victim_pid,))
    with pytest.raises(AssertionError, match="victim"):
        scratch.check_unchanged()
    with scratch.admin() as conn:
        conn.execute("INSERT INTO audit_log (note) VALUES ('x')")
    with pytest.raises(AssertionError, match="audit_log"):
        scratch.check_unchanged()
    scratch.check_unchanged()  # each failure reset its own evidence
