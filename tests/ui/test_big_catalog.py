"""The Inventory on a big catalog (5,000 vector columns, 5,000 ANN indexes, 5,000 findings):
the work is counted, not timed. Findings are indexed once and looked up once per row; a filter
keystroke renders no cell and looks up no finding, and hands the DataTable one chunk of rows
at a time; other keys answer while the catalog loads. (bench/tui_catalog.py has the clock.)"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from textual.pilot import Pilot

from pgvtui.core.models import Inventory
from pgvtui.core.rules.base import Finding, Severity
from pgvtui.ui.app import create_app
from pgvtui.ui.backend import Catalog
from pgvtui.ui.finding_index import FindingIndex
from pgvtui.ui.screens.help import HelpScreen
from pgvtui.ui.screens.inventory import InventoryScreen
from pgvtui.ui.widgets.object_detail import findings_for
from pgvtui.ui.widgets.object_table import CHUNK_ROWS, ObjectTable
from tests.snapshots.recorded import CATALOG_FINDINGS, INVENTORY, RESIDENCY, RecordedBackend

N = 5_000
SIZE = (160, 48)


def big_catalog() -> Catalog:
    col, idx = INVENTORY.columns[0], INVENTORY.indexes[0]
    columns = tuple(replace(col, table=f"t{i}", table_oid=10_000 + i) for i in range(N))
    indexes = tuple(
        replace(idx, table=f"t{i}", name=f"t{i}_e_idx", index_oid=20_000 + i) for i in range(N)
    )
    findings = tuple(
        Finding(
            rule="unused-index",
            severity=Severity.INFO,
            message=f"public.t{i}_e_idx has not been used",
            evidence="idx_scan = 0",
            fix=None,
            object=f"public.t{i}_e_idx",
        )
        for i in range(N)
    )
    inv = Inventory(server=INVENTORY.server, settings=INVENTORY.settings, columns=columns,
                    indexes=indexes)  # fmt: skip
    return Catalog(inv, findings, RESIDENCY)


class BigBackend(RecordedBackend):
    def __init__(self) -> None:
        super().__init__()
        self.catalog = big_catalog()
        self.release = asyncio.Event()
        self.release.set()

    async def inventory(self) -> Catalog:
        await self.release.wait()
        return self.catalog


async def until(pilot: Pilot[Any], cond: Any, within: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not cond():
        assert loop.time() < deadline, "condition not met"
        await pilot.pause(0.02)


def tables(screen: InventoryScreen) -> tuple[ObjectTable[Any], ObjectTable[Any]]:
    return (
        screen.query_one("#columns-table", ObjectTable),
        screen.query_one("#indexes-table", ObjectTable),
    )


async def test_filter_keystrokes_on_a_big_catalog_do_no_per_catalog_work() -> None:
    app = create_app("host=db.example", initial_screen="inventory", backend=BigBackend())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.inventory is not None)
        screen = app.screen
        assert isinstance(screen, InventoryScreen)
        cols, idxs = tables(screen)
        await until(pilot, lambda: cols.shown_for == "" and idxs.shown_for == "")
        index = screen.findings
        # indexed once, one look-up per row — not rows × findings
        assert index.builds == 1
        assert index.lookups <= cols.rows_built + idxs.rows_built + 5  # + the detail pane
        assert cols.rows_built == N and idxs.rows_built == N
        built = (cols.rows_built, idxs.rows_built)
        await pilot.press("slash")
        typed = ""
        for ch in "t4999_":
            typed += ch
            lookups = index.lookups
            await pilot.press(ch)
            await until(pilot, lambda t=typed: cols.shown_for == t and idxs.shown_for == t)
            # no cell rendered again; the only look-ups are the detail pane's, for the one
            # highlighted row
            assert (cols.rows_built, idxs.rows_built) == built
            assert index.lookups - lookups <= 2
        assert [c.table for c in cols.shown] == []  # no column is named t4999_…
        assert [i.name for i in idxs.shown] == ["t4999_e_idx"]
        assert idxs.current is not None and idxs.current.name == "t4999_e_idx"
        # the detail pane finds the index's finding through the same index
        idxs.focus()
        await pilot.pause()
        assert [f.object for f in screen._object_findings()] == ["public.t4999_e_idx"]


async def test_a_filter_hands_the_table_one_chunk_at_a_time() -> None:
    app = create_app("host=db.example", initial_screen="inventory", backend=BigBackend())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.inventory is not None)
        screen = app.screen
        assert isinstance(screen, InventoryScreen)
        cols, _idxs = tables(screen)
        await until(pilot, lambda: cols.shown_for == "")
        cols.filter_text = "t1"  # 1,111 matches
        # synchronously, in the same handler: the first chunk only
        assert cols.shown_for == "t1" and len(cols.shown) == 1_111
        assert cols.rows_added == CHUNK_ROWS and cols.row_count == CHUNK_ROWS
        await pilot.pause()
        assert cols.row_count == CHUNK_ROWS  # nothing more until someone scrolls there
        cols.focus()
        cols.move_cursor(row=CHUNK_ROWS - 1)
        await pilot.pause()
        assert cols.row_count == 2 * CHUNK_ROWS
        while cols.rows_added < 1_111:  # scrolling on: every move near the end adds a chunk
            added = cols.rows_added
            cols.move_cursor(row=added - 1)
            await pilot.pause()
            assert cols.rows_added == min(added + CHUNK_ROWS, 1_111)
        assert cols.complete and cols.row_count == 1_111
        cols.move_cursor(row=1_110)
        await pilot.pause()
        assert cols.current is cols.shown[-1]


async def test_keys_answer_while_the_catalog_loads() -> None:
    backend = BigBackend()
    backend.release.clear()  # the inventory does not arrive until released
    app = create_app("host=db.example", initial_screen="inventory", backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen) and app.inventory is None
        await pilot.press("escape", "1")
        assert app.current_mode == "overview"
        backend.release.set()
        await until(pilot, lambda: app.inventory is not None)


def test_finding_index_matches_the_scan() -> None:
    """The index answers what findings_for's whole-name scan answers, on real finding shapes
    (qualified and bare names, lists, plan objects)."""
    objects = [
        "public.items_emb_idx",
        "public.items.emb",
        "items_emb_idx",
        "public.items_emb_idx, public.items_emb_idx1",
        "plan: Seq Scan on items",
        "other.items_emb_idx",
        '"public"."items"',
        "public.items",
        None,
    ]
    findings = [
        Finding(rule="r", severity=Severity.INFO, message="m", evidence="", fix=None, object=o)
        for o in objects
    ] + list(CATALOG_FINDINGS)
    index = FindingIndex(findings)
    names = [
        "public.items_emb_idx",
        "items_emb_idx",
        "public.items.emb",
        "public.items",
        "items",
        "items_emb_idx1",
        "public.documents_embedding_l2",
        "documents_embedding_l2",
        "public.chunks.embedding",
        "emb",
        "nothing",
    ]
    for a in names:
        for b in names:
            assert index.named(a, b) == findings_for(findings, a, b), (a, b)
    assert index.builds == 1
