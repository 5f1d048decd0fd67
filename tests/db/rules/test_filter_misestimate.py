"""filter-misestimate on the real server: two perfectly correlated filter columns make the
planner underestimate the filtered rows 100× and sort them exactly (fires); with extended
statistics on the pair the estimate is right (near miss)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, vector_literal
from tests.db.rules.shapes import diagnose, findings_of, rules_of

RULE = "filter-misestimate"
Q = vector_literal(dims=8)
SQL = f"SELECT id FROM corr WHERE a = 1 AND b = 1 ORDER BY emb <-> '{Q}' LIMIT 5"


@pytest.fixture(scope="module")
def corr_db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        conn.execute("CREATE TABLE corr (id int PRIMARY KEY, a int, b int, emb vector(8))")
        conn.execute("SELECT setseed(0.5)")
        conn.execute(
            "INSERT INTO corr SELECT i, i % 100, i % 100, "
            "(SELECT array_agg(random() + 0 * (i + g)) FROM generate_series(1, 8) g)::vector "
            "FROM generate_series(1, 20000) i"
        )
        conn.execute("CREATE INDEX ON corr USING hnsw (emb vector_l2_ops)")
        conn.execute("ANALYZE corr")
    yield scratch_db


async def test_misestimate_fires_and_statistics_fix_it(
    corr_db: VectorDB, scratch_session: Session
) -> None:
    diag = await diagnose(scratch_session, SQL)
    found = findings_of(diag, RULE)
    assert len(found) == 1, [n.label() for n in diag.plan.nodes()] if diag.plan else None
    assert "underestimated" in found[0].message and "actual 200" in found[0].message
    assert "ANALYZE corr" in (found[0].fix or "")
    with corr_db.admin() as conn:
        conn.execute("CREATE STATISTICS corr_ab (dependencies) ON a, b FROM corr")
        conn.execute("ANALYZE corr")
    try:
        after = await diagnose(scratch_session, SQL)
        assert RULE not in rules_of(after)
    finally:
        with corr_db.admin() as conn:
            conn.execute("DROP STATISTICS corr_ab")
            conn.execute("ANALYZE corr")
