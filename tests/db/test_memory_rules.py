"""The memory rules against a real server: each fires, and a near miss does not.

index-exceeds-memory (shared_buffers case: tests/db/test_residency.py, on an 8 MB server),
index-mostly-cold, build-memory-low. Settings are changed per database with ALTER DATABASE so
pgvtui's session sees them the way it would on a real server.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from psycopg import sql

from pgvtui.core import residency
from pgvtui.core.catalog import inventory
from pgvtui.core.rules.base import Finding, Rule, RuleContext, run_rules
from pgvtui.core.rules.build_memory_low import BuildMemoryLow
from pgvtui.core.rules.index_exceeds_memory import IndexExceedsMemory
from pgvtui.core.rules.index_mostly_cold import IndexMostlyCold
from pgvtui.core.session import connect
from tests.db.tables import knn, make_table


def set_db(conn: psycopg.Connection, dbname: str, name: str, value: str) -> None:
    conn.execute(
        sql.SQL("ALTER DATABASE {} SET {} = {}").format(
            sql.Identifier(dbname), sql.Identifier(name), sql.Literal(value)
        )
    )


async def run(
    dsn: str, rule: Rule, *, ram: int | None = None, with_residency: bool = False
) -> list[Finding]:
    s = await connect(dsn)
    try:
        inv = await inventory(s)
        ctx = RuleContext(inventory=inv, settings=dict(inv.settings))
        if with_residency or ram is not None:
            ctx.extras[residency.EXTRAS_KEY] = await residency.collect(s, ram_bytes=ram, inv=inv)
    finally:
        await s.close()
    return list(rule.check(ctx))


# -- index-exceeds-memory --------------------------------------------------------------------


async def test_exceeds_effective_cache_size(
    admin: psycopg.Connection, dsn: str, dbname: str
) -> None:
    make_table(admin, "items", 128, 2000)  # ~1.3 MB of HNSW
    admin.execute("CREATE INDEX items_hnsw ON items USING hnsw (emb vector_l2_ops)")
    set_db(admin, dbname, "effective_cache_size", "512kB")
    found = await run(dsn, IndexExceedsMemory())
    assert [f.object for f in found] == ["public.items_hnsw"]
    f = found[0]
    assert "larger than effective_cache_size (512 kB)" in f.message
    assert "shared_buffers 32 MB" in f.evidence
    assert f.fix is not None and "halfvec" in f.fix and not f.fix_is_sql


async def test_fits_everything_is_silent(admin: psycopg.Connection, dsn: str) -> None:
    make_table(admin, "items", 128, 2000)
    admin.execute("CREATE INDEX items_hnsw ON items USING hnsw (emb vector_l2_ops)")
    assert await run(dsn, IndexExceedsMemory(), ram=16 * 1024**3) == []


async def test_exceeds_ram_given_with_ram_option(admin: psycopg.Connection, dsn: str) -> None:
    make_table(admin, "items", 128, 2000)
    admin.execute("CREATE INDEX items_hnsw ON items USING hnsw (emb vector_l2_ops)")
    found = await run(dsn, IndexExceedsMemory(), ram=1024 * 1024)
    assert len(found) == 1 and "RAM (--ram)" in found[0].message


async def test_all_indexes_together(admin: psycopg.Connection, dsn: str, dbname: str) -> None:
    make_table(admin, "items", 128, 2000)
    admin.execute("CREATE INDEX items_l2 ON items USING hnsw (emb vector_l2_ops)")
    admin.execute("CREATE INDEX items_cos ON items USING hnsw (emb vector_cosine_ops)")
    size = admin.execute("SELECT pg_relation_size('items_l2')").fetchone()
    assert size is not None
    # each fits, both together do not
    set_db(admin, dbname, "effective_cache_size", f"{int(size[0] * 1.5) // 1024}kB")
    found = await run(dsn, IndexExceedsMemory())
    assert [f.object for f in found] == ["all ANN indexes"]
    assert "all 2 ANN indexes together" in found[0].message


# -- index-mostly-cold -----------------------------------------------------------------------


def _query_and_flush(conn: psycopg.Connection, n: int = 5) -> None:
    knn(conn, "items", 64, n)
    conn.execute("SELECT pg_stat_force_next_flush()")
    conn.execute("SELECT 1")


def _wait_for_scans(conn: psycopg.Connection) -> None:
    for _ in range(50):
        row = conn.execute(
            "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'items_hnsw'"
        ).fetchone()
        if row and row[0]:
            return
        time.sleep(0.1)
    pytest.fail("idx_scan never showed the queries")


async def test_used_and_evicted_index_is_cold(admin: psycopg.Connection, dsn: str) -> None:
    make_table(admin, "items", 64, 3000)
    admin.execute("CREATE INDEX items_hnsw ON items USING hnsw (emb vector_l2_ops)")
    _query_and_flush(admin)
    _wait_for_scans(admin)
    admin.execute("SELECT * FROM pg_buffercache_evict_relation('items_hnsw'::regclass)")
    found = await run(dsn, IndexMostlyCold(), with_residency=True)
    assert [f.object for f in found] == ["public.items_hnsw"]
    assert found[0].fix == "SELECT pg_prewarm('public.items_hnsw'::regclass);"
    assert "pages cached" in found[0].evidence


async def test_used_and_warm_index_is_silent(admin: psycopg.Connection, dsn: str) -> None:
    make_table(admin, "items", 64, 3000)
    admin.execute("CREATE INDEX items_hnsw ON items USING hnsw (emb vector_l2_ops)")
    _query_and_flush(admin)
    _wait_for_scans(admin)
    assert await run(dsn, IndexMostlyCold(), with_residency=True) == []


async def test_unused_cold_index_is_silent(admin: psycopg.Connection, dsn: str) -> None:
    make_table(admin, "items", 64, 3000)
    admin.execute("CREATE INDEX items_hnsw ON items USING hnsw (emb vector_l2_ops)")
    admin.execute("SELECT * FROM pg_buffercache_evict_relation('items_hnsw'::regclass)")
    assert await run(dsn, IndexMostlyCold(), with_residency=True) == []
    # and without a residency report the rule has nothing to judge
    assert await run(dsn, IndexMostlyCold()) == []


# -- build-memory-low ------------------------------------------------------------------------


async def test_hnsw_rebuild_would_spill(admin: psycopg.Connection, dsn: str, dbname: str) -> None:
    make_table(admin, "items", 384, 1500)  # ~2,250 B per element serial → ~3.2 MB graph
    admin.execute("CREATE INDEX items_hnsw ON items USING hnsw (emb vector_l2_ops)")
    admin.execute("ANALYZE items")
    set_db(admin, dbname, "maintenance_work_mem", "1MB")
    found = await run(dsn, BuildMemoryLow())
    assert [f.object for f in found] == ["public.items_hnsw"]
    f = found[0]
    assert "would spill" in f.message and "1,500 rows" in f.message
    assert f.fix is not None and f.fix.startswith("SET maintenance_work_mem = '4MB';")
    # the server agrees: at 1MB the rebuild reports the spill
    notices: list[str] = []
    admin.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
    admin.execute("SET maintenance_work_mem = '1MB'")
    admin.execute("REINDEX INDEX items_hnsw")
    assert any("no longer fits into maintenance_work_mem" in n for n in notices)


async def test_hnsw_enough_memory_is_silent(admin: psycopg.Connection, dsn: str) -> None:
    make_table(admin, "items", 384, 1500)
    admin.execute("CREATE INDEX items_hnsw ON items USING hnsw (emb vector_l2_ops)")
    admin.execute("ANALYZE items")
    assert await run(dsn, BuildMemoryLow()) == []  # 64MB default


async def test_ivfflat_rebuild_would_fail(admin: psycopg.Connection, dsn: str, dbname: str) -> None:
    make_table(admin, "items", 64, 2000)
    admin.execute(
        "CREATE INDEX items_ivf ON items USING ivfflat (emb vector_l2_ops) WITH (lists = 100)"
    )
    admin.execute("ANALYZE items")
    set_db(admin, dbname, "maintenance_work_mem", "1MB")
    found = await run(dsn, BuildMemoryLow())
    assert [f.object for f in found] == ["public.items_ivf"]
    assert "would fail" in found[0].message
    admin.execute("SET maintenance_work_mem = '1MB'")
    with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="memory required is"):
        admin.execute("REINDEX INDEX items_ivf")


async def test_rules_run_through_the_registry(admin: psycopg.Connection, dsn: str) -> None:
    make_table(admin, "items", 384, 1500)
    admin.execute("CREATE INDEX items_hnsw ON items USING hnsw (emb vector_l2_ops)")
    admin.execute("ANALYZE items")
    s = await connect(dsn)
    try:
        inv = await inventory(s)
    finally:
        await s.close()
    ctx = RuleContext(inventory=inv, settings={**inv.settings, "maintenance_work_mem": "1MB"})
    ids = {f.rule for f in run_rules(ctx, kinds=("catalog",))}
    assert "build-memory-low" in ids
