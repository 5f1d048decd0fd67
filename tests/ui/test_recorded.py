"""Pilot tests that need no server: the recorded backend of the snapshot tests, slowed down where
a test needs a run to still be going."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from pgvtui.core.activity import Activity
from pgvtui.core.models import Inventory
from pgvtui.ui.app import create_app
from pgvtui.ui.backend import Catalog, SearchOutcome
from pgvtui.ui.screens.recall import RecallScreen
from pgvtui.ui.screens.search import SearchScreen
from tests.snapshots.recorded import ACTIVITY, INVENTORY, RecordedBackend

SIZE = (160, 48)


class HeldBackend(RecordedBackend):
    """Searches wait until ``release`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def search(
        self, sql: str, settings: Mapping[str, str], inventory: Inventory | None, **kw: Any
    ) -> SearchOutcome:
        await self.release.wait()
        return await super().search(sql, settings, inventory, **kw)


async def loaded(pilot: Pilot[Any]) -> None:
    for _ in range(100):
        await pilot.pause(0.02)
        if pilot.app.inventory is not None:
            return
    raise AssertionError("inventory never arrived")


async def test_a_run_replaced_by_a_newer_one_is_not_a_failure() -> None:
    backend = HeldBackend()
    app = create_app("host=db.example", initial_screen="search", backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        screen.editor.load_text("SELECT id FROM items LIMIT 10")
        screen.action_run()
        await pilot.pause()
        screen.action_run()  # e.g. a control changed: the exclusive worker cancels the first
        await pilot.pause(0.1)
        assert screen.running
        assert "failed" not in str(screen.query_one("#search-status").render())
        backend.release.set()
        for _ in range(100):
            await pilot.pause(0.02)
            if not screen.running:
                break
        assert screen.outcome is not None and not screen.running


async def test_escape_leaves_a_recall_field() -> None:
    app = create_app("host=db.example", initial_screen="recall", backend=RecordedBackend())
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, RecallScreen)
        screen.query_one("#recall-k", Input).focus()
        await pilot.pause()
        await pilot.press("escape")
        assert not isinstance(app.focused, Input)
        await pilot.press("4")  # the number keys switch screens again
        assert app.current_mode == "residency"


# -- help, Activity's empty state, the index table's width, the palette's Quit --------------


def test_help_lists_every_binding_pgvtui_defines() -> None:
    from pgvtui.ui.app import PgvtuiApp
    from pgvtui.ui.screens.base import PgvScreen
    from pgvtui.ui.screens.help import help_sections
    from pgvtui.ui.screens.registry import SCREENS
    from pgvtui.ui.widgets.findings_list import FindingsList
    from pgvtui.ui.widgets.object_table import ObjectTable

    sections = dict(help_sections(PgvtuiApp))
    listed = {(title, key) for title, rows in sections.items() for key, _ in rows}
    expected: list[tuple[str, Any]] = [
        ("Everywhere", PgvtuiApp),
        ("Everywhere", PgvScreen),
        ("Tables on Inventory, Residency, Recall", ObjectTable),
        ("Findings lists on Overview, Search, Workload", FindingsList),
    ]
    # every mode's screen (the App's MODES hold factories that import the screen lazily)
    assert set(PgvtuiApp.MODES) == {entry.mode for entry in SCREENS}
    expected += [(f"{entry.label} screen", entry.cls) for entry in SCREENS]
    for title, cls in expected:
        for binding in vars(cls)["BINDINGS"]:
            key = {"question_mark": "?", "slash": "/"}.get(binding.key, binding.key)
            assert (title, key) in listed, (title, key)
    assert ("Everywhere", PgvtuiApp.COMMAND_PALETTE_BINDING) in listed
    # Nothing listed that is not bound (the mouse row aside).
    bound = sum(len(vars(cls)["BINDINGS"]) for _, cls in expected) + 1  # + the palette key
    assert len(listed) == bound + 1  # + "click" a header
    assert ("s", "Sort by the next column") in sections["Tables on Inventory, Residency, Recall"]


async def test_help_names_the_screens_with_sortable_tables_and_findings_lists() -> None:
    from pgvtui.ui.app import SCREENS_BY_KEY
    from pgvtui.ui.screens.help import FINDINGS_LISTS_ON, SORTABLE_TABLES_ON
    from pgvtui.ui.widgets.findings_list import FindingsList
    from pgvtui.ui.widgets.object_table import ObjectTable

    app = create_app("host=db.example", backend=RecordedBackend())
    sortable, findings = [], []
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        for _key, mode, label in SCREENS_BY_KEY:
            app.switch_mode(mode)
            await pilot.pause()
            if app.screen.query(ObjectTable):
                sortable.append(label)
            if app.screen.query(FindingsList):
                findings.append(label)
    assert tuple(sortable) == SORTABLE_TABLES_ON
    assert tuple(findings) == FINDINGS_LISTS_ON


async def test_help_shows_the_sort_key_without_scrolling_at_160x48() -> None:
    from textual.containers import VerticalScroll

    from pgvtui.ui.screens.help import HelpScreen

    app = create_app("host=db.example", backend=RecordedBackend())
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        scroll = app.screen.query_one(VerticalScroll)
        assert scroll.max_scroll_y == 0  # every section is on screen, "Tables" too


class ActivityBackend(RecordedBackend):
    """Activity snapshots are whatever the test sets."""

    def __init__(self) -> None:
        super().__init__()
        self.snapshot = Activity((), ())

    async def activity(self) -> Activity:
        return self.snapshot


async def test_activity_placeholder_when_no_query_runs() -> None:
    from textual.widgets import DataTable, Static

    from pgvtui.ui.screens.activity import NO_QUERIES, ActivityScreen

    backend = ActivityBackend()
    app = create_app("host=db.example", initial_screen="activity", backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ActivityScreen)
        placeholder = screen.query_one("#no-queries", Static)
        table = screen.query_one("#activity-queries", DataTable)

        async def refreshed() -> None:
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()

        await refreshed()
        assert table.row_count == 0
        assert placeholder.display and placeholder.region.height == 1
        assert NO_QUERIES in str(placeholder.render())
        assert placeholder.region.y > table.region.y  # under the header row

        backend.snapshot = ACTIVITY
        await refreshed()
        assert table.row_count == len(ACTIVITY.queries)
        assert not placeholder.display and placeholder.region.height == 0

        backend.snapshot = Activity((), ACTIVITY.builds)
        await refreshed()
        assert table.row_count == 0 and placeholder.display


def demo_like_inventory(extra_rows: int) -> Inventory:
    """The demo's index names, tables and opclasses (the longest of each), plus ``extra_rows``
    short-named rows so that the table needs a vertical scrollbar."""
    base = INVENTORY.indexes[1]
    ivf = {"m": None, "ef_construction": None, "lists": 1000, "defaults": ()}
    rows = [
        replace(base, name="articles_embedding_idx", table="articles", idx_scan=1684),
        replace(base, name="articles_embedding_index", table="news_archive"),
        replace(base, name="documents_embedding_l2", table="documents"),
        replace(base, name="images_embedding_half", opclass="halfvec_cosine_ops"),
        replace(base, name="products_embedding_ivf", method="ivfflat", **ivf),  # type: ignore[arg-type]
        replace(base, name="reviews_embedding_idx1", table="saved_queries", valid=False),
        replace(base, name="reviews_embedding_idx2", m=32, ef_construction=128, defaults=()),
    ]
    rows += [replace(base, name=f"extra_{n}") for n in range(extra_rows)]
    return replace(INVENTORY, indexes=tuple(rows))


class InventoryBackend(RecordedBackend):
    def __init__(self, inventory: Inventory) -> None:
        super().__init__()
        self.inv = inventory

    async def inventory(self) -> Catalog:
        catalog = await super().inventory()
        return replace(catalog, inventory=self.inv)


async def test_index_table_fits_its_pane_at_160_columns() -> None:
    from pgvtui.ui.widgets.object_table import ObjectTable

    for extra_rows in (0, 30):  # without and with a vertical scrollbar
        backend = InventoryBackend(demo_like_inventory(extra_rows))
        app = create_app("host=db.example", initial_screen="inventory", backend=backend)
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.pause()
            table = app.screen.query_one("#indexes-table", ObjectTable)
            assert table.show_vertical_scrollbar == (extra_rows > 0)
            assert table.virtual_size.width <= table.scrollable_content_region.width
            assert not table.show_horizontal_scrollbar
            headers = [str(c.label).split(" ")[0] for c in table.columns.values()]
            assert headers == ["index", "size", "scans", "valid", "!", "table", "method", "opclass"]
            cells = [str(c) for c in table.get_row_at(0)]
            # name, size, idx_scan, valid, findings, table, method + m/ef_construction, opclass
            assert cells[:1] + cells[2:4] == ["articles_embedding_idx", "1.7k", "yes"]
            assert cells[5:] == ["articles", "hnsw m=16* efc=64*", "vector_l2"]


async def test_index_table_qualifies_tables_when_there_are_several_schemas() -> None:
    from pgvtui.ui.widgets.object_table import ObjectTable

    inv = demo_like_inventory(0)
    inv = replace(inv, indexes=(*inv.indexes, replace(inv.indexes[0], schema="archive")))
    app = create_app("host=db.example", initial_screen="inventory", backend=InventoryBackend(inv))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        table = app.screen.query_one("#indexes-table", ObjectTable)
        tables = {str(table.get_row_at(r)[5]) for r in range(table.row_count)}
        assert {"public.articles", "archive.articles"} <= tables


async def test_palette_quit_takes_the_quit_binding_path() -> None:
    from pgvtui.ui.commands import PgvtuiCommands

    app = create_app("host=db.example", backend=RecordedBackend())
    quits: list[str] = []
    original = app.action_quit

    async def recording_quit() -> None:
        quits.append("quit")
        await original()

    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.action_quit = recording_quit  # type: ignore[method-assign]
        commands = PgvtuiCommands(app.screen)._commands()
        quit_command = next(callback for name, callback, _ in commands if name == "Quit")
        app.call_later(quit_command)  # as the palette runs a command
        for _ in range(50):
            await pilot.pause(0.02)
            if quits:
                break
    assert quits == ["quit"]
    assert app.return_code == 0
