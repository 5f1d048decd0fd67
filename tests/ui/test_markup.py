"""Text from the server or the user is shown as it is, never read as Textual markup: ``[/]``
in a query, a result cell, a column name or an error message used to crash the screen, and
``[b]…[/b]`` lost its brackets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from textual.widgets import DataTable

from pgvtui.core.activity import Activity
from pgvtui.core.models import Inventory
from pgvtui.core.residency import ResidencyReport
from pgvtui.errors import QueryFailed
from pgvtui.ui.app import create_app
from pgvtui.ui.backend import Catalog, SearchOutcome
from pgvtui.ui.screens.search import SearchScreen
from pgvtui.ui.widgets.banner import ConnectionBanner
from tests.snapshots.recorded import (
    ACTIVITY,
    CATALOG_FINDINGS,
    INVENTORY,
    RESIDENCY,
    RecordedBackend,
    search_outcome,
)
from tests.ui.test_recorded import SIZE, loaded

ODD = "SELECT '[/]' AS \"[b]x[/b]\""


def _cells(table: DataTable[object]) -> list[str]:
    out = [str(col.label) for col in table.columns.values()]
    for row in range(table.row_count):
        out += [str(c) for c in table.get_row_at(row)]
    return out


class OddBackend(RecordedBackend):
    async def activity(self) -> Activity:
        query = replace(ACTIVITY.queries[0], query=ODD, usename="[/]", state="[b]active[/b]")
        return Activity((query,), ())

    async def search(
        self, sql: str, settings: Mapping[str, str], inventory: Inventory | None, **kw: Any
    ) -> SearchOutcome:
        out = search_outcome(sql, settings)
        return replace(out, columns=("[b]x[/b]", "[/]"), rows=(("[/]", "[red]0[/red]"),))


async def test_activity_shows_query_text_with_brackets() -> None:
    app = create_app("host=db.example", initial_screen="activity", backend=OddBackend())
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#activity-queries", DataTable)
        cells = _cells(table)
        assert ODD in cells and "[/]" in cells and "[b]active[/b]" in cells
        drawn = [table.render_line(y).text for y in range(table.size.height)]
        assert any("[/]" in line and "[b]active[/b]" in line for line in drawn), drawn


async def test_search_results_and_column_names_with_brackets() -> None:
    app = create_app("host=db.example", initial_screen="search", backend=OddBackend())
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        screen.editor.load_text("SELECT 1")
        screen.action_run()
        await app.workers.wait_for_complete()
        await pilot.pause()
        cells = _cells(screen.query_one("#search-results", DataTable))
        assert cells == ["[b]x[/b]", "[/]", "[/]", "[red]0[/red]"]


async def test_errors_and_banner_with_brackets() -> None:
    app = create_app("host=db.example", initial_screen="overview", backend=RecordedBackend())
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.show_error(QueryFailed('relation "[/]" does not exist'))
        await pilot.pause()
        assert any('"[/]"' in n.message for n in app._notifications)
        app.connection_detail = "server said [/]"
        app.connection_state = "lost"
        await pilot.pause()
        banner = app.screen.query_one(ConnectionBanner)
        assert "server said [/]" in str(banner.render())


class OddCatalogBackend(RecordedBackend):
    """The recorded catalog with every table and index renamed to something markup-like."""

    async def inventory(self) -> Catalog:
        inv = INVENTORY
        cols = tuple(replace(c, table=f"[/]{c.table}", column="[b]e[/b]") for c in inv.columns)
        idxs = tuple(
            replace(i, table=f"[/]{i.table}", name=f"[/]{i.name}", key_column="[b]e[/b]")
            for i in inv.indexes
        )
        findings = tuple(
            replace(f, message=f"[/] {f.message}", object=f"public.[/]{f.object}")
            for f in CATALOG_FINDINGS
        )
        residency = replace(
            RESIDENCY, indexes=tuple(replace(r, name=f"[/]{r.name}") for r in RESIDENCY.indexes)
        )
        self.report = residency
        return Catalog(replace(inv, columns=cols, indexes=idxs), findings, residency)

    async def residency(self, inv: Inventory | None, *, scan: bool = False) -> ResidencyReport:
        return self.report


async def test_every_screen_shows_markup_like_names() -> None:
    app = create_app("host=db.example", initial_screen="overview", backend=OddCatalogBackend())
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        for key in ("1", "2", "enter", "tab", "4", "w", "escape", "6", "3"):
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert app.return_code is None  # still running: nothing raised
        await pilot.press("2")
        await pilot.pause()
        svg = app.export_screenshot()
        assert "[/]" in svg.replace("&#160;", " ")
