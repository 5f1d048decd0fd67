"""Inventory: vector columns and ANN indexes side by side, sortable and filterable, with a detail
pane (definition, options, size vs the sizing model, residency, findings, fix SQL)."""

from __future__ import annotations

import functools
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input

from pgvtui.core.models import ColumnInfo, IndexInfo, Inventory
from pgvtui.core.rules.base import Finding
from pgvtui.render.fmt import human_bytes, human_count
from pgvtui.ui.app_types import SearchRequest
from pgvtui.ui.finding_index import FindingIndex
from pgvtui.ui.screens.base import PgvScreen
from pgvtui.ui.sizes import estimate_text
from pgvtui.ui.widgets.object_detail import (
    ObjectDetail,
    column_detail,
    index_detail,
    option_text,
)
from pgvtui.ui.widgets.object_table import Col, ObjectTable


def _flag(n: int) -> Text:
    return Text(str(n), style="bold yellow") if n else Text("", style="dim")


def column_cols(findings: FindingIndex) -> list[Col[ColumnInfo]]:
    @functools.cache  # shown and sorted by: one look-up per row
    def nfind(c: ColumnInfo) -> int:
        return len(findings.of(c))

    return [
        Col("table", lambda c: c.qualified_table, lambda c: c.qualified_table),
        Col("column", lambda c: c.column, lambda c: c.column),
        Col("type", lambda c: f"{c.type}({c.dims or ''})", lambda c: (c.type, c.dims or 0)),
        Col("rows", lambda c: human_count(c.rows_estimate), lambda c: c.rows_estimate, "right"),
        Col("storage", lambda c: c.storage, lambda c: c.storage),
        Col("total", lambda c: human_bytes(c.total_bytes), lambda c: c.total_bytes, "right"),
        Col("!", lambda c: _flag(nfind(c)), nfind, "right"),
    ]


def index_cols(findings: FindingIndex, qualify: bool = False) -> list[Col[IndexInfo]]:
    """The index table's columns, narrow enough for the pane at 160 columns: the index name
    without its schema (an index always lives in its table's schema, which the table column
    shows when ``qualify`` — more than one schema), method and build parameters in one column,
    and the opclass without the ``_ops`` every pgvector opclass ends in."""

    @functools.cache
    def nfind(i: IndexInfo) -> int:
        return len(findings.of(i))

    def table(i: IndexInfo) -> str:
        return i.qualified_table if qualify else i.table

    def valid(i: IndexInfo) -> Text:
        if i.building:
            return Text("building", style="cyan")
        return Text("yes") if i.valid else Text("NO", style="bold red")

    def method(i: IndexInfo) -> str:
        return f"{i.method} {option_text(i)}".rstrip()

    return [
        # What an operator scans for first (size, use, validity, findings) before the details,
        # so nothing important is scrolled off at 100 columns.
        Col("index", lambda i: i.name, lambda i: i.name),
        Col("size", lambda i: human_bytes(i.size_bytes), lambda i: i.size_bytes, "right"),
        Col("scans", lambda i: human_count(i.idx_scan), lambda i: i.idx_scan, "right"),
        Col("valid", valid, lambda i: (i.valid, not i.building)),
        Col("!", lambda i: _flag(nfind(i)), nfind, "right"),
        Col("table", table, table),
        Col(
            "method · params",
            method,
            lambda i: (i.method, i.m or i.lists or 0, i.ef_construction or 0),
        ),
        Col("opclass", lambda i: i.opclass.removesuffix("_ops"), lambda i: i.opclass),
    ]


class InventoryScreen(PgvScreen):
    """Every vector column and ANN index the role can see.

    Bindings:
        /: focus the filter.
        e: open the selected column (or the index's column) in Search.
        c: copy the first fix for the selected object.
        y: copy the selected index's definition.
        r: reload.
    """

    SCREEN_TITLE = "Inventory"
    AUTO_FOCUS = "#columns-table"
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", key_display="/"),
        Binding("e", "open_search", "Search it"),
        Binding("c", "copy_fix", "Copy fix"),
        Binding("y", "copy_definition", "Copy def"),
        Binding("r", "refresh", "Reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._selected: ColumnInfo | IndexInfo | None = None
        self.findings = FindingIndex(())
        self._refill_due = False

    def compose_body(self) -> ComposeResult:
        yield Input(
            placeholder="/ filter (table, column, index, type …)",
            id="inventory-filter",
            compact=True,
        )
        with Horizontal(id="inventory-main"):
            with Vertical(id="inventory-tables"):
                cols: ObjectTable[ColumnInfo] = ObjectTable(
                    column_cols(self.findings),
                    key=lambda c: f"{c.qualified_name}",
                    id="columns-table",
                )
                cols.border_title = "Vector columns"
                yield cols
                idx: ObjectTable[IndexInfo] = ObjectTable(
                    index_cols(self.findings), key=lambda i: i.qualified_name, id="indexes-table"
                )
                idx.border_title = "ANN indexes"
                yield idx
            detail = ObjectDetail(id="inventory-detail")
            detail.border_title = "Detail"
            yield detail

    def on_mount(self) -> None:
        self.watch(self.app, "catalog_findings", lambda _: self._refill(), init=False)

    def on_inventory(self, inventory: Inventory) -> None:
        self._refill()

    def _refill(self) -> None:
        # The findings and the inventory arrive one after the other: build the tables once.
        if not self._refill_due:
            self._refill_due = True
            self.call_after_refresh(self._do_refill)

    def _do_refill(self) -> None:
        self._refill_due = False
        inv = self.papp.inventory
        if inv is None:
            return
        # Indexed once (lazily, by the first look-up — in a table's build thread on a big
        # catalog); every row and the detail pane look their findings up in it.
        findings = self.findings = FindingIndex(self.papp.catalog_findings)
        ct = self._columns()
        ct.cols = column_cols(findings)
        ct.set_items(inv.columns)
        it = self._indexes()
        it.cols = index_cols(findings, qualify=len({i.schema for i in inv.indexes}) > 1)
        it.set_items(inv.indexes)
        ct.border_subtitle = f"{len(inv.columns)}"
        coverage = self.papp.catalog_coverage
        if not coverage.complete:  # what this role could not see (Overview lists why)
            n = coverage.objects_not_checked
            ct.border_subtitle += f" · {n} not checked: see Overview" if n else " · partial view"
        total = human_bytes(inv.index_bytes)
        it.border_subtitle = f"{len(inv.indexes)} · {total}"

    def _columns(self) -> ObjectTable[ColumnInfo]:
        return self.query_one("#columns-table", ObjectTable)

    def _indexes(self) -> ObjectTable[IndexInfo]:
        return self.query_one("#indexes-table", ObjectTable)

    @on(Input.Changed, "#inventory-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._columns().filter_text = event.value
        self._indexes().filter_text = event.value

    @on(Input.Submitted, "#inventory-filter")
    def _filter_done(self) -> None:
        self._columns().focus()

    @on(ObjectTable.Highlighted)
    def _highlighted(self, event: ObjectTable.Highlighted) -> None:
        if event.table.has_focus or self._selected is None or self._filtered_out(event.table):
            self._select(event.item)

    def _filtered_out(self, table: ObjectTable[Any]) -> bool:
        """The detail's object is one of ``table``'s kind that the filter no longer shows: the
        detail follows the table's first row instead of describing a hidden one."""
        sel = self._selected
        kind = ColumnInfo if table is self._columns() else IndexInfo
        return isinstance(sel, kind) and not any(item is sel for item in table.shown)

    def on_descendant_focus(self, event: Any) -> None:
        if isinstance(event.widget, ObjectTable):
            self._select(event.widget.current)

    def _select(self, item: ColumnInfo | IndexInfo | None) -> None:
        self._selected = item
        self._show_detail()

    def _object_findings(self) -> list[Finding]:
        return self.findings.of(self._selected)

    def _show_detail(self) -> None:
        detail = self.query_one(ObjectDetail)
        item, inv = self._selected, self.papp.inventory
        if item is None or inv is None:
            detail.show(Text("select a row", style="dim"))
        elif isinstance(item, IndexInfo):
            detail.show(
                index_detail(
                    item,
                    self._object_findings(),
                    estimate_text(item),
                    self.papp.backend.residency_text(item),
                )
            )
        else:
            detail.show(column_detail(item, inv, self._object_findings()))

    # -- actions ----------------------------------------------------------------------
    def action_focus_filter(self) -> None:
        self.query_one("#inventory-filter", Input).focus()

    def action_refresh(self) -> None:
        self.papp.refresh_inventory()

    def action_open_search(self) -> None:
        item, inv = self._selected, self.papp.inventory
        col: ColumnInfo | None = None
        if isinstance(item, ColumnInfo):
            col = item
        elif isinstance(item, IndexInfo) and inv is not None and item.key_column:
            col = inv.column(item.schema, item.table, item.key_column)
        if col is None:
            self.notify(
                "select a vector column (or an index on a plain column) first", severity="warning"
            )
            return
        self.papp.request_search(SearchRequest(column=col))

    def action_copy_fix(self) -> None:
        fixes = [f.fix for f in self._object_findings() if f.fix]
        if fixes:
            self.papp.copy_text(fixes[0], "Fix")
        else:
            self.notify("no fix for this object", severity="warning")

    def action_copy_definition(self) -> None:
        if isinstance(self._selected, IndexInfo):
            self.papp.copy_text(self._selected.definition, "Index definition")
