"""materialized-cte on the real server."""

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

RULE = "materialized-cte"


async def test_filter_in_materialized_cte_fires(
    space_db: VectorDB, scratch_session: Session
) -> None:
    sql = (
        f'WITH "Filtered" AS MATERIALIZED (SELECT * FROM {ITEMS} WHERE category < 50)'
        f' SELECT id FROM "Filtered" ORDER BY "Emb" <-> \'{Q}\' LIMIT 10'
    )
    diag = await diagnose(scratch_session, sql)
    found = findings_of(diag, RULE)
    assert len(found) == 1
    f = found[0]
    assert f.object == "Vec Space.Items.Emb"
    assert "CTE Scan on Filtered" in f.evidence
    fixed = fix_query(f)
    assert 'WITH "Filtered" AS NOT MATERIALIZED (' in fixed
    after = await diagnose(scratch_session, fixed)
    assert RULE not in rules_of(after) and ann_used(after)


async def test_cte_for_the_query_vector_is_silent(
    space_db: VectorDB, scratch_session: Session
) -> None:
    sql = (
        f'WITH qv AS MATERIALIZED (SELECT "select" AS q FROM {QUERIES} WHERE id = 1)'
        f' SELECT id FROM {ITEMS} ORDER BY "Emb" <-> (SELECT q FROM qv) LIMIT 10'
    )
    diag = await diagnose(scratch_session, sql)
    assert ann_used(diag) and RULE not in rules_of(diag)


async def test_not_materialized_cte_is_silent(space_db: VectorDB, scratch_session: Session) -> None:
    sql = (
        f"WITH t AS NOT MATERIALIZED (SELECT * FROM {ITEMS} WHERE category < 50)"
        f" SELECT id FROM t ORDER BY \"Emb\" <-> '{Q}' LIMIT 10"
    )
    diag = await diagnose(scratch_session, sql)
    assert ann_used(diag) and RULE not in rules_of(diag)
