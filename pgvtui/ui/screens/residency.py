"""Residency: does each ANN index fit shared_buffers / cache / RAM, how much of it is cached now
(pg_buffercache), how far can the tables grow, and a what-if panel on the sizing model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from pgvtui.core.models import IndexInfo
from pgvtui.render.fmt import human_bytes, human_count
from pgvtui.ui.messages import ResidencyLoaded
from pgvtui.ui.screens.base import PgvScreen
from pgvtui.ui.widgets.fit_bars import FitBars, FitRow, bar
from pgvtui.ui.widgets.object_table import Col, ObjectTable
from pgvtui.ui.widgets.what_if import WhatIfPanel

if TYPE_CHECKING:
    from pgvtui.core.residency import IndexResidency, ResidencyReport


def _yes(ok: bool) -> Text:
    return Text("fits", style="green") if ok else Text("no", style="bold red")


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{round(v)} %"  # round(): never "-0 %"


def _resident(r: IndexResidency) -> Text:
    if r.resident_pct is None:
        return Text("—", style="dim")
    t = bar(r.resident_pages or 0, max(1, r.size_bytes // 8192), 6)
    t.append(f" {r.resident_pct:>3.0f} %")
    return t


# "Does it fit" first (s_b, cache, RAM, cached now): at 80 columns those stay in view next to
# the index name (the table's fixed first column) and the model's numbers scroll.
RESIDENCY_COLS: list[Col[IndexResidency]] = [
    Col("index", lambda r: r.qualified_name, lambda r: r.qualified_name),
    Col("size", lambda r: human_bytes(r.size_bytes), lambda r: r.size_bytes, "right"),
    Col("s_b", lambda r: _yes(r.fits_shared_buffers), lambda r: r.fits_shared_buffers),
    Col("cache", lambda r: _yes(r.fits_cache), lambda r: r.fits_cache),
    Col("RAM", lambda r: _yes(r.fits_ram), lambda r: r.fits_ram),
    Col("cached now", _resident, lambda r: r.resident_pct),
    Col("model", lambda r: human_bytes(r.estimated_bytes), lambda r: r.estimated_bytes, "right"),
    Col("drift", lambda r: _pct(r.drift_pct), lambda r: r.drift_pct, "right"),
    Col("share", lambda r: _pct(r.share_pct), lambda r: r.share_pct, "right"),
    Col(
        "rows at s_b",
        lambda r: human_count(r.rows_to_exceed_shared_buffers),
        lambda r: r.rows_to_exceed_shared_buffers,
        "right",
    ),
]


def growth_text(report: ResidencyReport) -> Text:
    def g(x: float | None, what: str) -> str:
        if x is None:
            return f"no estimate against {what}"
        if x <= 1:
            return f"already over {what}"
        return f"×{x:.1f} rows before {what}"

    text = Text("Growth: ", style="bold")
    sb = g(report.growth_to_exceed_shared_buffers, "shared_buffers")
    text.append(f"all ANN tables together — {sb}; {g(report.growth_to_exceed_ram, 'RAM')}.")
    return text


def suggestions_text(report: ResidencyReport) -> Group:
    lines: list[Text] = []
    if not report.buffercache.available and report.buffercache.reason:
        lines.append(
            Text(f"measured residency unavailable: {report.buffercache.reason}", style="yellow")
        )
        if report.buffercache.needs_confirmation:
            lines.append(
                Text(f"  press m to scan anyway: {report.buffercache.scan_cost}", style="yellow")
            )
        if report.buffercache.create_sql:
            lines.append(Text("  " + report.buffercache.create_sql, style="green"))
    for s in report.suggestions:
        lines.append(Text("• " + s.text))
        if s.sql:
            lines.append(Text("  " + s.sql, style="green"))
    return Group(*lines) if lines else Group(Text("no suggestions", style="dim"))


class ResidencyScreen(PgvScreen):
    """Index memory fit and cache residency.

    Bindings:
        r: measure again.  w: what-if for the selected index.
        c: copy its pg_prewarm SQL (only for an index in the prewarm plan, which fits the budget).
        m: measure even when shared_buffers is so large that the pg_buffercache scan is skipped.
    """

    SCREEN_TITLE = "Residency"
    AUTO_FOCUS = "#residency-table"
    BINDINGS = [
        Binding("r", "refresh", "Measure"),
        Binding("w", "what_if", "What-if"),
        Binding("c", "copy_prewarm", "Copy prewarm"),
        Binding("m", "scan_anyway", "Scan buffercache", show=False),
    ]
    shown_report: ResidencyReport | None = None  # the report on screen (its prewarm plan)

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="residency-top"):
            with Vertical(id="residency-bars", classes="panel") as v:
                v.border_title = "All ANN indexes vs memory"
                yield FitBars(id="residency-fit")
                yield Static(id="residency-growth")
            what = WhatIfPanel(id="what-if")
            what.border_title = "What-if (sizing model)"
            yield what
        table: ObjectTable[IndexResidency] = ObjectTable(
            RESIDENCY_COLS, key=lambda r: r.qualified_name, id="residency-table"
        )
        table.border_title = "Per index"
        yield table
        with VerticalScroll(id="residency-suggestions") as s:
            s.border_title = "Suggestions"
            yield Static(Text("measuring…", style="dim"), id="residency-suggestions-text")

    def on_mount(self) -> None:
        self.watch(self.app, "residency", self._show)

    def _show(self, report: ResidencyReport | None) -> None:
        if report is None:
            err = self.papp.backend.residency_error
            if err:
                self.query_one("#residency-suggestions-text", Static).update(
                    Text(err, style="yellow")
                )
            return
        self.show_report(report)

    def show_report(self, report: ResidencyReport) -> None:
        """Display one report (also used by snapshot tests with recorded data)."""
        self.shown_report = report
        m = report.memory
        ram_note = {"local": "this machine", "option": "given", "unknown": "unknown: = cache"}
        self.query_one(FitBars).set_rows(
            [
                FitRow("vs shared_buffers", report.total_ann_bytes, m.shared_buffers_bytes),
                FitRow(
                    "vs effective_cache_size", report.total_ann_bytes, m.effective_cache_size_bytes
                ),
                FitRow(
                    "vs RAM", report.total_ann_bytes, m.ram_bytes, ram_note.get(m.ram_source, "")
                ),
            ]
        )
        self.query_one("#residency-growth", Static).update(growth_text(report))
        self.query_one(ObjectTable).set_items(report.indexes)
        self.query_one("#residency-suggestions-text", Static).update(suggestions_text(report))
        inv = self.papp.inventory
        what_if = self.query_one(WhatIfPanel)
        what_if.set_memory(m, inv.settings if inv else {})
        if report.indexes and what_if.spec is None:
            self._what_if_for(report.indexes[0])

    def _selected(self) -> IndexResidency | None:
        return self.query_one(ObjectTable).current

    def _what_if_for(self, r: IndexResidency) -> None:
        inv = self.papp.inventory
        index: IndexInfo | None = None
        heap: int | None = None
        if inv is not None:
            index = next((i for i in inv.indexes if i.index_oid == r.index_oid), None)
            heap = inv.heap_bytes(index) if index is not None else None
        self.query_one(WhatIfPanel).load_index(r, index, heap)

    def action_refresh(self) -> None:
        self.measure()

    def action_scan_anyway(self) -> None:
        self.measure(scan=True)

    @work(exclusive=True, exit_on_error=False, group="residency")
    async def measure(self, scan: bool = False) -> None:
        report = await self.papp.backend.residency(self.papp.inventory, scan=scan)
        self.post_message(ResidencyLoaded(report))

    @on(ResidencyLoaded)
    def _loaded(self, event: ResidencyLoaded) -> None:
        self.papp.residency = event.report

    def action_what_if(self) -> None:
        """Load the selected index into the what-if panel (on a narrow terminal the panel
        takes the place of the memory bars until w is pressed again)."""
        if self.has_class("-narrow") or self.has_class("-tiny"):
            self.toggle_class("-what-if")
        r = self._selected()
        if r is not None:
            self._what_if_for(r)
            self.query_one(WhatIfPanel).focus_first()

    def action_copy_prewarm(self) -> None:
        """Copy the selected index's pg_prewarm SQL — only when it is in the prewarm plan (the
        budget of shared_buffers); otherwise say why it was left out."""
        r = self._selected()
        if r is None:
            return
        shown = self.shown_report
        plan = shown.prewarm_plan if shown is not None else None
        left = {p.index: p.reason for p in plan.left_out} if plan is not None else {}
        if r.qualified_name in left:
            self.notify(f"not in the prewarm plan: {left[r.qualified_name]}", severity="warning")
            return
        self.papp.copy_text(r.prewarm_sql, "pg_prewarm SQL")
