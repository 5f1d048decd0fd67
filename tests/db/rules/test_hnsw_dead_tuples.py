"""hnsw-dead-tuples against the real server: delete most rows of a table with an HNSW index
(autovacuum off for it); the fix's VACUUM clears it; the same deletes without HNSW are silent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from psycopg import sql

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, create_vector_table
from tests.db.rules.rulecheck import about, catalog_findings, flush_stats, run_fix

RULE = "hnsw-dead-tuples"


@pytest.fixture(scope="module")
def db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        for table, index in (("Graph", "hnsw"), ("No Graph", None)):
            create_vector_table(
                conn, schema="Churn", table=table, column="e", dims=2, rows=11_000, index=index
            )
            t = sql.Identifier("Churn", table)
            # the INSERT's pending statistics can reach the server after create_vector_table's
            # ANALYZE set n_live_tup (counting the rows twice): flush them, then count again
            flush_stats(conn)
            conn.execute(sql.SQL("ANALYZE {}").format(t))
            conn.execute(sql.SQL("ALTER TABLE {} SET (autovacuum_enabled = off)").format(t))
            conn.execute(sql.SQL("DELETE FROM {} WHERE id > 500").format(t))
        flush_stats(conn)
    yield scratch_db


async def test_dead_tuples_fire_and_vacuum_fixes(db: VectorDB, scratch_session: Session) -> None:
    found = about(await catalog_findings(scratch_session, RULE), "Churn.Graph")
    assert len(found) == 1
    f = found[0]
    assert "10,500 dead vs 500 live" in f.message
    assert "n_dead_tup 10,500" in f.evidence and "last vacuum never" in f.evidence
    assert 'VACUUM (VERBOSE) "Churn"."Graph";' in (f.fix or "")
    assert "REINDEX INDEX CONCURRENTLY" in (f.fix or "")  # most rows dead: rebuild is an option
    run_fix(db.dsn, f)
    with db.admin() as conn:
        flush_stats(conn)
    assert about(await catalog_findings(scratch_session, RULE), "Churn.Graph") == []


async def test_without_hnsw_is_silent(db: VectorDB, scratch_session: Session) -> None:
    assert about(await catalog_findings(scratch_session, RULE), "Churn.No Graph") == []
