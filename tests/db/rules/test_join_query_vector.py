"""join-query-vector on the real server: a joined query vector fires; scalar subquery, constant
subquery and LATERAL per-row k-NN do not."""

from __future__ import annotations

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB
from tests.db.rules.shapes import (
    ITEMS,
    QUERIES,
    Q,
    ann_used,
    diagnose,
    findings_of,
    fix_query,
    rules_of,
)

RULE = "join-query-vector"


async def test_cross_join_fires_and_fix_uses_initplan(
    space_db: VectorDB, scratch_session: Session
) -> None:
    sql = (
        f'SELECT i.id FROM {ITEMS} i CROSS JOIN (SELECT "select" AS q FROM {QUERIES}'
        ' WHERE id = 1) s ORDER BY i."Emb" <-> s.q LIMIT 10'
    )
    diag = await diagnose(scratch_session, sql)
    found = findings_of(diag, RULE)
    assert len(found) == 1
    f = found[0]
    assert "Nested Loop" in f.evidence and f.object == "Vec Space.Items.Emb"
    fixed = fix_query(f)
    assert "CROSS JOIN" not in fixed and "(SELECT s.q FROM (SELECT" in fixed
    after = await diagnose(scratch_session, fixed)
    assert RULE not in rules_of(after) and ann_used(after)
    assert after.search.result_rows == diag.search.result_rows


async def test_comma_join_with_cte_fires(space_db: VectorDB, scratch_session: Session) -> None:
    sql = (
        f'WITH qv AS MATERIALIZED (SELECT "select" AS q FROM {QUERIES} WHERE id = 2)'
        f' SELECT id FROM {ITEMS}, qv ORDER BY "Emb" <-> qv.q LIMIT 10'
    )
    diag = await diagnose(scratch_session, sql)
    found = findings_of(diag, RULE)
    assert len(found) == 1
    after = await diagnose(scratch_session, fix_query(found[0]))
    assert RULE not in rules_of(after) and ann_used(after)


async def test_constant_subquery_is_silent(space_db: VectorDB, scratch_session: Session) -> None:
    sql = (
        f"SELECT i.id FROM {ITEMS} i CROSS JOIN (SELECT '{Q}'::vector AS q) s"
        ' ORDER BY i."Emb" <-> s.q LIMIT 10'
    )
    diag = await diagnose(scratch_session, sql)
    assert ann_used(diag) and RULE not in rules_of(diag)


async def test_lateral_per_row_knn_is_silent(space_db: VectorDB, scratch_session: Session) -> None:
    sql = (
        f"SELECT qq.id, n.id FROM {QUERIES} qq CROSS JOIN LATERAL (SELECT id FROM {ITEMS}"
        ' ORDER BY "Emb" <-> qq."select" LIMIT 5) n'
    )
    diag = await diagnose(scratch_session, sql)
    assert ann_used(diag) and RULE not in rules_of(diag)
    assert diag.search.rows == 50
