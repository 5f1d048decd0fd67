"""type-mismatch on the real server: a cast column, and an expression index not repeated."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, create_vector_table
from tests.db.rules.shapes import (
    ITEMS,
    Q,
    ann_used,
    diagnose,
    findings_of,
    fix_query,
    rules_of,
)

RULE = "type-mismatch"
HALF = '"Vec Space"."Half Items"'
EXPR = '"Vec Space"."Expr Items"'


@pytest.fixture(scope="module")
def db(space_db: VectorDB) -> Iterator[VectorDB]:
    with space_db.admin() as conn:
        create_vector_table(
            conn,
            schema="Vec Space",
            table="Half Items",
            column="Half",
            vtype="halfvec",
            dims=16,
            rows=12_000,
            opclass="halfvec_l2_ops",
            seed=0.5,
        )
        create_vector_table(
            conn,
            schema="Vec Space",
            table="Expr Items",
            column="Emb",
            dims=16,
            rows=12_000,
            index=None,
            seed=0.6,
        )
        conn.execute(
            f'CREATE INDEX "Expr Half" ON {EXPR} USING hnsw'
            ' (("Emb"::halfvec(16)) halfvec_cosine_ops)'
        )
        conn.execute(f"ANALYZE {EXPR}")
    yield space_db


async def test_halfvec_query_on_vector_column_fires(db: VectorDB, scratch_session: Session) -> None:
    sql = f"SELECT id FROM {ITEMS} ORDER BY \"Emb\" <-> '{Q}'::halfvec LIMIT 10"
    diag = await diagnose(scratch_session, sql)
    found = findings_of(diag, RULE)
    assert len(found) == 1
    f = found[0]
    assert '("Emb")::halfvec' in f.evidence or '("Emb")::halfvec' in f.evidence.replace("'", "")
    assert "vector(16)" in f.message
    fixed = fix_query(f)
    assert fixed.endswith("::vector(16) LIMIT 10")
    after = await diagnose(scratch_session, fixed)
    assert RULE not in rules_of(after) and ann_used(after)


async def test_column_cast_in_query_fires(db: VectorDB, scratch_session: Session) -> None:
    sql = f"SELECT id FROM {ITEMS} ORDER BY \"Emb\"::halfvec(16) <-> '{Q}'::halfvec LIMIT 10"
    diag = await diagnose(scratch_session, sql)
    assert RULE in rules_of(diag)


async def test_vector_literal_on_halfvec_column_is_silent(
    db: VectorDB, scratch_session: Session
) -> None:
    # the literal is cast, not the column (pgvector-facts §1): the index is used
    sql = f"SELECT id FROM {HALF} ORDER BY \"Half\" <-> '{Q}'::vector LIMIT 10"
    diag = await diagnose(scratch_session, sql)
    assert ann_used(diag) and RULE not in rules_of(diag)


async def test_expression_index_not_repeated(db: VectorDB, scratch_session: Session) -> None:
    sql = f"SELECT id FROM {EXPR} ORDER BY \"Emb\" <=> '{Q}' LIMIT 10"
    diag = await diagnose(scratch_session, sql)
    found = findings_of(diag, RULE)
    assert len(found) == 1
    assert "Expr Half" in found[0].message and "halfvec(16)" in found[0].message
    fixed = fix_query(found[0])
    after = await diagnose(scratch_session, fixed)
    assert RULE not in rules_of(after) and ann_used(after)
    assert after.plan is not None
    assert any(n.index_name == "Expr Half" for n in after.plan.ann_scans())
