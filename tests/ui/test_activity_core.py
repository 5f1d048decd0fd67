"""pgvtui.core.activity and its .sql files against the real server (the Activity screen's data)."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest
from psycopg import sql

from pgvtui.core import activity
from pgvtui.core.session import connect
from pgvtui.errors import PermissionDenied, QueryCancelled


@pytest.fixture
def items(admin: psycopg.Connection[Any]) -> None:
    admin.execute("CREATE TABLE items (id int PRIMARY KEY, emb vector(3))")
    admin.execute(
        "INSERT INTO items SELECT i, ARRAY[i, 1, 1]::vector FROM generate_series(1, 50) i"
    )


async def test_snapshot_sees_running_vector_query_and_marks_own(dsn: str, items: None) -> None:
    main = await connect(dsn)
    watcher = await connect(dsn)
    try:
        own = main.basics.backend_pid
        task = asyncio.create_task(
            main.fetch_value(sql.SQL("SELECT pg_sleep(10), '[1,2]'::vector <-> '[1,3]'"))
        )
        snap = activity.Activity((), ())
        for _ in range(100):
            snap = await activity.snapshot(watcher, [own])
            if any(q.pid == own for q in snap.queries):
                break
            await asyncio.sleep(0.05)  # waiting for another backend, not for the UI
        row = next(q for q in snap.queries if q.pid == own)
        assert row.is_own and row.application_name == "pgvtui" and "pg_sleep" in row.query
        assert row.duration_s is not None and row.duration_s >= 0
        assert snap.builds == ()

        with pytest.raises(PermissionDenied):
            await activity.cancel(watcher, own, own_pids=[watcher.basics.backend_pid])
        assert await activity.cancel(watcher, own, own_pids=[own]) is True
        with pytest.raises(QueryCancelled):
            await task
    finally:
        await main.close()
        await watcher.close()


async def test_table_key_and_sample_key(dsn: str, items: None, admin: Any) -> None:
    session = await connect(dsn)
    try:
        oid = int(admin.execute("SELECT 'items'::regclass::oid").fetchone()[0])
        key = await activity.table_key(session, oid)
        assert key == activity.TableKey("id", "integer")
        sample = await activity.sample_key(session, "public", "items", "emb", "id", pct=100)
        assert sample is not None and 1 <= int(sample) <= 50
        admin.execute("CREATE TABLE nokey (emb vector(3))")
        oid2 = int(admin.execute("SELECT 'nokey'::regclass::oid").fetchone()[0])
        assert await activity.table_key(session, oid2) is None
    finally:
        await session.close()


def test_build_progress_prefers_tuples_then_blocks() -> None:
    def build(**kw: Any) -> activity.IndexBuild:
        base: dict[str, Any] = dict(
            pid=1,
            database="d",
            table="t",
            index="i",
            method="hnsw",
            command="CREATE INDEX",
            phase="building index: loading tuples",
            blocks_total=None,
            blocks_done=None,
            tuples_total=None,
            tuples_done=None,
            duration_s=1.0,
        )
        base.update(kw)
        return activity.IndexBuild(**base)

    # HNSW reports tuples_total = 0 while loading: the heap blocks give the fraction.
    assert build(blocks_total=200, blocks_done=50, tuples_total=0, tuples_done=900).progress == (
        50,
        200,
    )
    assert build(tuples_total=1000, tuples_done=250, blocks_total=10).progress == (250, 1000)
    assert build().progress is None
