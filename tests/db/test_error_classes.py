"""Every class of error the server can send back during a query is reported as what it is: a
statement's error is a query error (never "Connection failed"), a timeout a timeout, a lost
session a lost connection. Each case makes the real server raise it."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest
from psycopg import sql

from pgvtui.cli import main
from pgvtui.core.session import Session, SessionOptions, connect
from pgvtui.errors import (
    ConnectionFailed,
    ConnectionLost,
    PermissionDenied,
    PgvtuiError,
    QueryCancelled,
    QueryFailed,
    QueryTimeout,
)


async def _run(session: Session, *statements: str) -> None:
    async with session.read_only() as cur:
        for text in statements:
            await cur.execute(sql.SQL(text))  # type: ignore[arg-type]  # test SQL


# (statements, error type, expected one-line start, SQLSTATE)
QUERY_ERRORS: dict[str, tuple[tuple[str, ...], type[PgvtuiError], str, str | None]] = {
    "syntax": (("SELECT FROM WHERE",), QueryFailed, "Query failed: syntax error", "42601"),
    "undefined table": (
        ("SELECT * FROM no_such_table",),
        QueryFailed,
        'Query failed: relation "no_such_table" does not exist',
        "42P01",
    ),
    "undefined function": (
        ("SELECT no_such_function(1)",),
        QueryFailed,
        "Query failed: function no_such_function(integer) does not exist",
        "42883",
    ),
    "data exception": (("SELECT 1 / 0",), QueryFailed, "Query failed: division by zero", "22012"),
    "bad vector literal": (
        ("SELECT '[1,2'::vector",),
        QueryFailed,
        'Query failed: invalid input syntax for type vector: "[1,2"',
        "22P02",
    ),
    "program limit (pgvector)": (
        ("SELECT array_fill(0::real, ARRAY[16001])::vector",),
        QueryFailed,
        "Query failed: vector cannot have more than 16000 dimensions",
        "54000",
    ),
    "insufficient resources (temp_file_limit)": (
        (
            "SET LOCAL work_mem = '64kB'",
            "SET LOCAL temp_file_limit = '64kB'",
            "SELECT g FROM generate_series(1, 200000) AS g ORDER BY g DESC",
        ),
        QueryFailed,
        'Query failed: temporary file size exceeds "temp_file_limit"',
        "53400",
    ),
    "read-only violation": (
        ("CREATE TABLE written (id int)",),
        QueryFailed,
        "Write refused: the statement tries to write",
        None,
    ),
    "statement timeout": (
        ("SET LOCAL statement_timeout = '100ms'", "SELECT pg_sleep(5)"),
        QueryTimeout,
        "Query timed out: the statement ran longer than statement_timeout",
        None,
    ),
}


@pytest.mark.parametrize("case", list(QUERY_ERRORS))
async def test_query_errors_are_query_errors(dsn: str, case: str) -> None:
    statements, kind, start, state = QUERY_ERRORS[case]
    session = await connect(dsn, prompt=None)
    try:
        with pytest.raises(PgvtuiError) as info:
            await _run(session, *statements)
        err = info.value
        assert type(err) is kind, (type(err), err.one_line())
        assert not isinstance(err, ConnectionFailed | ConnectionLost)
        assert err.one_line().startswith(start), err.one_line()
        if state is not None:
            assert getattr(err, "sqlstate", None) == state
        # a statement's error leaves the session usable
        assert not session.broken
        assert await session.fetch_value(sql.SQL("SELECT 1")) == 1
    finally:
        await session.close()


async def test_insufficient_privilege(dsn: str, admin: psycopg.Connection[Any]) -> None:
    admin.execute("CREATE ROLE w17_nopriv LOGIN PASSWORD 'nopriv-pw'")
    admin.execute("CREATE TABLE secret (id int)")
    try:
        nopriv = psycopg.conninfo.make_conninfo(dsn, user="w17_nopriv", password="nopriv-pw")
        session = await connect(nopriv, prompt=None)
        try:
            with pytest.raises(PermissionDenied) as info:
                await _run(session, "SELECT * FROM secret")
            assert info.value.one_line() == "Permission denied: permission denied for table secret"
        finally:
            await session.close()
    finally:
        admin.execute("DROP TABLE secret")
        admin.execute("DROP ROLE w17_nopriv")


async def test_query_canceled(dsn: str) -> None:
    session = await connect(dsn, prompt=None)
    try:
        task = asyncio.create_task(_run(session, "SELECT pg_sleep(30)"))
        await asyncio.sleep(0.5)
        await session.cancel_async()
        with pytest.raises(QueryCancelled):
            await task
    finally:
        await session.close()


async def test_lock_timeout(dsn: str, admin: psycopg.Connection[Any]) -> None:
    admin.execute("CREATE TABLE locked (id int)")
    with psycopg.connect(dsn) as locker:  # not autocommit: holds the lock in its transaction
        locker.execute("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE")
        session = await connect(dsn, SessionOptions(lock_timeout_ms=100), prompt=None)
        try:
            with pytest.raises(QueryTimeout) as info:
                await _run(session, "SELECT * FROM locked")
            assert info.value.title == "Lock timeout"
        finally:
            await session.close()
        locker.rollback()


async def test_admin_shutdown_is_connection_lost(dsn: str, admin: psycopg.Connection[Any]) -> None:
    session = await connect(dsn, prompt=None)
    try:
        task = asyncio.create_task(_run(session, "SELECT pg_sleep(30)"))
        await asyncio.sleep(0.5)
        admin.execute("SELECT pg_terminate_backend(%s)", (session.basics.backend_pid,))
        with pytest.raises(ConnectionLost) as info:
            await task
        assert "terminating connection due to administrator command" in info.value.message
        assert session.broken
    finally:
        await session.close()


def test_cli_reports_a_limit_as_a_query_error(dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's example: it used to read "Connection failed: vector cannot have more …"."""
    code = main(["check", dsn, "--sql", "SELECT array_fill(0::real, ARRAY[16001])::vector"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == ["Query failed: vector cannot have more than 16000 dimensions"], err
