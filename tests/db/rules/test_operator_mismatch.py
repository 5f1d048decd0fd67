"""operator-mismatch against the real server: ``<=>`` on an l2 HNSW index, ``<=>`` on IVFFlat."""

from __future__ import annotations

from pgvtui.core.session import Session
from tests.db.rules.conftest import vector_literal
from tests.db.rules.rulecheck import query_findings

RULE = "operator-mismatch"
Q = vector_literal()


async def test_cosine_query_on_l2_index_fires(items_session: Session) -> None:
    found, diag = await query_findings(
        items_session, f"SELECT id FROM items ORDER BY emb <=> '{Q}' LIMIT 10", RULE
    )
    assert diag.plan is not None and diag.plan.find("Seq Scan")
    assert len(found) == 1
    f = found[0]
    assert "items_emb_l2" in f.message and "<=>" in f.message
    assert "Seq Scan on items" in f.evidence and "vector_l2_ops" in f.evidence
    assert (
        'CREATE INDEX CONCURRENTLY ON "public"."items" USING hnsw ("emb" vector_cosine_ops);'
        in (f.fix or "")
    )
    assert f.object == "public.items.emb"


async def test_matching_operator_is_silent(items_session: Session) -> None:
    found, diag = await query_findings(
        items_session, f"SELECT id FROM items ORDER BY emb <-> '{Q}' LIMIT 10", RULE
    )
    assert diag.plan is not None and diag.plan.ann_scans()
    assert found == []


async def test_ivfflat_fix_keeps_method_and_lists(items_session: Session) -> None:
    found, _ = await query_findings(
        items_session, f"SELECT id FROM items_ivf ORDER BY emb <=> '{Q}' LIMIT 10", RULE
    )
    assert len(found) == 1
    fix = found[0].fix or ""
    assert (
        'CREATE INDEX CONCURRENTLY ON "public"."items_ivf" USING ivfflat ("emb" vector_cosine_ops)'
        " WITH (lists = 100);" in fix
    )


async def test_l1_on_l2_index_says_not_equivalent(items_session: Session) -> None:
    found, _ = await query_findings(
        items_session, f"SELECT id FROM items ORDER BY emb <+> '{Q}' LIMIT 10", RULE
    )
    assert len(found) == 1
    assert "NOT equivalent" in (found[0].fix or "")
    assert "vector_l1_ops" in (found[0].fix or "")
