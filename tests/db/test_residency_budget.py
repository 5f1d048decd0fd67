"""Prewarm within budget on the test server (shared_buffers 32 MB): a hot set of ANN indexes
larger than shared_buffers — each index fits alone, together they do not. The suggestions are
ranked by value (scans per byte), cut to the budget (75 % of shared_buffers) with the total shown,
and say the hot set cannot fit, pointing at the memory findings; --prewarm loads only the plan."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import psycopg
import pytest

from pgvtui.cli import main
from pgvtui.core import prewarm_plan, residency
from pgvtui.core.checkup import check_catalog
from pgvtui.core.session import Session, connect
from tests.db.tables import knn, make_table

MB = 1024 * 1024
# vector(1000) at m = 16: about one element per 8 kB page → ~12 MB per index of 1,500 rows
DIMS, ROWS = 1000, 1500
SCANS = {"hot_a": 30, "hot_b": 20, "hot_c": 10, "cold_d": 0}


@pytest.fixture
def hot_db(admin: psycopg.Connection, dsn: str) -> str:
    admin.execute("CREATE EXTENSION IF NOT EXISTS pg_buffercache")
    admin.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
    for table, scans in SCANS.items():
        make_table(admin, table, DIMS, ROWS)
        admin.execute(f"CREATE INDEX {table}_hnsw ON {table} USING hnsw (emb vector_l2_ops)")
        admin.execute(f"ANALYZE {table}")
        if scans:
            knn(admin, table, DIMS, scans)
    admin.execute("SELECT pg_stat_force_next_flush()")
    return dsn


@pytest.fixture
async def session(hot_db: str) -> AsyncIterator[Session]:
    s = await connect(hot_db)
    yield s
    await s.close()


async def test_hot_set_larger_than_shared_buffers(session: Session) -> None:
    rep = await residency.collect(session)
    sb = rep.memory.shared_buffers_bytes
    assert sb == 32 * MB
    by = {i.name: i for i in rep.indexes}
    assert all(i.size_bytes < sb * prewarm_plan.PREWARM_SHARE for i in by.values())
    hot = sum(by[f"{t}_hnsw"].size_bytes for t, n in SCANS.items() if n)
    assert hot > sb  # the hot set is larger than shared_buffers
    plan = rep.prewarm_plan
    assert plan is not None and plan.budget_bytes == int(sb * prewarm_plan.PREWARM_SHARE)
    assert not plan.hot_fits and plan.hot_bytes == hot and plan.hot_indexes == 3
    # ranked by value, cut to the budget, total shown
    chosen = [p.index for p in plan.chosen]
    assert chosen == ["public.hot_a_hnsw", "public.hot_b_hnsw"][: len(chosen)] and chosen
    assert plan.total_bytes == sum(p.size_bytes for p in plan.chosen) <= plan.budget_bytes
    left = {p.index: p.reason for p in plan.left_out}
    assert "public.hot_c_hnsw" in left or "public.hot_c_hnsw" in chosen
    assert set(chosen) | set(left) == {f"public.{t}_hnsw" for t in SCANS}
    texts = [s.text for s in rep.suggestions]
    assert any(t.startswith("The hot set") and "index-exceeds-memory" in t for t in texts)
    head = next(t for t in texts if t.startswith("Prewarm within budget"))
    assert f"{len(chosen)} index" in head and "75% of shared_buffers" in head
    prewarm_lines = [s for s in rep.suggestions if s.sql and "pg_prewarm(" in s.sql]
    assert [s.text.split()[2] for s in prewarm_lines] == chosen
    assert any("restores only part" in t for t in texts)  # autoprewarm, honestly
    # the memory findings the suggestion points at exist
    check = await check_catalog(session)
    assert any(f.rule == "index-exceeds-memory" for f in check.findings)


async def test_prewarm_loads_only_the_plan(session: Session) -> None:
    rep = await residency.collect(session, do_prewarm=True)
    plan = rep.prewarm_plan
    assert plan is not None
    loaded = [p.index for p in rep.prewarmed if p.blocks is not None]
    skipped = {p.index: p.skipped for p in rep.prewarmed if p.blocks is None}
    assert (
        loaded
        and sum(i.size_bytes for i in rep.indexes if i.qualified_name in loaded)
        <= plan.budget_bytes
    )
    assert all(reason for reason in skipped.values())
    assert "public.cold_d_hnsw" not in loaded[:1]  # the never-scanned index is never first


def test_cli_text_and_json(hot_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["residency", hot_db, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    plan = doc["prewarm_plan"]
    assert plan["budget_bytes"] == 24 * MB and plan["chosen"] and plan["left_out"]
    assert plan["total_bytes"] <= plan["budget_bytes"] < plan["hot_bytes"]
    assert main(["residency", hot_db]) == 0
    text = capsys.readouterr().out
    assert "Prewarm within budget" in text and "of the 24.0 MB budget" in text
    assert "The hot set" in text and "Not prewarmed" in text
