"""unused-index against the real server: idx_scan = 0 until a query uses the index; the message
says since when statistics count."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, create_vector_table, vector_literal
from tests.db.rules.rulecheck import about, catalog_findings, flush_stats

RULE = "unused-index"
OBJ = "Usage Stats.Never Used"


@pytest.fixture(scope="module")
def db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        create_vector_table(
            conn,
            schema="Usage Stats",
            table="T",
            column="e",
            dims=4,
            rows=2000,
            index_name="Never Used",
        )
    yield scratch_db


async def test_unused_fires_then_use_silences(db: VectorDB, scratch_session: Session) -> None:
    found = about(await catalog_findings(scratch_session, RULE), OBJ)
    assert len(found) == 1
    f = found[0]
    assert "idx_scan = 0" in f.evidence
    assert f.fix is not None and 'DROP INDEX CONCURRENTLY "Usage Stats"."Never Used";' in f.fix

    with db.admin() as conn:
        conn.execute("SELECT pg_stat_reset()")
        flush_stats(conn)
    found = about(await catalog_findings(scratch_session, RULE), OBJ)
    assert len(found) == 1 and "stats_reset" in found[0].message  # "since <timestamp>"

    with db.admin() as conn:
        conn.execute(
            'SELECT id FROM "Usage Stats"."T" ORDER BY e <-> %s::vector LIMIT 3',
            (vector_literal(4),),
        )
        flush_stats(conn)
    assert about(await catalog_findings(scratch_session, RULE), OBJ) == []
