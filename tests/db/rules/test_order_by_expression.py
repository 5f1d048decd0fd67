"""order-by-expression on the real server: 1 - distance fires, an alias of the distance does not."""

from __future__ import annotations

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB
from tests.db.rules.shapes import COS, Q, ann_used, diagnose, findings_of, fix_query, rules_of

RULE = "order-by-expression"


async def test_similarity_desc_fires_and_fix_uses_index(
    space_db: VectorDB, scratch_session: Session
) -> None:
    sql = (
        f"SELECT id, 1 - (\"Emb\" <=> '{Q}') AS sim FROM {COS}"
        f" ORDER BY 1 - (\"Emb\" <=> '{Q}') DESC LIMIT 10"
    )
    diag = await diagnose(scratch_session, sql)
    found = findings_of(diag, RULE)
    assert len(found) == 1 and found[0].object == "Vec Space.Cos Items.Emb"
    assert "DESC" in found[0].evidence
    fixed = fix_query(found[0])
    assert fixed.endswith("LIMIT 10") and '1 - ("Emb" <=>' in fixed
    after = await diagnose(scratch_session, fixed)
    assert RULE not in rules_of(after) and ann_used(after)
    # same rows as before: 1 - d DESC and d ASC agree
    assert after.search.result_rows[0][0] == diag.search.result_rows[0][0]


async def test_alias_of_bare_distance_is_silent(
    space_db: VectorDB, scratch_session: Session
) -> None:
    sql = f'SELECT id, "Emb" <=> \'{Q}\' AS "Dist" FROM {COS} ORDER BY "Dist" LIMIT 10'
    diag = await diagnose(scratch_session, sql)
    assert ann_used(diag) and RULE not in rules_of(diag)
