"""Faults: cancel, timeouts, a terminated backend, a stopped and restarted server, and every way
a connection can fail. Each ends in one clear typed error (exit 2 and one stderr line on the CLI),
the server keeps no open transaction or running statement of ours, and reconnecting works."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from pgvtui.cli import main
from pgvtui.core.embedded import EmbeddedServer, free_port
from pgvtui.core.session import Session, SessionOptions, connect, pgvector_warnings
from pgvtui.errors import (
    ConnectionFailed,
    ConnectionLost,
    QueryCancelled,
    QueryFailed,
    QueryTimeout,
)
from tests.conftest import drop_database, scratch_server
from tests.safety.support import Roles, Target

SLEEP = sql.SQL("SELECT pg_sleep(30)")


def _backend_state(target: Target, pid: int) -> tuple[str, str] | None:
    with target.admin() as conn:
        row = conn.execute(
            "SELECT coalesce(state, ''), coalesce(query, '') FROM pg_stat_activity WHERE pid = %s",
            (pid,),
        ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


async def _sleep_in_read_only(session: Session) -> None:
    async with session.read_only() as cur:
        await cur.execute(SLEEP)


# -- cancel ----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["cancel", "cancel_async"])
async def test_cancel_from_another_task_within_a_second(target: Target, how: str) -> None:
    session = await connect(target.dsn, prompt=None)
    try:
        task = asyncio.create_task(_sleep_in_read_only(session))
        await asyncio.sleep(0.5)
        t0 = time.monotonic()
        if how == "cancel":
            session.cancel()
        else:
            await session.cancel_async()
        with pytest.raises(QueryCancelled) as info:
            await asyncio.wait_for(task, 5)
        assert time.monotonic() - t0 < 1.0
        assert info.value.one_line() == "Query cancelled: the query was cancelled"
        # no transaction left open, no pg_sleep still running, the session still works
        assert session.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        state = _backend_state(target, session.basics.backend_pid)
        assert state is not None and state[0] == "idle"
        assert await session.fetch_value(sql.SQL("SELECT 1")) == 1
    finally:
        await session.close()


async def test_cancelling_the_task_cancels_the_statement(target: Target) -> None:
    """Closing a screen / Ctrl-C cancels the asyncio task: the server stops the statement too."""
    session = await connect(target.dsn, prompt=None)
    try:
        task = asyncio.create_task(_sleep_in_read_only(session))
        await asyncio.sleep(0.5)
        t0 = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - t0 < 1.0
        state = _backend_state(target, session.basics.backend_pid)
        assert state is not None and state[0] == "idle", state
        assert "pg_sleep" not in state[1] or state[0] == "idle"
        assert session.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    finally:
        await session.close()


# -- timeouts --------------------------------------------------------------------------------


async def test_statement_timeout_is_clear(target: Target) -> None:
    session = await connect(target.dsn, SessionOptions(statement_timeout_ms=300), prompt=None)
    try:
        with pytest.raises(QueryTimeout) as info:
            await _sleep_in_read_only(session)
        assert info.value.one_line() == (
            "Query timed out: the statement ran longer than statement_timeout "
            "(raise it with --statement-timeout)"
        )
        assert session.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    finally:
        await session.close()


async def test_lock_timeout_is_clear(target: Target) -> None:
    locker = psycopg.connect(target.dsn)  # not autocommit: holds the lock in a transaction
    try:
        locker.execute("LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE")
        session = await connect(target.dsn, SessionOptions(lock_timeout_ms=200), prompt=None)
        try:
            t0 = time.monotonic()
            with pytest.raises(QueryTimeout) as info:
                async with session.read_only() as cur:
                    await cur.execute(sql.SQL("SELECT count(*) FROM audit_log"))
            assert time.monotonic() - t0 < 2
            assert info.value.one_line() == (
                "Lock timeout: waited longer than lock_timeout for a lock"
            )
        finally:
            await session.close()
    finally:
        locker.rollback()
        locker.close()


def test_cli_statement_timeout(target: Target, capsys: pytest.CaptureFixture[str]) -> None:
    """The flag reaches the server and the timeout is reported in one line."""
    t0 = time.monotonic()
    code = main(
        ["check", target.dsn, "--sql", "SELECT pg_sleep(5)", "--statement-timeout", "300ms"]
    )
    err = capsys.readouterr().err
    assert time.monotonic() - t0 < 4
    assert code == 2
    assert err.strip().splitlines() == [
        "Query timed out: the statement ran longer than statement_timeout "
        "(raise it with --statement-timeout)"
    ]


@pytest.mark.parametrize("value", ["nan", "inf", "1e30s", "-5s", "soon"])
def test_cli_bad_duration_is_usage_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["inventory", "--statement-timeout", value])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Usage error:" in err and "Traceback" not in err


# -- a backend terminated mid-query -----------------------------------------------------------


async def test_terminated_backend_is_connection_lost_and_reconnect_works(target: Target) -> None:
    session = await connect(target.dsn, prompt=None)
    pid = session.basics.backend_pid
    try:
        task = asyncio.create_task(_sleep_in_read_only(session))
        await asyncio.sleep(0.3)
        with target.admin() as conn:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(ConnectionLost) as info:
            await asyncio.wait_for(task, 5)
        line = info.value.one_line()
        assert line.startswith("Connection lost: ") and "\n" not in line
        assert "reconnect" in line
        assert session.broken
        fresh = await session.reconnect()
        try:
            assert fresh.basics.backend_pid != pid
            assert await fresh.fetch_value(sql.SQL("SELECT 1")) == 1
        finally:
            await fresh.close()
    finally:
        await session.close()


# -- the server stopped and restarted under an open session ----------------------------------


@pytest.fixture(scope="module")
def own_server() -> Iterator[EmbeddedServer]:
    """A server of this module's own, so stopping it does not disturb the shared one."""
    with scratch_server("pgvtui-fault-", "16MB") as server:
        server.start()
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        yield server


async def test_server_restart_under_open_session(own_server: EmbeddedServer) -> None:
    session = await connect(own_server.dsn(), prompt=None)
    try:
        await asyncio.to_thread(own_server.stop, "fast")
        with pytest.raises((ConnectionLost, ConnectionFailed)) as info:
            await session.fetch_value(sql.SQL("SELECT 1"))
        assert "\n" not in info.value.one_line()
        assert session.broken
        # while it is down, reconnecting fails clearly
        with pytest.raises(ConnectionFailed) as down:
            await session.reconnect()
        assert down.value.one_line().startswith("Connection failed: ")
        await asyncio.to_thread(own_server.start)
        fresh = await session.reconnect()
        try:
            assert await fresh.fetch_value(sql.SQL("SELECT 1")) == 1
        finally:
            await fresh.close()
    finally:
        await session.close()
        await asyncio.to_thread(own_server.start)


async def test_server_stopped_mid_query(own_server: EmbeddedServer) -> None:
    session = await connect(own_server.dsn(), prompt=None)
    try:
        task = asyncio.create_task(_sleep_in_read_only(session))
        await asyncio.sleep(0.3)
        stopper = threading.Thread(target=own_server.stop, args=("fast",))
        stopper.start()
        with pytest.raises(ConnectionLost) as info:
            await asyncio.wait_for(task, 20)
        await asyncio.to_thread(stopper.join)
        assert info.value.one_line().startswith("Connection lost: ")
    finally:
        await session.close()
        await asyncio.to_thread(own_server.start)


# -- connection failures: one clear line, exit 2 ----------------------------------------------


def _cli_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and out == ""
    return lines[0]


def test_wrong_host(no_pg_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    line = _cli_one_line(
        ["inventory", "host=pgvtui-no-such-host.invalid connect_timeout=3 dbname=x"], capsys
    )
    assert line.startswith("Connection failed: ")


def test_wrong_port(no_pg_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    line = _cli_one_line(["inventory", f"host=127.0.0.1 port={free_port()} dbname=x"], capsys)
    assert line.startswith("Connection failed: ") and "refused" in line


def test_wrong_password(
    no_pg_env: None, roles: Roles, target: Target, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn = target.server.dsn_for(
        target.dbname, user=roles.monitor.name, password="wrong-Zq7", host="127.0.0.1"
    )
    line = _cli_one_line(["inventory", dsn], capsys)
    assert line.startswith("Authentication failed: ")
    assert "wrong-Zq7" not in line


def test_no_password_and_no_terminal(
    no_pg_env: None, roles: Roles, target: Target, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn = target.server.dsn_for(target.dbname, user=roles.monitor.name, host="127.0.0.1")
    line = _cli_one_line(["inventory", dsn, "-w"], capsys)
    assert line.startswith("Authentication failed: ")


def test_missing_database(target: Target, capsys: pytest.CaptureFixture[str]) -> None:
    line = _cli_one_line(["inventory", target.server.dsn_for("pgvtui_no_such_db")], capsys)
    assert line.startswith("Database missing: ") and "pgvtui_no_such_db" in line


@pytest.fixture
def plain_db(target: Target) -> Iterator[str]:
    """A database without pgvector (``CREATE EXTENSION`` never run)."""
    name = f"{target.dbname}_plain"
    with psycopg.connect(target.server.admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield target.server.dsn_for(name)
    finally:
        drop_database(target.server, name)


def test_pgvector_not_installed(plain_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    line = _cli_one_line(["inventory", plain_db], capsys)
    assert line.startswith("pgvector not available: the vector extension is not installed")
    assert "CREATE EXTENSION vector" in line


@pytest.fixture
def old_pgvector_db(plain_db: str) -> str:
    """pgvector that looks like 0.6.0: the wheel ships no install script older than 0.8.6
    (``pg_available_extension_versions`` lists only upgrade paths), so we install 0.8.6 and
    make it what a 0.6.0 install is — ``extversion`` 0.6.0 and no halfvec/sparsevec types."""
    with psycopg.connect(plain_db, autocommit=True) as conn:
        versions = [
            r[0]
            for r in conn.execute(
                "SELECT version FROM pg_available_extension_versions WHERE name = 'vector'"
            )
        ]
        assert versions == ["0.8.6"], versions  # if an older one appears, install it instead
        conn.execute("CREATE EXTENSION vector")
        for typ in ("halfvec", "sparsevec"):  # as if the types did not exist yet
            conn.execute(
                sql.SQL("ALTER TYPE {} RENAME TO {}").format(
                    sql.Identifier(typ), sql.Identifier(f"{typ}_not_in_0_6")
                )
            )
        conn.execute("UPDATE pg_extension SET extversion = '0.6.0' WHERE extname = 'vector'")
        conn.execute("CREATE TABLE docs (id int PRIMARY KEY, emb vector(3))")
        conn.execute("CREATE INDEX ON docs USING hnsw (emb vector_l2_ops)")
    return plain_db


def test_old_pgvector_connects_with_one_warning(
    old_pgvector_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["inventory", old_pgvector_db, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err.strip().splitlines() == [
        "Warning: pgvector 0.6.0 is installed; the halfvec, sparsevec and bit types and their "
        "indexes need 0.7.0 or newer"
    ]
    assert '"pgvector_version": "0.6.0"' in out


async def test_old_pgvector_halfvec_query_is_explained(old_pgvector_db: str) -> None:
    session = await connect(old_pgvector_db, prompt=None)
    try:
        with pytest.raises(QueryFailed) as info:
            async with session.read_only() as cur:
                await cur.execute(sql.SQL("SELECT '[1,2,3]'::halfvec"))
        assert info.value.one_line() == (
            'Query failed: type "halfvec" does not exist (halfvec needs pgvector 0.7.0 or '
            "newer; this database has pgvector 0.6.0)"
        )
    finally:
        await session.close()


@pytest.mark.parametrize(
    ("version", "count"), [("0.4.4", 2), ("0.5.1", 1), ("0.6.2", 1), ("0.7.0", 0), ("0.8.6", 0)]
)
def test_pgvector_warnings_by_version(version: str, count: int) -> None:
    warnings = pgvector_warnings(version)
    assert len(warnings) == count
    assert all(version in w for w in warnings)


# -- Ctrl-C on the CLI ------------------------------------------------------------------------


def test_cli_sigint_cancels_the_running_query(target: Target) -> None:
    """``pgvtui check --sql "select pg_sleep(30)"`` + SIGINT after it started: prompt exit with
    one clear line, and the server no longer runs the statement nor holds a transaction."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pgvtui", "check", target.dsn, "--sql", "select pg_sleep(30)"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        running: list[Any] = []
        while not running and time.monotonic() < deadline:
            time.sleep(0.1)
            with target.admin() as conn:
                running = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgvtui' "
                    "AND state = 'active' AND query ILIKE '%pg_sleep%'"
                ).fetchall()
        assert running, "the query never started"
        time.sleep(0.5)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        elapsed = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert elapsed < 1.5, elapsed
    assert proc.returncode in (2, 130), (proc.returncode, err)
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines == ["Interrupted: stopped by Ctrl-C; the running statement was cancelled"], err
    assert out == ""
    with target.admin() as conn:
        left = conn.execute(
            "SELECT pid, state FROM pg_stat_activity WHERE application_name = 'pgvtui'"
        ).fetchall()
    assert left == []


# -- bad plan files on the CLI ------------------------------------------------------------------

BAD_PLANS = {
    "truncated": '[{"Plan": {"Node Type": "Seq Scan", "Relation Na',
    # (a bare text plan line such as "Seq Scan on items  (cost=…)" is a plan now: #12)
    "not-a-plan": "my query is slow, here is the plan:\nit did a seq scan\n",
    "empty": "",
    "wrong-shape": '{"rows": [1, 2, 3]}',
    "deep": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("name", list(BAD_PLANS))
def test_bad_plan_file_is_one_clear_line(
    name: str, tmp_path: Path, no_pg_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "plan.json"
    f.write_text(BAD_PLANS[name], encoding="utf-8")
    line = _cli_one_line(["check", "--plan-file", str(f)], capsys)
    assert line.startswith("Bad plan file: "), line


@pytest.mark.parametrize(
    "text",
    [
        '[{"Plan": {"Node Type": "Seq Scan", "Plans": 5}}]',
        '[{"Plan": {"Node Type": "Seq Scan", "Plan Rows": Infinity}}]',
        '[{"Plan": {"Node Type": "Seq Scan", "Actual Loops": NaN}}]',
    ],
)
def test_plan_file_with_wrong_types(
    text: str, tmp_path: Path, no_pg_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "plan.json"
    f.write_text(text, encoding="utf-8")
    line = _cli_one_line(["check", "--plan-file", str(f)], capsys)
    assert line.startswith("Bad plan file: "), line
