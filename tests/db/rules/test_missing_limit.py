"""missing-limit on the real server: a full sort (warning), a truncated index scan (error)."""

from __future__ import annotations

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB
from tests.db.rules.shapes import ITEMS, Q, ann_used, diagnose, findings_of, fix_query, rules_of

RULE = "missing-limit"
NO_LIMIT = f"SELECT id FROM {ITEMS} ORDER BY \"Emb\" <-> '{Q}'"


async def test_full_sort_warns_and_fix_adds_limit(
    space_db: VectorDB, scratch_session: Session
) -> None:
    diag = await diagnose(scratch_session, NO_LIMIT)
    found = findings_of(diag, RULE)
    assert len(found) == 1 and found[0].severity.value == "warning"
    assert "12,000 rows" in found[0].message
    assert diag.search.rows == 12_000
    fixed = fix_query(found[0])
    assert fixed.endswith("LIMIT 10")
    after = await diagnose(scratch_session, fixed)
    assert RULE not in rules_of(after) and ann_used(after)


async def test_index_scan_without_limit_is_truncated(
    space_db: VectorDB, scratch_session: Session
) -> None:
    diag = await diagnose(scratch_session, NO_LIMIT, {"enable_seqscan": "off"})
    found = findings_of(diag, RULE)
    assert len(found) == 1
    f = found[0]
    assert f.severity.value == "error"
    assert diag.search.rows == 40  # silently cut at hnsw.ef_search
    assert "hnsw.ef_search = 40" in f.message and "returned 40 rows" in f.evidence


async def test_with_limit_is_silent(space_db: VectorDB, scratch_session: Session) -> None:
    diag = await diagnose(scratch_session, NO_LIMIT + " LIMIT 5")
    assert RULE not in rules_of(diag) and ann_used(diag)
