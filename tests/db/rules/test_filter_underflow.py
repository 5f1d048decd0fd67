"""filter-underflow against the real server: a 1 % filter after HNSW / IVFFlat candidates."""

from __future__ import annotations

from pgvtui.core.session import Session
from tests.db.rules.conftest import vector_literal
from tests.db.rules.rulecheck import query_findings

RULE = "filter-underflow"
Q = vector_literal(seed=5)


def _knn(table: str) -> str:
    return f"SELECT id FROM {table} WHERE id % 100 = 7 ORDER BY emb <-> '{Q}' LIMIT 10"


async def test_hnsw_filter_fires(items_session: Session) -> None:
    found, diag = await query_findings(items_session, _knn("items"), RULE)
    assert diag.search.rows is not None and diag.search.rows < 10
    assert len(found) == 1
    f = found[0]
    assert "Rows Removed by Filter" in f.evidence and "hnsw.iterative_scan = off" in f.evidence
    assert (f.fix or "").startswith("SET hnsw.iterative_scan = relaxed_order;")
    assert "WHERE ((id % '100'::bigint) = 7);" in (f.fix or "")


async def test_hnsw_iterative_scan_is_silent(items_session: Session) -> None:
    found, diag = await query_findings(
        items_session, _knn("items"), RULE, {"hnsw.iterative_scan": "relaxed_order"}
    )
    assert diag.search.rows == 10
    assert found == []


async def test_ivfflat_filter_fires(items_session: Session) -> None:
    found, diag = await query_findings(items_session, _knn("items_ivf"), RULE)
    assert diag.search.rows is not None and diag.search.rows < 10
    assert len(found) == 1
    assert "ivfflat.probes = 1" in found[0].evidence
    assert (found[0].fix or "").startswith("SET ivfflat.iterative_scan = relaxed_order;")


async def test_ivfflat_iterative_is_silent(items_session: Session) -> None:
    found, diag = await query_findings(
        items_session, _knn("items_ivf"), RULE, {"ivfflat.iterative_scan": "relaxed_order"}
    )
    assert diag.search.rows == 10
    assert found == []


async def test_unfiltered_is_silent(items_session: Session) -> None:
    found, _ = await query_findings(
        items_session, f"SELECT id FROM items ORDER BY emb <-> '{Q}' LIMIT 10", RULE
    )
    assert found == []
