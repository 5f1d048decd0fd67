"""Pilot tests of the TUI against the real test database (a fresh database per test)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from pgvtui.errors import QueryCancelled
from pgvtui.ui.app import PgvtuiApp, create_app
from pgvtui.ui.app_types import SearchRequest
from pgvtui.ui.screens.activity import ActivityScreen
from pgvtui.ui.screens.help import HelpScreen
from pgvtui.ui.screens.inventory import InventoryScreen
from pgvtui.ui.screens.overview import OverviewScreen
from pgvtui.ui.screens.recall import RecallScreen
from pgvtui.ui.screens.residency import ResidencyScreen
from pgvtui.ui.screens.search import SearchScreen
from pgvtui.ui.widgets.banner import ConnectionBanner
from pgvtui.ui.widgets.plan_tree import PlanTree

SIZE = (160, 48)
SLEEP_SQL = "SELECT pg_sleep(30)"


@pytest.fixture
def items(admin: psycopg.Connection[Any]) -> str:
    """3,000 rows of vector(8) with an l2 HNSW index."""
    admin.execute("CREATE TABLE items (id int PRIMARY KEY, emb vector(8))")
    admin.execute(
        "INSERT INTO items SELECT i, (SELECT array_agg(random())::vector(8) "
        "FROM generate_series(1, 8) WHERE i > 0) FROM generate_series(1, 3000) AS i"
    )
    admin.execute("CREATE INDEX items_emb_idx ON items USING hnsw (emb vector_l2_ops)")
    admin.execute("ANALYZE items")
    return "items"


async def wait_until(pilot: Pilot[Any], cond: Callable[[], bool], within: float = 15.0) -> None:
    """Let the app run until ``cond()`` holds (fails the test after ``within`` seconds)."""
    deadline = time.monotonic() + within
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await pilot.pause(0.05)


async def connected(pilot: Pilot[Any]) -> PgvtuiApp:
    app = pilot.app
    assert isinstance(app, PgvtuiApp)
    await wait_until(pilot, lambda: app.inventory is not None)
    assert app.connection_state == "connected"
    return app


def search_screen(app: PgvtuiApp) -> SearchScreen:
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    return screen


async def run_sql(pilot: Pilot[Any], sql: str, **settings: str) -> SearchScreen:
    """Load ``sql`` into the Search screen (as an example would) and wait for its result."""
    app = await connected(pilot)
    app.request_search(SearchRequest(sql=sql, settings=tuple(settings.items())))
    await pilot.pause()
    screen = search_screen(app)
    await wait_until(
        pilot,
        lambda: screen.outcome is not None and screen.outcome.sql == sql and not screen.running,
    )
    return screen


async def start_long_query(pilot: Pilot[Any]) -> SearchScreen:
    """Load ``SLEEP_SQL`` into the Search screen and wait until it is running."""
    app = await connected(pilot)
    app.request_search(SearchRequest(sql=SLEEP_SQL))
    await pilot.pause()
    screen = search_screen(app)
    await wait_until(pilot, lambda: screen.running)
    return screen


async def test_number_keys_switch_screens(dsn: str, items: str) -> None:
    app = create_app(dsn)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        expected = {
            "2": InventoryScreen,
            "3": SearchScreen,
            "4": ResidencyScreen,
            "5": ActivityScreen,
            "6": RecallScreen,
            "1": OverviewScreen,
        }
        for key, screen_type in expected.items():
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen_type), key
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)
        # In a text field a digit is text, not navigation; Esc leaves the field.
        await pilot.press("3")
        screen = search_screen(app)
        await wait_until(pilot, lambda: "FROM items" in screen.editor.text)
        await pilot.press("e")
        assert screen.editor.has_focus
        before = screen.editor.text
        await pilot.press("2")
        assert isinstance(app.screen, SearchScreen)
        assert len(screen.editor.text) == len(before) + 1 and "2" in screen.editor.text
        await pilot.press("escape")
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, InventoryScreen)


async def test_search_shows_plan_and_highlighted_finding(dsn: str, items: str) -> None:
    app = create_app(dsn, initial_screen="search")
    async with app.run_test(size=SIZE) as pilot:
        screen = search_screen(await connected(pilot))
        # The golden path for the only column is prefilled (not run); F5 runs it.
        await wait_until(pilot, lambda: "FROM items" in screen.editor.text)
        assert screen.outcome is None
        await pilot.press("f5")
        await wait_until(pilot, lambda: screen.outcome is not None and not screen.running)
        outcome = screen.outcome
        assert outcome is not None and outcome.plan is not None, outcome
        assert "<->" in outcome.sql and "FROM items" in outcome.sql
        assert [n.index_name for n in outcome.plan.ann_scans()] == ["items_emb_idx"]
        assert outcome.rows and len(outcome.rows) == 10

        # No LIMIT: every row is sorted by distance; the Sort node is flagged.
        screen = await run_sql(
            pilot, "SELECT id FROM items ORDER BY emb <-> (SELECT emb FROM items WHERE id = 1)"
        )
        outcome = screen.outcome
        assert outcome is not None and outcome.plan is not None
        hits = [f for f in outcome.findings if f.rule == "missing-limit"]
        assert hits, [f.rule for f in outcome.findings]
        flagged = outcome.plan.node(hits[0].node_id if hits[0].node_id is not None else -1)
        assert flagged is not None and flagged.node_type == "Sort"
        labels = [str(n.label) for n in screen.query_one(PlanTree).root.children]
        tree_text = (
            " ".join(labels)
            + " "
            + " ".join(
                str(c.label) for n in screen.query_one(PlanTree).root.children for c in n.children
            )
        )
        assert "⚠ Sort" in tree_text and "missing-limit" in tree_text


async def test_changing_ef_search_reruns(dsn: str, items: str) -> None:
    app = create_app(dsn)
    async with app.run_test(size=SIZE) as pilot:
        sql = "SELECT id FROM items ORDER BY emb <-> (SELECT emb FROM items WHERE id = 1) LIMIT 100"
        screen = await run_sql(pilot, sql, **{"hnsw.ef_search": "40"})
        first = screen.outcome
        assert first is not None and first.row_count == 40
        assert "limit-over-ef-search" in [f.rule for f in first.findings]

        runs: list[dict[str, str]] = []
        real_search = app.backend.search

        async def counting(sql: str, settings: Any, inventory: Any, **kw: Any) -> Any:
            runs.append(dict(settings))
            return await real_search(sql, settings, inventory, **kw)

        app.backend.search = counting  # type: ignore[method-assign]
        ef = screen.query_one("#ef-search", Input)
        ef.focus()
        await pilot.press("end", "backspace", "backspace", "2", "0", "0")  # debounced: one run
        await wait_until(pilot, lambda: screen.outcome is not first and not screen.running)
        second = screen.outcome
        assert second is not None and second.settings["hnsw.ef_search"] == "200"
        assert second.row_count == 100
        assert "limit-over-ef-search" not in [f.rule for f in second.findings]
        status = str(screen.query_one("#search-status").render())
        assert "100 rows (+60)" in status  # the delta against the previous run
        await pilot.pause(0.6)  # longer than the debounce: no run for "4", "", "2" or "20"
        assert [r.get("hnsw.ef_search") for r in runs] == ["200"]


async def test_cancel_long_query_keeps_ui_responsive(dsn: str, items: str) -> None:
    app = create_app(dsn)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_long_query(pilot)
        await pilot.pause(0.3)  # the statement is on the server now
        start = time.monotonic()
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: not screen.running, within=1.0)
        assert time.monotonic() - start < 1.0
        assert screen.outcome is not None
        assert isinstance(screen.outcome.error, QueryCancelled)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)
        # The session is still usable.
        screen2 = await run_sql(pilot, "SELECT 1 AS one")
        assert screen2.outcome is not None and screen2.outcome.error is None


async def test_activity_lists_and_cancels_own_query(dsn: str, items: str) -> None:
    app = create_app(dsn)
    async with app.run_test(size=SIZE) as pilot:
        search = await start_long_query(pilot)
        await pilot.press("5")
        activity = app.screen
        assert isinstance(activity, ActivityScreen)
        await wait_until(
            pilot, lambda: any(q.is_own and "pg_sleep" in q.query for q in activity._queries)
        )
        table = activity.query_one("#activity-queries")
        row = next(i for i, q in enumerate(activity._queries) if q.is_own)
        table.move_cursor(row=row)  # type: ignore[attr-defined]
        await pilot.press("k")
        await wait_until(pilot, lambda: not search.running, within=5)
        assert search.outcome is not None
        assert isinstance(search.outcome.error, QueryCancelled)


async def test_connection_loss_banner_and_reconnect(
    dsn: str, items: str, admin: psycopg.Connection[Any]
) -> None:
    app = create_app(dsn)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        assert app.backend.session is not None
        pid = app.backend.session.basics.backend_pid
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        await pilot.press("r")  # reload the overview: the first statement finds the loss
        await wait_until(pilot, lambda: app.connection_state == "lost")
        banner = app.screen.query_one(ConnectionBanner)
        await pilot.pause()
        assert banner.display and "Connection lost" in str(banner.render())
        assert "ctrl+r" in str(banner.render())

        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: app.connection_state == "connected")
        assert not banner.display
        assert app.backend.session is not None
        assert app.backend.session.basics.backend_pid != pid
        screen = await run_sql(pilot, "SELECT count(*) FROM items")
        assert screen.outcome is not None and screen.outcome.error is None


async def test_password_prompt_after_auth_failure(
    dsn: str, items: str, admin: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pgvtui.ui.screens.password import PasswordScreen

    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    role = f"ui_{admin.info.backend_pid}"
    admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'secret-pw'")
    try:
        params = psycopg.conninfo.conninfo_to_dict(dsn)
        params["user"] = role
        app = create_app(
            psycopg.conninfo.make_conninfo("", **{k: str(v) for k, v in params.items()})
        )
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, PasswordScreen))
            assert app.connection_state == "failed"
            await pilot.press(*"secret-pw", "enter")
            await connected(pilot)
            assert "secret-pw" not in app.backend.display and "secret-pw" not in app.sub_title
    finally:
        admin.execute(f"DROP ROLE IF EXISTS {role}")
