"""cold-index-reads against the real server: evict the index from shared_buffers, then query."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, create_vector_table, vector_literal
from tests.db.rules.rulecheck import query_findings

RULE = "cold-index-reads"
Q = vector_literal(dims=32, seed=13)
KNN = f'SELECT id FROM "Cold"."Select" ORDER BY "Vec" <-> \'{Q}\' LIMIT 10'


@pytest.fixture(scope="module")
def db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        create_vector_table(
            conn,
            schema="Cold",
            table="Select",
            column="Vec",
            dims=32,
            rows=10_000,
            index_name="Cold Idx",
        )
    yield scratch_db


def _evict(db: VectorDB) -> None:
    with db.admin() as conn:
        conn.execute("""SELECT pg_buffercache_evict_relation('"Cold"."Cold Idx"'::regclass)""")


async def test_cold_index_fires(db: VectorDB, scratch_session: Session) -> None:
    _evict(db)
    found, diag = await query_findings(scratch_session, KNN, RULE)
    assert diag.plan is not None and diag.plan.ann_scans()[0].shared_read > 0
    assert len(found) == 1
    f = found[0]
    assert f.object == "Cold.Cold Idx" and f.severity.value == "info"
    assert "Shared Read Blocks" in f.evidence
    assert """SELECT pg_prewarm('"Cold"."Cold Idx"'::regclass);""" in (f.fix or "")


async def test_warm_index_is_silent(db: VectorDB, scratch_session: Session) -> None:
    await query_findings(scratch_session, KNN, RULE)  # warm it
    found, diag = await query_findings(scratch_session, KNN, RULE)
    assert diag.plan is not None and diag.plan.ann_scans()[0].shared_read == 0
    assert found == []
