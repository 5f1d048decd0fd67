"""relaxed-order-not-resorted on the real server (pgvector README pattern)."""

from __future__ import annotations

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB
from tests.db.rules.shapes import ITEMS, Q, diagnose, findings_of, fix_query, rules_of

RULE = "relaxed-order-not-resorted"
SQL = (
    f'WITH r AS MATERIALIZED (SELECT id, "Emb" <-> \'{Q}\' AS "Distance" FROM {ITEMS}'
    ' WHERE category < 90 ORDER BY "Distance" LIMIT 10) SELECT * FROM r ORDER BY "Distance"'
)
RELAXED = {"hnsw.iterative_scan": "relaxed_order"}


async def test_fires_and_plus_zero_forces_the_sort(
    space_db: VectorDB, scratch_session: Session
) -> None:
    diag = await diagnose(scratch_session, SQL, RELAXED)
    assert diag.plan is not None and diag.plan.ann_scans() and not diag.plan.find("Sort")
    found = findings_of(diag, RULE)
    assert len(found) == 1
    f = found[0]
    assert "CTE Scan on r with no Sort above it" in f.evidence
    assert "relaxed_order" in f.evidence
    fixed = fix_query(f)
    assert fixed.endswith('ORDER BY "Distance" + 0')
    after = await diagnose(scratch_session, fixed, RELAXED)
    assert after.plan is not None and after.plan.find("Sort")
    assert RULE not in rules_of(after)


async def test_strict_order_is_silent(space_db: VectorDB, scratch_session: Session) -> None:
    diag = await diagnose(scratch_session, SQL, {"hnsw.iterative_scan": "strict_order"})
    assert RULE not in rules_of(diag)


async def test_iterative_off_is_silent(space_db: VectorDB, scratch_session: Session) -> None:
    diag = await diagnose(scratch_session, SQL)
    assert RULE not in rules_of(diag)
