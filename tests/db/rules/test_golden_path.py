"""The golden path of the seed guide (halfvec, cosine, HNSW halfvec_cosine_ops, ef_search ≥
LIMIT, ``ORDER BY embedding <=> $1::halfvec(N) LIMIT k``) raises no warning or error — with the
query vector bound from a stored row, as ``pgvtui check --vector-from`` does."""

from __future__ import annotations

from pgvtui.core.rules.base import Severity, all_rules
from pgvtui.core.search import diagnose, fetch_vector, parse_vector_from
from pgvtui.core.session import Session

GOLDEN = "SELECT id FROM items ORDER BY hemb <=> $1::halfvec(64) LIMIT 10"
_QUERY_RULES = {rule_id for rule_id, cls in all_rules().items() if cls.kind == "query"}


async def test_golden_path_is_clean(items_session: Session) -> None:
    vec = await fetch_vector(items_session, parse_vector_from("public.items.hemb:4242"))
    diag = await diagnose(
        items_session, GOLDEN, {"hnsw.ef_search": "100"}, vector=vec, kinds=("query", "catalog")
    )
    assert diag.plan is not None
    scans = diag.plan.ann_scans()
    assert [s.index_name for s in scans] == ["items_hemb_cos"]
    assert diag.search.rows == 10 and diag.search.result_rows[0] == (4242,)
    loud = [
        f
        for f in diag.findings
        if f.severity in (Severity.ERROR, Severity.WARNING)
        and (f.object is None or "hemb" in f.object or f.rule in _QUERY_RULES)
    ]
    assert loud == []


async def test_same_query_with_ef_search_below_limit_is_not_clean(items_session: Session) -> None:
    # near miss: LIMIT 50 > ef_search 40 with iterative scan off is not the golden path
    vec = await fetch_vector(items_session, parse_vector_from("public.items.hemb:4242"))
    diag = await diagnose(items_session, GOLDEN.replace("LIMIT 10", "LIMIT 50"), {}, vector=vec)
    assert any(f.severity is Severity.ERROR for f in diag.findings)
