"""The connect dialog's database list on the real server: which databases have pgvector, and
what a role without CONNECT privilege sees."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from pgvtui.core.databases import list_databases, with_database
from pgvtui.core.session import SessionOptions, connect

from ..conftest import TestServer, create_database, drop_database


async def test_lists_databases_with_their_pgvector_version(
    pg_server: TestServer, dsn: str, admin: psycopg.Connection[Any]
) -> None:
    version = admin.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
    installed = version.fetchone()
    assert installed is not None
    plain = create_database(pg_server, "novec")
    try:
        with psycopg.connect(pg_server.dsn_for(plain), autocommit=True) as conn:
            conn.execute("DROP EXTENSION vector")
        found = {d.name: d for d in await list_databases(dsn)}
        here = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
        assert found[str(here)].pgvector_version == installed[0]
        assert found[plain].pgvector_version is None and found[plain].error is None
        assert "template0" not in found and "template1" not in found
        # Through an open session (the TUI's path) the list is the same.
        session = await connect(dsn, SessionOptions(), prompt=None)
        try:
            again = {d.name: d for d in await list_databases(dsn, session=session)}
        finally:
            await session.close()
        assert again == found
    finally:
        drop_database(pg_server, plain)


async def test_a_missing_database_falls_back_and_hides_what_the_role_may_not_open(
    pg_server: TestServer, dsn: str, admin: psycopg.Connection[Any]
) -> None:
    closed = create_database(pg_server, "closed")
    role = f"lister_{admin.info.backend_pid}"
    admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'pw-lister'").format(sql.Identifier(role)))
    try:
        admin.execute(
            sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(sql.Identifier(closed))
        )
        params = {k: str(v) for k, v in psycopg.conninfo.conninfo_to_dict(dsn).items()}
        params.update(user=role, password="pw-lister")
        as_role = psycopg.conninfo.make_conninfo("", **params)
        # The conninfo's own database does not exist: the list comes from "postgres".
        found = {d.name for d in await list_databases(with_database(as_role, "no_such_db"))}
        assert params["dbname"] in found
        assert closed not in found
        assert "no_such_db" not in found
    finally:
        drop_database(pg_server, closed)
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
