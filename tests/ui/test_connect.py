"""Connections like psql/pgcli, on the real server: a wrong password asks again, a database
without pgvector (or a missing one) opens the connect dialog, ctrl+o switches database, and the
TUI exits with status 2 when it never connected."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import sql
from textual.widgets import Input, OptionList

from pgvtui.ui.app import create_app
from pgvtui.ui.screens.connect import ConnectScreen
from pgvtui.ui.screens.password import PasswordScreen

from ..conftest import TestServer, create_database, drop_database
from .test_app import SIZE, connected, wait_until


def _with(dsn: str, **overrides: str) -> str:
    params = {k: str(v) for k, v in psycopg.conninfo.conninfo_to_dict(dsn).items()}
    params.update(overrides)
    return psycopg.conninfo.make_conninfo("", **params)


def _dbname(dsn: str) -> str:
    return str(psycopg.conninfo.conninfo_to_dict(dsn)["dbname"])


async def test_a_wrong_password_asks_again(
    dsn: str, admin: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    role = f"rp_{admin.info.backend_pid}"
    admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'right-pw'").format(sql.Identifier(role)))
    try:
        app = create_app(_with(dsn, user=role, password="wrong-pw"))
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, PasswordScreen))
            assert "password authentication failed" in str(
                app.screen.query_one("#password-reason").render()
            )
            await pilot.press(*"still-wrong", "enter")
            # Asked again (not the same password retried), the typed one not shown anywhere.
            await wait_until(pilot, lambda: isinstance(app.screen, PasswordScreen))
            await wait_until(pilot, lambda: app.screen.query_one(Input).value == "")
            await pilot.press(*"right-pw", "enter")
            await connected(pilot)
            for secret in ("wrong-pw", "still-wrong", "right-pw"):
                assert secret not in app.backend.display and secret not in app.sub_title
                assert secret not in app.connection_detail
    finally:
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


async def test_quitting_without_ever_connecting_exits_2() -> None:
    app = create_app("host=127.0.0.1 port=1 dbname=x user=x connect_timeout=2")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.connection_state == "failed")
        await pilot.pause()
        server = str(app.screen.query_one("#server-info").render())
        assert "not connected" in server and "connecting" not in server
        await pilot.press("ctrl+q")
    assert app.return_code == 2


async def test_a_database_without_pgvector_opens_the_connect_dialog(
    pg_server: TestServer, dsn: str, admin: psycopg.Connection[Any]
) -> None:
    plain = create_database(pg_server, "plain")
    try:
        with psycopg.connect(pg_server.dsn_for(plain), autocommit=True) as conn:
            conn.execute("DROP EXTENSION vector")
        app = create_app(_with(dsn, dbname=plain))
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen))
            dialog = app.screen
            assert isinstance(dialog, ConnectScreen)
            assert "vector extension is not installed" in dialog.reason
            await wait_until(pilot, lambda: len(dialog.databases) > 0)
            by_name = {d.name: d for d in dialog.databases}
            assert by_name[plain].pgvector_version is None
            assert by_name[_dbname(dsn)].pgvector_version is not None
            # pgvector databases are listed first; pick the test's own.
            options = dialog.query_one(OptionList)
            options.highlighted = [d.name for d in dialog.databases].index(_dbname(dsn))
            await pilot.press("enter")
            await connected(pilot)
            assert app.backend.session is not None
            assert app.backend.session.basics.database == _dbname(dsn)
            await pilot.press("ctrl+q")
        assert app.return_code == 0
    finally:
        drop_database(pg_server, plain)


async def test_a_missing_database_opens_the_dialog_and_ctrl_o_takes_a_conninfo(
    dsn: str,
) -> None:
    app = create_app(_with(dsn, dbname="pgvtui_no_such_db"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen))
        assert "does not exist" in app.screen.reason  # type: ignore[attr-defined]
        field = app.screen.query_one("#conninfo", Input)
        # The dialog focuses its database list when it mounts, which can come after it is
        # the current screen: focus the field only after that (a person could not be faster)
        await wait_until(pilot, lambda: app.focused is not None)
        field.focus()  # a click can land before the dialog's layout settles (seen under load)
        field.value = dsn
        await wait_until(pilot, lambda: app.focused is field)
        await pilot.press("enter")
        await connected(pilot)
        # ctrl+o on a connected app: the dialog marks the current database.
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen))
        dialog = app.screen
        assert isinstance(dialog, ConnectScreen)
        assert dialog.current_db == _dbname(dsn)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConnectScreen))
