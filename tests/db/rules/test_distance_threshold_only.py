"""distance-threshold-only on the real server."""

from __future__ import annotations

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB
from tests.db.rules.shapes import COS, Q, ann_used, diagnose, findings_of, fix_query, rules_of

RULE = "distance-threshold-only"
THRESHOLD = f"SELECT id FROM {COS} WHERE \"Emb\" <=> '{Q}' < 0.6"


async def test_threshold_only_fires(space_db: VectorDB, scratch_session: Session) -> None:
    diag = await diagnose(scratch_session, THRESHOLD)
    found = findings_of(diag, RULE)
    assert len(found) == 1
    f = found[0]
    assert f.object == "Vec Space.Cos Items.Emb"
    assert "Seq Scan on Cos Items" in f.evidence and "Filter" in f.evidence
    fixed = fix_query(f)
    assert "< 0.6 ORDER BY" in fixed and fixed.endswith("LIMIT 100")
    after = await diagnose(scratch_session, fixed)
    assert RULE not in rules_of(after) and ann_used(after)


async def test_even_with_seqscan_disabled(space_db: VectorDB, scratch_session: Session) -> None:
    diag = await diagnose(scratch_session, THRESHOLD, {"enable_seqscan": "off"})
    found = findings_of(diag, RULE)
    assert len(found) == 1 and "Disabled" in found[0].evidence


async def test_threshold_with_order_by_limit_is_silent(
    space_db: VectorDB, scratch_session: Session
) -> None:
    diag = await diagnose(scratch_session, THRESHOLD + f" ORDER BY \"Emb\" <=> '{Q}' LIMIT 10")
    assert RULE not in rules_of(diag) and ann_used(diag)
