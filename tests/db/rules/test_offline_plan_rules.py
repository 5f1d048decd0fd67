"""Plan-visible rules on recorded plans without the catalog (``check --plan-file`` offline):
plans from the real server in psql text, read back and diagnosed with no inventory.

- ``filter-underflow``: a filter after the HNSW scan kept fewer rows than LIMIT (fires); with
  an iterative scan the LIMIT is filled (near miss).
- ``cold-index-reads``: an index of its own evicted from shared_buffers, then scanned (fires);
  scanned again, warm (near miss). (Its own table in scratch_db: evicting the shared items
  table would make other tests' plans cold.)
"""

from __future__ import annotations

from pgvtui.core.plan import Plan, read_plans
from pgvtui.core.search import diagnose_plan
from tests.db.rules.conftest import VectorDB, create_vector_table, vector_literal

Q = vector_literal(seed=3)
SPARSE = f"SELECT id FROM items WHERE id % 50 = 0 ORDER BY emb <-> '{Q}' LIMIT 10"
KNN = f"SELECT id FROM items ORDER BY emb <-> '{Q}' LIMIT 10"


COLD_KNN = f"SELECT id FROM cold ORDER BY emb <-> '{Q}' LIMIT 10"


def _plan(db: VectorDB, sql: str, *setup: str) -> Plan:
    with db.admin() as conn:
        for stmt in ("SET enable_seqscan = off", *setup):
            conn.execute(stmt)
        rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}").fetchall()  # test-authored
    plan = read_plans("\n".join(str(r[0]) for r in rows))[0]
    assert plan.ann_scans()
    return plan


def _rules(plan: Plan) -> list[str]:
    return [f.rule for f in diagnose_plan(plan)]


def test_filter_underflow_offline(items_db: VectorDB) -> None:
    plan = _plan(items_db, SPARSE)
    assert plan.rows is not None and plan.rows < 10
    found = [f for f in diagnose_plan(plan) if f.rule == "filter-underflow"]
    assert len(found) == 1 and "fewer than LIMIT 10" in found[0].message
    assert "hnsw.iterative_scan" in (found[0].fix or "")
    filled = _plan(items_db, SPARSE, "SET hnsw.iterative_scan = relaxed_order")
    assert filled.rows == 10 and "filter-underflow" not in _rules(filled)


def test_cold_index_reads_offline(scratch_db: VectorDB) -> None:
    with scratch_db.admin() as conn:
        create_vector_table(conn, table="cold", index_name="cold_emb_l2", category=False)
    _plan(scratch_db, COLD_KNN)
    with scratch_db.admin() as conn:
        conn.execute("SELECT pg_buffercache_evict_relation('cold_emb_l2'::regclass)")
        conn.execute("SELECT pg_buffercache_evict_relation('cold'::regclass)")
    cold = _plan(scratch_db, COLD_KNN)
    assert "cold-index-reads" in _rules(cold), cold.ann_scans()[0].shared_read
    warm = _plan(scratch_db, COLD_KNN)
    assert warm.ann_scans()[0].shared_read == 0 and "cold-index-reads" not in _rules(warm)


MATERIALIZED = (
    "WITH c AS MATERIALIZED (SELECT id, emb FROM items WHERE category < 50) "
    f"SELECT id FROM c ORDER BY emb <-> '{Q}' LIMIT 5"
)
QUERY_VECTOR_CTE = (
    "WITH q AS MATERIALIZED (SELECT q FROM queries WHERE id = 1) "
    "SELECT i.id FROM items i, q ORDER BY i.emb <-> q.q LIMIT 5"
)


def _explain(db: VectorDB, sql: str) -> Plan:
    with db.admin() as conn:
        rows = conn.execute(f"EXPLAIN (ANALYZE) {sql}").fetchall()  # test-authored SQL
    return read_plans("\n".join(str(r[0]) for r in rows))[0]


def test_materialized_cte_offline(items_db: VectorDB) -> None:
    plan = _explain(items_db, MATERIALIZED)
    found = [f for f in diagnose_plan(plan) if f.rule == "materialized-cte"]
    assert len(found) == 1 and "the CTE c" in found[0].message and "items" in found[0].message
    assert "NOT MATERIALIZED" in (found[0].fix or "")
    # a CTE that only holds the query vector is join-query-vector's case, not this rule's
    near = _explain(items_db, QUERY_VECTOR_CTE)
    assert near.find("CTE Scan") and "materialized-cte" not in _rules(near)


JOINED = (
    "SELECT i.id FROM items i CROSS JOIN (SELECT q FROM queries WHERE id = 1 OFFSET 0) q "
    "ORDER BY i.emb <-> q.q LIMIT 5"
)
SCALAR = "SELECT id FROM items ORDER BY emb <-> (SELECT q FROM queries WHERE id = 1) LIMIT 5"
LATERAL = (
    "SELECT q.id, n.id FROM queries q CROSS JOIN LATERAL "
    "(SELECT i.id FROM items i ORDER BY i.emb <=> q.q LIMIT 3) n"
)


def test_join_query_vector_offline(items_db: VectorDB) -> None:
    for sql in (JOINED, QUERY_VECTOR_CTE):
        plan = _explain(items_db, sql)
        found = [f for f in diagnose_plan(plan) if f.rule == "join-query-vector"]
        assert len(found) == 1, (sql, [n.label() for n in plan.nodes()])
        assert "comes from a join" in found[0].message and "i.emb" in found[0].message
        assert "knn-sort-without-index" not in _rules(plan)  # the cause is known: one finding
    for sql in (SCALAR, LATERAL):
        assert "join-query-vector" not in _rules(_explain(items_db, sql)), sql


THRESHOLD = f"SELECT id FROM items WHERE emb <-> '{Q}' < 2.6"
THRESHOLD_SMALL = f"SELECT id FROM queries WHERE q <-> '{Q}' < 2.6"


def test_distance_threshold_only_offline(items_db: VectorDB) -> None:
    plan = _explain(items_db, THRESHOLD)
    found = [f for f in diagnose_plan(plan) if f.rule == "distance-threshold-only"]
    assert len(found) == 1 and "compares every row of items" in found[0].message
    assert "20,000 rows" in found[0].evidence
    # near misses: a 10-row table; the threshold with ORDER BY … LIMIT (the index serves it)
    assert "distance-threshold-only" not in _rules(_explain(items_db, THRESHOLD_SMALL))
    ordered = _explain(items_db, THRESHOLD + f" ORDER BY emb <-> '{Q}' LIMIT 10")
    assert "distance-threshold-only" not in _rules(ordered)


def test_limit_over_ef_search_offline(items_db: VectorDB) -> None:
    big = _plan(items_db, KNN.replace("LIMIT 10", "LIMIT 100"))
    found = [f for f in diagnose_plan(big) if f.rule == "limit-over-ef-search"]
    assert big.rows == 40 and len(found) == 1  # hnsw.ef_search = 40 cut it
    assert "stopped after 40 rows, fewer than LIMIT 100" in found[0].message
    # near misses: a LIMIT within ef_search; an iterative scan that fills the LIMIT
    assert "limit-over-ef-search" not in _rules(_plan(items_db, KNN))
    filled = _plan(
        items_db, KNN.replace("LIMIT 10", "LIMIT 100"), "SET hnsw.iterative_scan = relaxed_order"
    )
    assert filled.rows == 100 and "limit-over-ef-search" not in _rules(filled)
