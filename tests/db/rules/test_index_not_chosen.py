"""index-not-chosen against the real server: a random_page_cost that scares the planner off the
HNSW index, compared with the enable_seqscan = off re-plan that search.diagnose adds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, create_vector_table, vector_literal
from tests.db.rules.rulecheck import query_findings

RULE = "index-not-chosen"
Q = vector_literal(seed=9)
EXPENSIVE = {"random_page_cost": "1000"}


async def test_seq_scan_despite_index_fires(items_session: Session) -> None:
    # The rule compares one timed run of each plan; warm the index first so a cold re-plan on
    # a loaded machine does not make the index look slower than it is.
    async with items_session.read_only() as cur:
        await cur.execute("SET LOCAL enable_seqscan = off")
        await cur.execute("SELECT id FROM items ORDER BY emb <-> %s::vector LIMIT 10", (Q,))
    found, diag = await query_findings(
        items_session, f"SELECT id FROM items ORDER BY emb <-> '{Q}' LIMIT 10", RULE, EXPENSIVE
    )
    assert diag.plan is not None and not diag.plan.ann_scans()
    assert "noseqscan_plan" in diag.extras
    assert len(found) == 1
    f = found[0]
    assert "items_emb_l2" in f.message
    assert "with enable_seqscan = off: Index Scan using items_emb_l2" in f.evidence
    assert "random_page_cost = 1000" in f.evidence
    assert "ms" in f.evidence and "cost" in f.evidence
    assert "SET random_page_cost = 1.1;" in (f.fix or "")


async def test_default_costs_are_silent(items_session: Session) -> None:
    found, diag = await query_findings(
        items_session, f"SELECT id FROM items ORDER BY emb <-> '{Q}' LIMIT 10", RULE
    )
    assert diag.plan is not None and diag.plan.ann_scans()
    assert found == []


@pytest.fixture(scope="module")
def small_db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        create_vector_table(
            conn, schema="Small Stuff", table="Few Items", column="Emb", rows=3000, dims=64
        )
    yield scratch_db


async def test_small_table_is_silent(small_db: VectorDB, scratch_session: Session) -> None:
    found, diag = await query_findings(
        scratch_session,
        f'SELECT id FROM "Small Stuff"."Few Items" ORDER BY "Emb" <-> \'{Q}\' LIMIT 10',
        RULE,
        EXPENSIVE,
    )
    assert diag.plan is not None and not diag.plan.ann_scans()  # the same planner choice
    assert found == []
