"""One snapshot per screen at 160×48 (and the Search screen at 100×30), with recorded data fed
through the same app factory the CLI uses (no server: :class:`RecordedBackend`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from pgvtui.core.activity import Activity
from pgvtui.core.databases import DatabaseInfo
from pgvtui.ui.app import PgvtuiApp, create_app
from pgvtui.ui.messages import RecallFinished
from pgvtui.ui.screens.connect import ConnectScreen
from pgvtui.ui.screens.search import SearchScreen

from .recorded import RECALL, RecordedBackend

SIZE = (160, 48)


def make_app(screen: str, backend: RecordedBackend | None = None) -> PgvtuiApp:
    return create_app(
        "host=db.example dbname=pgvtui_demo",
        initial_screen=screen,
        backend=backend or RecordedBackend(),
    )


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the app's and the screen's workers are done and the screen is repainted."""
    app = pilot.app
    for _ in range(50):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if app.inventory is not None and not any(w.is_running for w in app.workers):
            break
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    # A DataTable measures new rows' column widths when it is idle: wait until every table has
    # (otherwise a snapshot may show the columns at their header widths).
    for _ in range(50):
        tables = app.screen.query(DataTable)
        if not any(t._require_update_dimensions or t._new_rows for t in tables):
            break
        await pilot.pause()


def before(extra: Callable[[Pilot[Any]], Awaitable[None]] | None = None) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        if extra is not None:
            await extra(pilot)
            await settle(pilot)

    return run_before


def test_overview(snap_compare: Any) -> None:
    assert snap_compare(make_app("overview"), terminal_size=SIZE, run_before=before())


def test_inventory_with_detail(snap_compare: Any) -> None:
    async def pick_index(pilot: Pilot[Any]) -> None:
        await pilot.press("tab")  # columns → indexes table
        await pilot.press("down")  # documents_embedding_l2

    assert snap_compare(make_app("inventory"), terminal_size=SIZE, run_before=before(pick_index))


async def run_search(pilot: Pilot[Any]) -> None:
    await pilot.press("f5")


def test_search_plan_and_findings(snap_compare: Any) -> None:
    app = make_app("search")

    async def check(pilot: Pilot[Any]) -> None:
        await run_search(pilot)
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, SearchScreen)
        assert screen.outcome is not None  # the recorded run was displayed

    assert snap_compare(app, terminal_size=SIZE, run_before=before(check))


def test_search_narrow(snap_compare: Any) -> None:
    assert snap_compare(make_app("search"), terminal_size=(100, 30), run_before=before(run_search))


def test_residency(snap_compare: Any) -> None:
    assert snap_compare(make_app("residency"), terminal_size=SIZE, run_before=before())


def test_activity(snap_compare: Any) -> None:
    assert snap_compare(make_app("activity"), terminal_size=SIZE, run_before=before())


class IdleBackend(RecordedBackend):
    """Nothing runs on the server."""

    async def activity(self) -> Activity:
        return Activity((), ())


def test_activity_idle(snap_compare: Any) -> None:
    app = make_app("activity", IdleBackend())
    assert snap_compare(app, terminal_size=SIZE, run_before=before())


def test_recall_with_report(snap_compare: Any) -> None:
    async def show(pilot: Pilot[Any]) -> None:
        pilot.app.screen.post_message(RecallFinished(RECALL))

    assert snap_compare(make_app("recall"), terminal_size=SIZE, run_before=before(show))


def test_workload_diagnosed(snap_compare: Any) -> None:
    async def check(pilot: Pilot[Any]) -> None:
        await _diagnose_first(pilot)
        await settle(pilot)
        head = str(pilot.app.screen.query_one("#wl-head").render())
        assert "generic plan" in head and "1 finding" in head

    assert snap_compare(make_app("workload"), terminal_size=SIZE, run_before=before(check))


def test_help(snap_compare: Any) -> None:
    async def open_help(pilot: Pilot[Any]) -> None:
        await pilot.press("question_mark")

    assert snap_compare(make_app("overview"), terminal_size=SIZE, run_before=before(open_help))


def test_overview_narrow(snap_compare: Any) -> None:
    assert snap_compare(make_app("overview"), terminal_size=(100, 30), run_before=before())


def test_residency_narrow(snap_compare: Any) -> None:
    assert snap_compare(make_app("residency"), terminal_size=(100, 30), run_before=before())


# -- every screen at 80×24 (most terminals' default) and 120×40 -----------------------------

NARROW_SIZES = [(80, 24), (120, 40)]


async def _show_recall(pilot: Pilot[Any]) -> None:
    pilot.app.screen.post_message(RecallFinished(RECALL))


async def _open_help(pilot: Pilot[Any]) -> None:
    await pilot.press("question_mark")


async def _pick_index(pilot: Pilot[Any]) -> None:
    await pilot.press("tab")
    await pilot.press("down")


async def _diagnose_first(pilot: Pilot[Any]) -> None:
    """The recorded workload listed; Enter diagnoses the first (heaviest) statement."""
    await settle(pilot)
    await pilot.press("enter")


SCREEN_SETUPS: dict[str, tuple[str, Callable[[Pilot[Any]], Awaitable[None]] | None]] = {
    "overview": ("overview", None),
    "inventory": ("inventory", _pick_index),
    "search": ("search", run_search),
    "residency": ("residency", None),
    "activity": ("activity", None),
    "recall": ("recall", _show_recall),
    "workload": ("workload", _diagnose_first),
    "help": ("overview", _open_help),
}


@pytest.mark.parametrize("size", NARROW_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SCREEN_SETUPS))
def test_every_screen_fits(snap_compare: Any, name: str, size: tuple[int, int]) -> None:
    screen, extra = SCREEN_SETUPS[name]
    assert snap_compare(make_app(screen), terminal_size=size, run_before=before(extra))


def test_search_zoomed_findings(snap_compare: Any) -> None:
    """z zooms the focused pane (the findings list) to the full 80×24 screen."""

    async def zoom(pilot: Pilot[Any]) -> None:
        await run_search(pilot)
        await settle(pilot)
        pilot.app.screen.query_one("#search-findings").focus()
        await pilot.press("z")

    assert snap_compare(make_app("search"), terminal_size=(80, 24), run_before=before(zoom))


async def _databases() -> list[DatabaseInfo]:
    return [
        DatabaseInfo("postgres"),
        DatabaseInfo("pgvtui_demo", "0.8.6"),
        DatabaseInfo("billing", error="Connection failed: permission denied for database"),
        DatabaseInfo("search", "0.7.4"),
    ]


def test_connect_dialog_80x24(snap_compare: Any) -> None:
    """ctrl+o / a database without pgvector: the databases with pgvector first."""

    async def open_dialog(pilot: Pilot[Any]) -> None:
        reason = "pgvector not available: the vector extension is not installed in 'postgres'"
        pilot.app.push_screen(ConnectScreen(_databases, "postgres", reason))

    app = make_app("overview")
    assert snap_compare(app, terminal_size=(80, 24), run_before=before(open_dialog))
