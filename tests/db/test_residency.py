"""Residency against a real server: model vs pg_relation_size, measured residency after a build,
after eviction and after queries, one pg_buffercache pass, prewarm, and an index larger than
shared_buffers (on a server of this module's own with shared_buffers = 8MB)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest
from psycopg import sql

from pgvtui.cli import main
from pgvtui.core import residency
from pgvtui.core.catalog import inventory
from pgvtui.core.embedded import EmbeddedServer
from pgvtui.core.rules.base import RuleContext
from pgvtui.core.rules.index_exceeds_memory import IndexExceedsMemory
from pgvtui.core.session import Session, SessionOptions, connect
from tests.conftest import TestServer, scratch_server
from tests.db.tables import knn, make_table


@pytest.fixture
async def session(dsn: str) -> AsyncIterator[Session]:
    s = await connect(dsn, SessionOptions())
    yield s
    await s.close()


def _one(report: residency.ResidencyReport, name: str) -> residency.IndexResidency:
    return next(i for i in report.indexes if i.name == name)


async def test_model_matches_relation_size(admin: psycopg.Connection, session: Session) -> None:
    make_table(admin, "items", 128, 3000)
    admin.execute("CREATE INDEX items_hnsw ON items USING hnsw (emb vector_l2_ops) WITH (m = 8)")
    admin.execute("ANALYZE items")
    real = admin.execute("SELECT pg_relation_size('items_hnsw')").fetchone()
    assert real is not None
    rep = await residency.collect(session)
    i = _one(rep, "items_hnsw")
    assert i.size_bytes == real[0]
    assert i.rows == 3000 and i.key_type == "vector" and i.key_dims == 128
    assert i.estimated_bytes is not None
    assert abs(i.estimated_bytes - real[0]) / real[0] < 0.03
    assert i.drift_pct is not None and abs(i.drift_pct) < 3
    assert i.share_pct == 100.0
    assert rep.memory.shared_buffers_bytes == 32 * 1024 * 1024
    assert rep.memory.ram_source == "local"  # 127.0.0.1
    assert rep.memory.ram_bytes > rep.memory.shared_buffers_bytes


async def test_residency_after_build_evict_and_queries(
    admin: psycopg.Connection, session: Session
) -> None:
    make_table(admin, "items", 64, 4000)
    admin.execute("CREATE INDEX items_hnsw ON items USING hnsw (emb vector_l2_ops)")
    admin.execute("ANALYZE items")

    built = _one(await residency.collect(session), "items_hnsw")
    assert built.resident_pct is not None and built.resident_pct >= 95  # the build writes through
    assert built.usage_counts is not None
    assert sum(built.usage_counts.values()) == built.resident_pages

    admin.execute("SELECT * FROM pg_buffercache_evict_relation('items_hnsw'::regclass)")
    evicted = _one(await residency.collect(session), "items_hnsw")
    assert evicted.resident_pct is not None and evicted.resident_pct <= 5

    knn(admin, "items", 64, 30)
    warmed = _one(await residency.collect(session), "items_hnsw")
    assert warmed.resident_pct is not None and warmed.resident_pct >= 30
    assert warmed.resident_pct > evicted.resident_pct + 25


async def test_one_buffercache_pass_for_any_number_of_indexes(
    admin: psycopg.Connection, session: Session
) -> None:
    make_table(admin, "a", 16, 300)
    admin.execute("CREATE INDEX a_1 ON a USING hnsw (emb vector_l2_ops)")
    inv1 = await inventory(session)
    one = await residency.collect(session, inv=inv1)
    for n in range(2, 5):
        admin.execute(f"CREATE INDEX a_{n} ON a USING hnsw (emb vector_cosine_ops)")
    inv4 = await inventory(session)
    four = await residency.collect(session, inv=inv4)
    assert len(four.indexes) == 4
    assert all(i.resident_pct is not None for i in four.indexes)
    assert four.statements == one.statements == 2  # memory/status + ONE pg_buffercache query


async def test_buffercache_missing_says_how_to_install(
    admin: psycopg.Connection, session: Session
) -> None:
    make_table(admin, "a", 16, 100)
    admin.execute("CREATE INDEX a_1 ON a USING hnsw (emb vector_l2_ops)")
    admin.execute("DROP EXTENSION pg_buffercache")
    rep = await residency.collect(session)
    assert not rep.buffercache.available
    assert rep.buffercache.create_sql == "CREATE EXTENSION pg_buffercache;"
    assert _one(rep, "a_1").resident_pct is None
    assert any(s.sql == "CREATE EXTENSION pg_buffercache;" for s in rep.suggestions)
    # pgvtui never installs it itself
    assert admin.execute(
        "SELECT count(*) FROM pg_extension WHERE extname = 'pg_buffercache'"
    ).fetchone() == (0,)


async def test_prewarm_is_opt_in_and_uses_a_separate_session(
    admin: psycopg.Connection, session: Session
) -> None:
    make_table(admin, "items", 64, 2000)
    admin.execute("CREATE INDEX items_hnsw ON items USING hnsw (emb vector_l2_ops)")
    admin.execute("CREATE EXTENSION pg_prewarm")
    admin.execute("SELECT * FROM pg_buffercache_evict_relation('items_hnsw'::regclass)")
    plain = await residency.collect(session)
    cold = _one(plain, "items_hnsw")
    assert cold.resident_pct is not None and cold.resident_pct <= 5
    assert not plain.prewarmed
    assert any(
        s.sql == "SELECT pg_prewarm('public.items_hnsw'::regclass);" for s in plain.suggestions
    )

    rep = await residency.collect(session, do_prewarm=True)
    assert rep.prewarmed[0].blocks == cold.size_bytes // 8192
    warm = _one(rep, "items_hnsw")
    assert warm.resident_pct is not None and warm.resident_pct >= 99
    # pgvtui's own session is still read-only
    ro = await session.fetch_value(
        sql.SQL("SELECT current_setting('default_transaction_read_only')")
    )
    assert ro == "on"


async def test_unprivileged_role(
    admin: psycopg.Connection, pg_server: TestServer, dbname: str
) -> None:
    make_table(admin, "items", 16, 200)
    admin.execute("CREATE INDEX items_hnsw ON items USING hnsw (emb vector_l2_ops)")
    role = f"plain_{dbname}"[:60]
    admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'pw'").format(sql.Identifier(role)))
    try:
        s = await connect(pg_server.dsn_for(dbname, user=role, password="pw"), SessionOptions())
        try:
            rep = await residency.collect(s)
        finally:
            await s.close()
        assert rep.indexes[0].name == "items_hnsw" and rep.indexes[0].resident_pct is None
        assert not rep.buffercache.available
        assert rep.buffercache.reason is not None and "pg_monitor" in rep.buffercache.reason
        # it cannot read shared_preload_libraries, so it must not suggest overwriting it
        assert not any(x.sql and "shared_preload_libraries" in x.sql for x in rep.suggestions)
    finally:
        admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_cli_json(admin: psycopg.Connection, dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    make_table(admin, "items", 32, 500)
    admin.execute("CREATE INDEX items_hnsw ON items USING hnsw (emb vector_l2_ops)")
    admin.execute("ANALYZE items")
    rc = main(["residency", dsn, "--ram", "16GB", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert doc["memory"]["ram_bytes"] == 16 * 1024**3 and doc["memory"]["ram_source"] == "option"
    assert set(doc["memory"]) >= {
        "shared_buffers_bytes",
        "effective_cache_size_bytes",
        "ram_bytes",
        "ram_source",
    }
    idx = doc["indexes"][0]
    for key in (
        "schema",
        "table",
        "name",
        "method",
        "size_bytes",
        "estimated_bytes",
        "drift_pct",
        "share_pct",
        "resident_pct",
        "resident_pages",
        "usage_counts",
        "fits_shared_buffers",
        "fits_cache",
        "fits_ram",
        "rows_to_exceed_shared_buffers",
        "rows_to_exceed_ram",
    ):
        assert key in idx
    assert idx["fits_shared_buffers"] is True
    assert idx["rows_to_exceed_shared_buffers"] > 500
    assert doc["buffercache"]["available"] is True and doc["buffercache"]["reason"] is None
    assert doc["total_ann_bytes"] == idx["size_bytes"]
    assert isinstance(doc["suggestions"], list)


def test_cli_text(admin: psycopg.Connection, dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    make_table(admin, "items", 32, 500)
    admin.execute("CREATE INDEX items_hnsw ON items USING hnsw (emb vector_l2_ops)")
    rc = main(["residency", dsn])
    out = capsys.readouterr().out
    assert rc == 0
    assert "shared_buffers" in out and "items_hnsw" in out and "█" in out


# -- an index larger than shared_buffers: a small server of this module's own -------------------


@pytest.fixture(scope="module")
def small_server() -> Iterator[EmbeddedServer]:
    with scratch_server("pgvtui-small-", "8MB") as server:
        server.start()
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION vector")
            conn.execute("CREATE EXTENSION pg_buffercache")
            conn.execute("CREATE EXTENSION pg_prewarm")
            # vector(1000) at m=16: one element per page, ~8 kB per row → ~10.6 MB
            make_table(conn, "big", 1000, 1300)
            conn.execute("CREATE INDEX big_hnsw ON big USING hnsw (emb vector_l2_ops)")
            make_table(conn, "small", 16, 200)
            conn.execute("CREATE INDEX small_hnsw ON small USING hnsw (emb vector_l2_ops)")
            conn.execute("ANALYZE")
        yield server


async def test_index_larger_than_shared_buffers(small_server: EmbeddedServer) -> None:
    s = await connect(small_server.dsn(), SessionOptions())
    try:
        rep = await residency.collect(s, do_prewarm=True)
        inv = await inventory(s)
    finally:
        await s.close()
    big = _one(rep, "big_hnsw")
    small = _one(rep, "small_hnsw")
    assert rep.memory.shared_buffers_bytes == 8 * 1024 * 1024
    assert big.size_bytes > rep.memory.shared_buffers_bytes
    assert not big.fits_shared_buffers and big.fits_cache and big.fits_ram
    assert big.rows_to_exceed_shared_buffers is None  # already exceeds
    assert big.resident_pct is not None and big.resident_pct < 90  # cannot be fully cached
    assert big.estimated_bytes is not None
    assert abs(big.estimated_bytes - big.size_bytes) / big.size_bytes < 0.02
    assert small.fits_shared_buffers
    assert small.rows_to_exceed_shared_buffers is not None
    assert small.rows_to_exceed_shared_buffers > 200
    assert not rep.total_fits_shared_buffers
    assert rep.growth_to_exceed_shared_buffers is not None
    assert rep.growth_to_exceed_shared_buffers < 1
    # prewarm loads the small index (unless it is already resident) and refuses the one that
    # would evict itself
    by_name = {p.index: p for p in rep.prewarmed}
    small_p = by_name["public.small_hnsw"]
    assert small_p.blocks == small.size_bytes // 8192 or (small_p.skipped or "").startswith(
        "already"
    )
    assert by_name["public.big_hnsw"].blocks is None
    assert "larger than the budget" in (by_name["public.big_hnsw"].skipped or "")
    assert any("cannot be fully cached" in s.text for s in rep.suggestions)

    # the rule sees the real shared_buffers
    ctx = RuleContext(inventory=inv, settings=dict(inv.settings))
    found = list(IndexExceedsMemory().check(ctx))
    assert [f.object for f in found] == ["public.big_hnsw"]
    assert "shared_buffers" in found[0].message
