"""ann-filter-unverified on plans from the real server: an HNSW index scan with a Filter in a
plan without ANALYZE is an info (fires); the same with ANALYZE (filter-underflow measures it
then), and an index scan without a filter, stay quiet (near misses)."""

from __future__ import annotations

from pgvtui.core.plan import read_plans
from pgvtui.core.search import diagnose_plan
from tests.db.rules.conftest import VectorDB, vector_literal

RULE = "ann-filter-unverified"
Q = vector_literal()
FILTERED = f"SELECT id FROM items WHERE id % 7 = 0 ORDER BY emb <-> '{Q}' LIMIT 10"
PLAIN = f"SELECT id FROM items ORDER BY emb <-> '{Q}' LIMIT 10"


def _rules(db: VectorDB, options: str, sql: str) -> list[str]:
    with db.admin() as conn:
        rows = conn.execute(f"EXPLAIN ({options}) {sql}").fetchall()  # test-authored SQL
    plan = read_plans("\n".join(str(r[0]) for r in rows))[0]
    assert plan.ann_scans(), "the HNSW index orders the scan"
    return [f.rule for f in diagnose_plan(plan)]


def test_fires_without_analyze(items_db: VectorDB) -> None:
    assert _rules(items_db, "COSTS ON", FILTERED).count(RULE) == 1


def test_near_misses(items_db: VectorDB) -> None:
    assert RULE not in _rules(items_db, "ANALYZE", FILTERED)
    assert RULE not in _rules(items_db, "COSTS ON", PLAIN)
