"""The verified guard bypass of issue #11: on a role or database with
``standard_conforming_strings = off``, ``N'\\'`` ended a string for the server but not for the
guard, so a ``pg_terminate_backend`` hidden in what the guard read as a string literal ran.

Now the guard reads SQL with PostgreSQL's own scanner (standard strings on) and every pgvtui
session pins ``standard_conforming_strings = on`` as a startup option, which overrides role and
database settings — so the guard and the server read the text the same way."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from psycopg import sql

from pgvtui.core import guard
from pgvtui.core.search import run_explain
from pgvtui.core.session import check_pinned, connect
from pgvtui.errors import PgvtuiError, QueryRefused, UnsafeSession
from tests.safety.support import Roles, Target, run_cli

BYPASS = "SELECT N'\\' AS a, ' , pg_terminate_backend({victim}) AS b -- ' AS c"


@pytest.fixture
def scs_off(target: Target, roles: Roles) -> Iterator[None]:
    """The monitor role and the target database both default to standard strings off."""
    role = sql.Identifier(roles.monitor.name)
    db = sql.Identifier(target.dbname)
    with target.admin() as admin:
        admin.execute(sql.SQL("ALTER ROLE {} SET standard_conforming_strings = off").format(role))
        admin.execute(sql.SQL("ALTER DATABASE {} SET standard_conforming_strings = off").format(db))
    with psycopg.connect(roles.monitor.dsn, autocommit=True) as plain:  # not pgvtui's session
        assert plain.execute("SHOW standard_conforming_strings").fetchone() == ("off",)
    target.baseline = target.fingerprint()
    yield None
    with target.admin() as admin:
        admin.execute(sql.SQL("ALTER ROLE {} RESET standard_conforming_strings").format(role))
        admin.execute(sql.SQL("ALTER DATABASE {} RESET standard_conforming_strings").format(db))
    target.baseline = target.fingerprint()


async def test_session_pins_standard_strings_over_role_and_database(
    scs_off: object, roles: Roles
) -> None:
    s = await connect(roles.monitor.dsn)
    try:
        async with s.read_only() as cur:
            await cur.execute("SHOW standard_conforming_strings")
            assert await cur.fetchone() == ("on",)
    finally:
        await s.close()


async def test_bypass_reads_the_same_for_guard_and_server(
    scs_off: object, roles: Roles, target: Target
) -> None:
    text = target.render(BYPASS)
    checked = guard.check_sql(text)  # one harmless SELECT of three string columns
    s = await connect(target.dsn)  # superuser, on the database whose default is off
    try:
        with target.unchanged(session_open=True):
            result = await run_explain(s, checked, preview_rows=5)
        assert result.error is None
        assert result.result_columns == ("a", "c")
        assert result.result_rows == (
            ("\\", f" , pg_terminate_backend({target.victim_pid}) AS b -- "),
        )
    finally:
        await s.close()


def test_bypass_through_the_cli(
    scs_off: object, roles: Roles, target: Target, capsys: pytest.CaptureFixture[str]
) -> None:
    with target.unchanged():
        code, _out, err = run_cli(
            ["check", roles.monitor.dsn, "--sql", target.render(BYPASS), "--fail-on", "never"],
            capsys,
        )
    assert code == 0, err


PIECES = [
    "SELECT 1", " ", ",", "N'\\'", "E'\\'", "'\\'", "'", "AS a", "AS b", "-- ", "\r", "\n",
    "pg_terminate_backend({victim})", "/*", "*/", "$$", "(", ")", ";",
]  # fmt: skip


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(parts=st.lists(st.sampled_from(PIECES), min_size=1, max_size=10))
@example(parts=[BYPASS])
@example(
    parts=["SELECT ", "N'\\'", " AS a, ", "'", " , ", "pg_terminate_backend({victim})", " -- ", "'"]
)
def test_what_the_guard_accepts_runs_as_it_read_it(
    scs_off: None, roles: Roles, target: Target, parts: list[str]
) -> None:
    """Generated texts around backslashes, quotes and line ends, on a role and database whose
    default is standard strings off: whatever the guard accepts, the server runs without
    touching the victim backend (or anything else)."""
    try:
        checked = guard.check_sql(target.render("".join(parts)))
    except QueryRefused:
        return

    async def run() -> None:
        s = await connect(target.dsn)  # superuser, on the database whose default is off
        try:
            with contextlib.suppress(PgvtuiError):
                await run_explain(s, checked, preview=False, read_settings=False)
        finally:
            await s.close()

    with target.unchanged():
        asyncio.run(run())


class _Info:
    def __init__(self, value: str | None) -> None:
        self.value = value

    def parameter_status(self, name: str) -> str | None:
        assert name == "standard_conforming_strings"
        return self.value


class _Conn:
    def __init__(self, value: str | None) -> None:
        self.info = _Info(value)


@pytest.mark.parametrize("value", ["off", None])
def test_a_server_that_ignored_the_pin_is_refused(value: str | None) -> None:
    with pytest.raises(UnsafeSession, match="standard_conforming_strings"):
        check_pinned(_Conn(value))  # type: ignore[arg-type]
    check_pinned(_Conn("on"))  # type: ignore[arg-type]
