"""partial-index-not-matched on the real server (a partial HNSW index in a non-public schema)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, create_vector_table
from tests.db.rules.shapes import Q, ann_used, diagnose, findings_of, fix_query, rules_of

RULE = "partial-index-not-matched"
TABLE = '"Vec Space"."Partial Items"'


@pytest.fixture(scope="module")
def db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        create_vector_table(
            conn,
            schema="Vec Space",
            table="Partial Items",
            column="Emb",
            dims=16,
            rows=12_000,
            index=None,
        )
        conn.execute(
            f'CREATE INDEX "Partial L2" ON {TABLE} USING hnsw ("Emb" vector_l2_ops)'
            " WHERE category < 20"
        )
        conn.execute(f"ANALYZE {TABLE}")
    yield scratch_db


async def test_where_not_implying_predicate_fires(db: VectorDB, scratch_session: Session) -> None:
    sql = f"SELECT id FROM {TABLE} WHERE category < 50 ORDER BY \"Emb\" <-> '{Q}' LIMIT 10"
    diag = await diagnose(scratch_session, sql)
    found = findings_of(diag, RULE)
    assert len(found) == 1
    f = found[0]
    assert "category < 20" in f.evidence and "category < 50" in f.evidence
    assert f.object == "Vec Space.Partial Items.Emb"
    assert f.fix is not None and 'USING hnsw ("Emb" vector_l2_ops);' in f.fix
    fixed = fix_query(f)
    assert "(category < 50) AND (category < 20)" in fixed
    after = await diagnose(scratch_session, fixed)
    assert RULE not in rules_of(after) and ann_used(after)


async def test_no_where_fires_too(db: VectorDB, scratch_session: Session) -> None:
    sql = f"SELECT id FROM {TABLE} ORDER BY \"Emb\" <-> '{Q}' LIMIT 10"
    diag = await diagnose(scratch_session, sql)
    found = findings_of(diag, RULE)
    assert len(found) == 1
    assert " WHERE category < 20 ORDER BY" in fix_query(found[0])


async def test_matching_where_is_silent(db: VectorDB, scratch_session: Session) -> None:
    sql = f"SELECT id FROM {TABLE} WHERE category < 20 ORDER BY \"Emb\" <-> '{Q}' LIMIT 10"
    diag = await diagnose(scratch_session, sql)
    assert ann_used(diag) and RULE not in rules_of(diag)
