"""Workload: the vector searches pg_stat_statements recorded, heaviest first; Enter diagnoses
the selected statement from its text (its generic plan, or the search inside a function) in a
worker, and shows the findings below."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Label

from pgvtui.ui.screens.base import PgvScreen
from pgvtui.ui.widgets.findings_list import FindingsList

if TYPE_CHECKING:
    from pgvtui.core.appcheck import StatementCheck
    from pgvtui.core.workload import Workload, WorkloadEntry

TOP = 50


class WorkloadLoaded(Message):
    def __init__(self, workload: Workload) -> None:
        super().__init__()
        self.workload = workload


class StatementDiagnosed(Message):
    def __init__(self, queryid: int, result: StatementCheck) -> None:
        super().__init__()
        self.queryid = queryid
        self.result = result


def ms(value: float) -> str:
    return f"{value / 1000:,.1f} s" if value >= 10_000 else f"{value:,.1f} ms"


class WorkloadScreen(PgvScreen):
    """pg_stat_statements' vector searches.

    Bindings:
        r: reload.  enter: diagnose the selected statement.  y: copy its text.
    """

    SCREEN_TITLE = "Workload"
    AUTO_FOCUS = "#workload-table"
    BINDINGS = [
        Binding("r", "refresh", "Reload"),
        Binding("enter", "diagnose", "Diagnose", show=True, priority=False),
        Binding("y", "copy_query", "Copy query"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._entries: tuple[WorkloadEntry, ...] = ()
        self._loaded = False

    def compose_body(self) -> ComposeResult:
        with Vertical(id="workload-box") as box:
            box.border_title = "Vector statements (pg_stat_statements)"
            yield DataTable(id="workload-table", cursor_type="row", zebra_stripes=True)
        with Vertical(id="workload-diagnosis") as diag:
            diag.border_title = "Diagnosis"
            yield Label(Text("select a statement and press Enter", style="dim"), id="wl-head")
            yield FindingsList("no findings", id="workload-findings")
        yield Label("", id="workload-status")

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#workload-table", DataTable)
        table.add_columns("calls", "total", "mean", "rows/call", "read/call", "searches", "query")

    def on_screen_resume(self) -> None:
        if not self._loaded and self.papp.connection_state == "connected":
            self.action_refresh()

    def action_refresh(self) -> None:
        self._status("reading pg_stat_statements …")
        self.load()

    @work(exclusive=True, exit_on_error=False, group="workload")
    async def load(self) -> None:
        from pgvtui.core.workload import collect

        w = await self.papp.backend.call(lambda s: collect(s, top=TOP))
        self.post_message(WorkloadLoaded(w))

    @on(WorkloadLoaded)
    def _loaded_event(self, event: WorkloadLoaded) -> None:
        self.show_workload(event.workload)

    def show_workload(self, w: Workload) -> None:
        """Display one reading (also for tests with recorded data)."""
        self._loaded = True
        self._entries = w.entries
        table = self.query_one("#workload-table", DataTable)
        table.clear()
        for e in w.entries:
            table.add_row(
                f"{e.calls:,}",
                ms(e.total_ms),
                ms(e.mean_ms),
                f"{e.rows_per_call:,.1f}",
                f"{e.read_per_call:,.0f}",
                Text(e.searches),  # Text: names are not markup
                Text(" ".join(e.query.split())[:160]),
                key=str(e.queryid),
            )
        if not w.available:
            self._status(f"pg_stat_statements: {w.problem}. To enable it: {w.hint}")
        else:
            notes = " · ".join(w.notes)
            self._status(
                f"{w.matched} vector statement(s), by total time"
                + (f" · {notes}" if notes else "")
                + " · Enter diagnoses the selected one"
            )

    def _status(self, text: str) -> None:
        self.query_one("#workload-status", Label).update(Text(text, style="dim"))

    def _selected(self) -> WorkloadEntry | None:
        row = self.query_one("#workload-table", DataTable).cursor_row
        return self._entries[row] if 0 <= row < len(self._entries) else None

    @on(DataTable.RowSelected, "#workload-table")
    def _row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_diagnose()

    def action_diagnose(self) -> None:
        e = self._selected()
        if e is None:
            self.notify("no statement selected", severity="warning")
            return
        self.query_one("#wl-head", Label).update(Text(f"diagnosing queryid {e.queryid} …"))
        self.diagnose(e)

    @work(exclusive=True, exit_on_error=False, group="workload-diagnose")
    async def diagnose(self, e: WorkloadEntry) -> None:
        from pgvtui.core.appcheck import check_statement

        result = await self.papp.backend.call(lambda s: check_statement(s, e.query))
        self.post_message(StatementDiagnosed(e.queryid, result))

    @on(StatementDiagnosed)
    def _diagnosed(self, event: StatementDiagnosed) -> None:
        self.show_diagnosis(event.queryid, event.result)

    def show_diagnosis(self, queryid: int, result: StatementCheck) -> None:
        head = Text(f"queryid {queryid}: ", style="bold")
        if result.function is not None:
            head.append(f"the search inside {result.function.function.display}() · ")
        head.append("generic plan (no values: nothing executed)" if result.generic else "plan")
        err = result.diagnosis.search.error
        if err is not None and not result.findings:
            head.append(f" · {err.message}", style="red")
        self.query_one("#wl-head", Label).update(head)
        self.query_one("#workload-findings", FindingsList).show(result.findings)

    def action_copy_query(self) -> None:
        e = self._selected()
        if e is not None:
            self.papp.copy_text(e.query, "Query")

    @on(FindingsList.CopyRequested)
    def _copy_fix(self, event: FindingsList.CopyRequested) -> None:
        self.papp.copy_text(event.text, "Fix")
