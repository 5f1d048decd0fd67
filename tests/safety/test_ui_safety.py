"""The terminal UI, driven with Pilot through the same factory the CLI uses (``create_app``):
every mutation attempt typed into the Search screen is refused or fails read-only and changes
nothing; the password never appears on any screen, in the title bar or in a notification."""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest
from textual.widgets import Input

from pgvtui.core.session import SessionOptions
from pgvtui.errors import PgvtuiError, QueryRefused
from pgvtui.ui.app import PgvtuiApp, create_app
from pgvtui.ui.screens.search import SearchScreen
from tests.safety.attempts import KNOWN_BYPASS, STATEMENT_ATTEMPTS, USER_FUNCTION_WRITERS
from tests.safety.support import Roles, Target

# The screen calls the same executor as ``check`` (tested with every attempt there); here every
# attempt the read-only transaction would not stop, the user-function writers, and every
# attempt that hides a second statement — at least 25, at about one second each.
UI_ATTEMPTS = [
    a
    for a in STATEMENT_ATTEMPTS
    if (a.layer == "guard" or a.id in USER_FUNCTION_WRITERS or ";" in a.sql)
    and a.id not in KNOWN_BYPASS  # strict xfails in test_adversarial.py
]
SIZE = (160, 50)


async def _until(pilot: Any, cond: Any, limit: float = 15.0) -> None:
    deadline = time.monotonic() + limit
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the UI")
        await pilot.pause(0.05)


async def _settled_search(pilot: Any, app: PgvtuiApp) -> SearchScreen:
    """Connected, inventory loaded, and the screen's own first (generated) run finished."""
    await _until(pilot, lambda: app.connection_state == "connected" and app.inventory)
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    await pilot.pause(0.5)
    await _until(pilot, lambda: not screen.running)
    return screen


async def _run(pilot: Any, screen: SearchScreen, text: str) -> None:
    screen.editor.load_text(text)
    await pilot.press("f5")
    await _until(
        pilot,
        lambda: (
            screen.outcome is not None and screen.outcome.sql == text.strip() and not screen.running
        ),
    )


def _screen_text(app: PgvtuiApp) -> str:
    """Everything visible (SVG screenshot text), the title bar and the notifications."""
    parts = [app.export_screenshot(), str(app.title), str(app.sub_title), app.connection_detail]
    parts += [f"{n.title} {n.message}" for n in app._notifications]
    return "\n".join(parts)


async def test_search_screen_refuses_every_attempt(target: Target) -> None:
    app = create_app(target.dsn, initial_screen="search")
    failures: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = await _settled_search(pilot, app)
        for attempt in UI_ATTEMPTS:
            await _run(pilot, screen, target.render(attempt.sql))
            outcome = screen.outcome
            assert outcome is not None
            err = outcome.error
            if attempt.id in USER_FUNCTION_WRITERS:  # reached the server, failed there
                ok = err is not None and "read-only transaction" in err.message
            else:  # refused before anything was sent: no plan either
                ok = isinstance(err, QueryRefused) and outcome.plan is None
            if not ok:
                failures.append(f"{attempt.id}: {err!r}")
            try:
                target.check_unchanged(session_open=True)
            except AssertionError as exc:
                failures.append(f"{attempt.id}: {exc}")
        await app.action_quit()
    assert not failures, failures
    assert len(UI_ATTEMPTS) >= 25


@pytest.mark.parametrize("screen_name", ["overview", "inventory", "search", "residency"])
async def test_password_not_on_screen(roles: Roles, screen_name: str) -> None:
    app = create_app(roles.monitor.dsn, initial_screen=screen_name)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.connection_state == "connected" and app.inventory)
        await pilot.pause(0.3)
        text = _screen_text(app)
        assert roles.monitor.name in text or screen_name != "overview"  # the screen is drawn
        assert roles.monitor.password not in text
        await app.action_quit()


async def test_password_not_on_screen_when_refused(roles: Roles, target: Target) -> None:
    wrong = "Zq7-wrong-" + roles.monitor.password
    dsn = psycopg.conninfo.make_conninfo(roles.monitor.dsn, password=wrong)
    app = create_app(dsn, SessionOptions(connect_timeout_s=5))
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.connection_state == "failed")
        await pilot.pause(0.2)
        text = _screen_text(app)
        assert "Authentication failed" in text or "password authentication failed" in text
        assert wrong not in text and roles.monitor.password not in text
        await app.action_quit()


async def test_search_cancel_within_a_second(target: Target) -> None:
    app = create_app(target.dsn, initial_screen="search")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _settled_search(pilot, app)
        screen.editor.load_text("SELECT pg_sleep(30)")
        await pilot.press("f5")
        await pilot.pause(0.5)
        assert screen.running, screen.outcome
        t0 = time.monotonic()
        screen.action_cancel()
        await _until(pilot, lambda: not screen.running, limit=5)
        assert time.monotonic() - t0 < 1.0
        outcome = screen.outcome
        assert outcome is not None and isinstance(outcome.error, PgvtuiError)
        assert "cancel" in outcome.error.one_line().lower()
        with target.admin() as conn:
            rows = conn.execute(
                "SELECT state FROM pg_stat_activity WHERE application_name = 'pgvtui' "
                "AND query ILIKE '%pg_sleep%' AND state <> 'idle'"
            ).fetchall()
        assert rows == []
        await app.action_quit()


async def test_exports_have_no_password(roles: Roles, tmp_path: Any) -> None:
    app = create_app(roles.monitor.dsn, initial_screen="search")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _settled_search(pilot, app)
        screen.export_dir = tmp_path
        for text in ("SELECT id FROM items ORDER BY emb <-> '[1,2,3]' LIMIT 3", "SELECT nope"):
            await _run(pilot, screen, text)
            for fmt in ("md", "json"):
                screen.action_export(fmt)
                await pilot.pause()
                await pilot.press("enter")  # the default path
                await pilot.pause(0.1)
        text = _screen_text(app)
        await app.action_quit()
    files = list(tmp_path.iterdir())
    assert len(files) >= 2, files  # the exports were written, so the search is not vacuous
    for f in files:
        assert roles.monitor.password not in f.read_text(encoding="utf-8")
    assert roles.monitor.password not in text


async def test_picker_odd_value_does_not_end_the_app(target: Target) -> None:
    app = create_app(target.dsn, initial_screen="search")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _settled_search(pilot, app)
        inv = app.inventory
        assert inv is not None
        emb = inv.column("public", "items", "emb")
        assert emb is not None
        screen.load_column(emb)
        await _until(pilot, lambda: screen.golden.key == "id")
        await _until(pilot, lambda: not screen.running)
        field = screen.query_one("#vector-value", Input)
        field.focus()
        field.value = "9" * 5000  # items has a primary key: the row-id path
        await pilot.press("enter")  # the vector field applies on Enter
        await pilot.pause(0.5)
        assert app.is_running and app.return_code is None
        await app.action_quit()
