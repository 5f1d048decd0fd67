"""iterative-scan-exhausted against the real server: a 0.1 % filter with a small budget."""

from __future__ import annotations

from pgvtui.core.session import Session
from tests.db.rules.conftest import vector_literal
from tests.db.rules.rulecheck import query_findings

RULE = "iterative-scan-exhausted"
Q = vector_literal(seed=7)
KNN = f"SELECT id FROM items WHERE id % 1000 = 7 ORDER BY emb <-> '{Q}' LIMIT 10"


async def test_small_budget_fires(items_session: Session) -> None:
    found, diag = await query_findings(
        items_session,
        KNN,
        RULE,
        {"hnsw.iterative_scan": "relaxed_order", "hnsw.max_scan_tuples": "1000"},
    )
    assert diag.search.rows is not None and diag.search.rows < 10
    assert len(found) == 1
    f = found[0]
    assert "hnsw.max_scan_tuples = 1,000" in f.evidence and "shared hit" in f.evidence
    assert (f.fix or "").startswith("SET hnsw.max_scan_tuples = 5000;")


async def test_default_budget_is_silent(items_session: Session) -> None:
    found, diag = await query_findings(
        items_session, KNN, RULE, {"hnsw.iterative_scan": "relaxed_order"}
    )
    assert diag.search.rows == 10
    assert found == []


async def test_iterative_off_is_silent(items_session: Session) -> None:
    # filter-underflow's case, not this rule's
    found, _ = await query_findings(items_session, KNN, RULE)
    assert found == []
