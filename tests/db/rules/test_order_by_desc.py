"""order-by-desc on the real server (quoted schema/table/column names)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, create_vector_table
from tests.db.rules.shapes import (
    ITEMS,
    Q,
    ann_used,
    diagnose,
    findings_of,
    fix_query,
    rules_of,
)

RULE = "order-by-desc"


@pytest.fixture(scope="module")
def db(space_db: VectorDB) -> Iterator[VectorDB]:
    with space_db.admin() as conn:
        create_vector_table(
            conn,
            schema="Vec Space",
            table="No Index",
            column="Emb",
            dims=16,
            rows=12_000,
            index=None,
        )
    yield space_db


async def test_fires_and_fix_uses_the_index(db: VectorDB, scratch_session: Session) -> None:
    sql = f"SELECT id FROM {ITEMS} ORDER BY \"Emb\" <-> '{Q}' DESC LIMIT 10"
    diag = await diagnose(scratch_session, sql)
    found = findings_of(diag, RULE)
    assert len(found) == 1
    f = found[0]
    assert f.object == "Vec Space.Items.Emb"
    assert "DESC" in f.evidence and "Vec Space.Items L2" in f.evidence
    assert diag.plan is not None and f.node_id is not None
    marked = diag.plan.node(f.node_id)
    assert marked is not None and marked.node_type == "Sort"
    fixed = fix_query(f)
    assert "DESC" not in fixed.upper()
    after = await diagnose(scratch_session, fixed)
    assert RULE not in rules_of(after) and ann_used(after)


async def test_ascending_is_silent(db: VectorDB, scratch_session: Session) -> None:
    diag = await diagnose(
        scratch_session, f"SELECT id FROM {ITEMS} ORDER BY \"Emb\" <-> '{Q}' LIMIT 10"
    )
    assert ann_used(diag) and RULE not in rules_of(diag)


async def test_desc_without_an_index_is_not_this_rule(
    db: VectorDB, scratch_session: Session
) -> None:
    sql = f'SELECT id FROM "Vec Space"."No Index" ORDER BY "Emb" <-> \'{Q}\' DESC LIMIT 10'
    diag = await diagnose(scratch_session, sql)
    assert diag.plan is not None and diag.plan.find("Sort")
    assert RULE not in rules_of(diag)
