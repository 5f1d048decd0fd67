"""knn-sort-without-index on plans from the real server, read offline (no catalog): fires for a
k-NN Sort over a Seq Scan / Parallel Seq Scan / Bitmap Heap Scan of a non-small table, with
and without ANALYZE; silent for a small table, an ANN index scan, and when the catalog is there
(the rules that prove the cause speak then)."""

from __future__ import annotations

from pgvtui.core import catalog
from pgvtui.core.plan import Plan, read_plans
from pgvtui.core.search import diagnose_plan
from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, vector_literal

RULE = "knn-sort-without-index"
Q = vector_literal()
SORTED = f"SELECT id FROM items ORDER BY emb <=> '{Q}' LIMIT 10"  # cosine: the l2 index can't
INDEXED = f"SELECT id FROM items ORDER BY emb <-> '{Q}' LIMIT 10"
FILTERED = f"SELECT id FROM items WHERE category < 60 ORDER BY emb <=> '{Q}' LIMIT 10"
SMALL = f"SELECT id FROM queries ORDER BY q <=> '{Q}' LIMIT 3"


def _text_plan(db: VectorDB, sql: str, options: str, *setup: str) -> Plan:
    with db.admin() as conn:
        for stmt in setup:
            conn.execute(stmt)
        rows = conn.execute(f"EXPLAIN ({options}) {sql}").fetchall()  # test-authored SQL
    plans = read_plans("\n".join(str(r[0]) for r in rows))
    assert len(plans) == 1
    return plans[0]


def _rules(plan: Plan) -> list[str]:
    return [f.rule for f in diagnose_plan(plan)]


def test_fires_on_sort_over_seq_scan(items_db: VectorDB) -> None:
    plan = _text_plan(
        items_db, SORTED, "ANALYZE, BUFFERS", "SET max_parallel_workers_per_gather = 0"
    )
    found = [f for f in diagnose_plan(plan) if f.rule == RULE]
    assert len(found) == 1
    f = found[0]
    assert f.severity.value == "warning" and "20,000 rows (actual)" in f.message
    assert "no HNSW/IVFFlat index" in (f.fix or "") and "enable_seqscan = off" in (f.fix or "")
    assert f.node_id == plan.find("Sort")[0].id


def test_fires_on_estimates_and_parallel(items_db: VectorDB) -> None:
    plan = _text_plan(
        items_db,
        SORTED,
        "COSTS ON",
        "SET max_parallel_workers_per_gather = 2",
        "SET parallel_setup_cost = 0",
        "SET parallel_tuple_cost = 0",
        "SET min_parallel_table_scan_size = 0",
    )
    scans = plan.find("Seq Scan")
    assert scans and scans[0].parallel_aware and not plan.analyzed
    found = [f for f in diagnose_plan(plan) if f.rule == RULE]
    assert len(found) == 1 and "(estimated)" in found[0].message
    assert "Parallel Seq Scan" in found[0].message


def test_fires_on_bitmap_heap_scan(items_db: VectorDB) -> None:
    plan = _text_plan(
        items_db, FILTERED, "ANALYZE", "SET enable_seqscan = off", "SET enable_indexscan = off"
    )
    assert plan.find("Bitmap Heap Scan")
    assert RULE in _rules(plan)


async def test_near_misses(items_db: VectorDB, items_session: Session) -> None:
    small = _text_plan(items_db, SMALL, "ANALYZE")
    assert small.find("Sort") and RULE not in _rules(small)  # 10 rows: a sort is right
    indexed = _text_plan(items_db, INDEXED, "ANALYZE")
    assert indexed.ann_scans() and RULE not in _rules(indexed)
    # with the catalog the cause-proving rules speak (here operator-mismatch), not this one
    plan = _text_plan(items_db, SORTED, "ANALYZE", "SET max_parallel_workers_per_gather = 0")
    inv = await catalog.inventory(items_session)
    assert RULE not in [f.rule for f in diagnose_plan(plan, sql_text=SORTED, inventory=inv)]
