"""limit-over-ef-search against the real server (items: HNSW l2, ef_search 40)."""

from __future__ import annotations

from pgvtui.core.session import Session
from tests.db.rules.conftest import vector_literal
from tests.db.rules.rulecheck import query_findings

RULE = "limit-over-ef-search"
Q = vector_literal(seed=3)
KNN = f"SELECT id FROM items ORDER BY emb <-> '{Q}'"


async def test_limit_100_fires(items_session: Session) -> None:
    found, diag = await query_findings(items_session, f"{KNN} LIMIT 100", RULE)
    assert diag.search.rows == 40  # the cap itself
    assert len(found) == 1
    f = found[0]
    assert "LIMIT 100" in f.message and "ef_search = 40" in f.message
    assert "Actual Rows 40" in f.evidence and "Plan Rows 100" in f.evidence
    assert (f.fix or "").startswith("SET hnsw.ef_search = 100;")


async def test_offset_counts(items_session: Session) -> None:
    found, diag = await query_findings(items_session, f"{KNN} LIMIT 10 OFFSET 50", RULE)
    assert diag.search.rows == 0
    assert len(found) == 1
    assert "LIMIT 10 OFFSET 50 needs 60 rows" in found[0].message


async def test_raised_ef_search_is_silent(items_session: Session) -> None:
    found, diag = await query_findings(
        items_session, f"{KNN} LIMIT 100", RULE, {"hnsw.ef_search": "100"}
    )
    assert diag.search.rows == 100
    assert found == []


async def test_iterative_scan_is_silent(items_session: Session) -> None:
    found, diag = await query_findings(
        items_session, f"{KNN} LIMIT 100", RULE, {"hnsw.iterative_scan": "relaxed_order"}
    )
    assert diag.search.rows == 100
    assert found == []


async def test_limit_within_ef_search_is_silent(items_session: Session) -> None:
    found, _ = await query_findings(items_session, f"{KNN} LIMIT 40", RULE)
    assert found == []
