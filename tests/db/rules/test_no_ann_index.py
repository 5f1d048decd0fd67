"""no-ann-index against the real server, with quoted identifiers; the fix is run and removes it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, create_vector_table, vector_literal
from tests.db.rules.rulecheck import query_findings, run_fix

RULE = "no-ann-index"
Q = vector_literal(dims=16, seed=11)
BIG = f'SELECT id FROM "Search Space"."Items" ORDER BY "Emb Vec" <=> \'{Q}\' LIMIT 10'
TINY = f'SELECT id FROM "Search Space"."tiny" ORDER BY "Emb Vec" <=> \'{Q}\' LIMIT 10'


@pytest.fixture(scope="module")
def db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        for table, rows in (("Items", 12_000), ("tiny", 500)):
            create_vector_table(
                conn,
                schema="Search Space",
                table=table,
                column="Emb Vec",
                dims=16,
                rows=rows,
                index=None,
            )
    yield scratch_db


async def test_fires_and_fix_builds_the_index(db: VectorDB, scratch_session: Session) -> None:
    found, diag = await query_findings(scratch_session, BIG, RULE)
    assert diag.plan is not None and diag.plan.find("Seq Scan")
    assert len(found) == 1
    f = found[0]
    assert f.object == "Search Space.Items.Emb Vec"
    assert "Seq Scan on Items reading 12,000 rows" in f.evidence
    assert f.fix == (
        'CREATE INDEX CONCURRENTLY ON "Search Space"."Items" USING hnsw ("Emb Vec"'
        " vector_cosine_ops);"
    )
    run_fix(db.dsn, f)
    found, diag = await query_findings(scratch_session, BIG, RULE)
    assert found == []
    assert diag.plan is not None and diag.plan.ann_scans()  # the new index serves the query


async def test_tiny_table_is_silent(db: VectorDB, scratch_session: Session) -> None:
    found, diag = await query_findings(scratch_session, TINY, RULE)
    assert diag.plan is not None and diag.plan.find("Seq Scan")
    assert found == []
