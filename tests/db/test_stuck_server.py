"""A stuck server: the backend serving pgvtui's statement is stopped (SIGSTOP, as a hung storage
layer or a frozen VM does). Cancel needs a server that answers, so after a grace period pgvtui
abandons the connection: Ctrl-C / Esc / the client-side statement timeout return control, with
one line saying so. The bounds below are generous upper bounds that prove "returns control"
while the backend stays stopped (it would otherwise hang until SIGCONT); no timing is measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from pgvtui.core.session import ABANDONED, Session, SessionOptions, connect
from pgvtui.errors import ConnectionLost, QueryCancelled, ServerNotResponding

SLEEP = sql.SQL("SELECT pg_sleep(60)")
RETURNS_CONTROL_S = 10  # the backend stays stopped far longer than this


@contextlib.contextmanager
def stopped(pid: int) -> Iterator[None]:
    """The backend ``pid`` stopped with SIGSTOP for the block; always resumed."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def wait_active(dsn: str, pid: int | None = None, app: str = "pgvtui") -> int:
    """The pid of the backend running pg_sleep for ``app`` (or ``pid``), once it runs."""
    deadline = time.monotonic() + 20
    with psycopg.connect(dsn, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE state = 'active' "
                "AND query ILIKE '%%pg_sleep%%' AND application_name = %s "
                "AND (%s::int IS NULL OR pid = %s::int)",
                (app, pid, pid),
            ).fetchone()
            if row is not None:
                return int(row[0])
            time.sleep(0.05)
    raise AssertionError("the statement never started")


async def _sleep(session: Session) -> Any:
    async with session.read_only() as cur:
        await cur.execute(SLEEP)


async def _started(dsn: str, pid: int) -> None:
    await asyncio.to_thread(wait_active, dsn, pid)


async def test_cancel_from_another_task_abandons_a_stopped_backend(dsn: str) -> None:
    session = await connect(dsn, prompt=None)
    pid = session.basics.backend_pid
    try:
        task = asyncio.create_task(_sleep(session))
        await _started(dsn, pid)
        with stopped(pid):
            t0 = time.monotonic()
            await asyncio.wait_for(session.cancel_async(), RETURNS_CONTROL_S)
            with pytest.raises(ServerNotResponding) as info:
                await asyncio.wait_for(task, RETURNS_CONTROL_S)
            assert time.monotonic() - t0 < RETURNS_CONTROL_S
        line = info.value.one_line()
        assert line.startswith(f"Connection lost: {ABANDONED}"), line
        assert "\n" not in line
        assert isinstance(info.value, ConnectionLost)
        assert session.broken and session.abandoned
        fresh = await session.reconnect()  # ctrl+r in the TUI
        try:
            assert await fresh.fetch_value(sql.SQL("SELECT 1")) == 1
        finally:
            await fresh.close()
    finally:
        await session.close()


async def test_cancelled_task_abandons_a_stopped_backend(dsn: str) -> None:
    """Ctrl-C in the CLI cancels the asyncio task: with a stopped backend the task ends with the
    abandonment error instead of hanging."""
    session = await connect(dsn, prompt=None)
    pid = session.basics.backend_pid
    try:
        task = asyncio.create_task(_sleep(session))
        await _started(dsn, pid)
        with stopped(pid):
            task.cancel()
            with pytest.raises(ServerNotResponding):
                await asyncio.wait_for(task, RETURNS_CONTROL_S)
        assert session.abandoned
    finally:
        await session.close()


async def test_cancel_of_an_answering_server_is_still_a_cancel(dsn: str) -> None:
    """The near miss: the backend answers the cancel, the connection is kept."""
    session = await connect(dsn, prompt=None)
    try:
        task = asyncio.create_task(_sleep(session))
        await _started(dsn, session.basics.backend_pid)
        await session.cancel_async()
        with pytest.raises(QueryCancelled):
            await asyncio.wait_for(task, RETURNS_CONTROL_S)
        assert not session.abandoned
        assert await session.fetch_value(sql.SQL("SELECT 1")) == 1
    finally:
        await session.close()


async def test_statement_timeout_is_enforced_on_the_client(dsn: str) -> None:
    """The server cannot time out a stopped backend: the client does, timeout + grace later."""
    session = await connect(dsn, SessionOptions(statement_timeout_ms=500), prompt=None)
    pid = session.basics.backend_pid
    try:
        async with session.read_only() as cur:
            await cur.execute(sql.SQL("SELECT 1"))  # a statement first: the BEGIN has answered
            task = asyncio.create_task(cur.execute(SLEEP))
            await asyncio.sleep(0)
            with stopped(pid), pytest.raises(psycopg.OperationalError):
                await asyncio.wait_for(task, RETURNS_CONTROL_S)
        assert session.abandoned
    finally:
        await session.close()


def _cli(dsn: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pgvtui", "check", dsn, "--sql", "select pg_sleep(60)", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str]) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=RETURNS_CONTROL_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_ctrl_c_with_a_stopped_backend(dsn: str) -> None:
    proc = _cli(dsn)
    pid = wait_active(dsn)
    with stopped(pid):
        proc.send_signal(signal.SIGINT)
        out, err = _finish(proc)
    assert proc.returncode == 2, (proc.returncode, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Connection lost: {ABANDONED}"), err
    assert out == ""


def test_cli_statement_timeout_with_a_stopped_backend(dsn: str) -> None:
    proc = _cli(dsn, "--statement-timeout", "3s")
    pid = wait_active(dsn)
    with stopped(pid):
        out, err = _finish(proc)
    assert proc.returncode == 2, (proc.returncode, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Connection lost: {ABANDONED}"), err
    assert out == ""
