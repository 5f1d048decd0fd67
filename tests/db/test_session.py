from __future__ import annotations

import psycopg
import pytest

from pgvtui.core.session import SessionOptions, connect
from pgvtui.errors import ConnectionFailed, ExtensionMissing, QueryFailed
from tests.conftest import TestServer


async def test_safety_settings_applied(dsn: str) -> None:
    s = await connect(dsn, SessionOptions(statement_timeout_ms=12_000, lock_timeout_ms=900))
    try:
        cur = s.conn.cursor()
        await cur.execute(
            "SELECT current_setting('application_name'), "
            "current_setting('default_transaction_read_only'), "
            "current_setting('statement_timeout'), current_setting('lock_timeout')"
        )
        assert await cur.fetchone() == ("pgvtui", "on", "12s", "900ms")
        assert s.basics.pgvector_version is not None
        assert s.basics.vector_schema == "public"
    finally:
        await s.close()


async def test_session_is_read_only(dsn: str, admin: psycopg.Connection) -> None:
    admin.execute("CREATE TABLE t (id int)")
    s = await connect(dsn)
    try:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            await s.conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(QueryFailed) as exc:
            async with s.read_only() as cur:
                await cur.execute("INSERT INTO t VALUES (2)")
        assert exc.value.title == "Write refused"
        async with s.read_only() as cur:
            await cur.execute("SELECT count(*) FROM t")
            assert await cur.fetchone() == (0,)
        assert s.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    finally:
        await s.close()
    assert admin.execute("SELECT count(*) FROM t").fetchone() == (0,)


async def test_vector_types_registered(dsn: str) -> None:
    import numpy as np

    s = await connect(dsn)
    try:
        cur = s.conn.cursor()
        await cur.execute("SELECT '[1,2,3]'::vector, '[1,2]'::halfvec, '{1:1}/3'::sparsevec")
        row = await cur.fetchone()
        assert row is not None
        assert np.allclose(np.asarray(row[0].to_list()), [1, 2, 3])
        assert row[1].to_list() == [1.0, 2.0]
        assert row[2].dimensions() == 3
    finally:
        await s.close()


async def test_missing_pgvector_is_typed_error(dsn: str, admin: psycopg.Connection) -> None:
    admin.execute("DROP EXTENSION vector")
    with pytest.raises(ExtensionMissing) as exc:
        await connect(dsn)
    assert "CREATE EXTENSION vector" in (exc.value.hint or "")


async def test_missing_database_is_typed_error(pg_server: TestServer) -> None:
    with pytest.raises(ConnectionFailed) as exc:
        await connect(pg_server.dsn_for("no_such_db_here"))
    assert exc.value.title == "Database missing"


async def test_unreachable_port(pg_server: TestServer) -> None:
    from pgvtui.core.embedded import free_port

    with pytest.raises(ConnectionFailed):
        await connect(f"host=127.0.0.1 port={free_port()} dbname=x connect_timeout=3")
