"""Workload: the vector searches pg_stat_statements recorded, heaviest first (s changes the
sort: total, mean, calls, rows, reads). Enter diagnoses the selected statement from its text in
a worker — its generic plan, or the search inside a function, with the same core as ``pgvtui
check --sql`` and ``workload --diagnose`` — and v with values sampled from the data (EXPLAIN
ANALYZE; what the data cannot give, such as a normalised LIMIT, is asked for first); the values
used, the findings and the plan show below. Esc cancels a diagnosis."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Label
from textual.worker import Worker, WorkerState

from pgvtui.errors import ConnectionLost, MissingValues, PgvtuiError
from pgvtui.ui.app_types import SearchRequest
from pgvtui.ui.screens.base import PgvScreen
from pgvtui.ui.screens.param_values import ask_values, values_needed
from pgvtui.ui.widgets.findings_list import FindingsList
from pgvtui.ui.widgets.statement_diagnosis import StatementDiagnosis

if TYPE_CHECKING:
    from pgvtui.core.appcheck import StatementCheck
    from pgvtui.core.workload import Workload, WorkloadEntry

TOP = 50
COLUMNS = (
    "calls",
    "total",
    "mean",
    "searches",
    "max",
    "rows/call",
    "hit/call",
    "read/call",
    "temp",
    "query",
)


class WorkloadLoaded(Message):
    def __init__(self, workload: Workload) -> None:
        super().__init__()
        self.workload = workload


class StatementDiagnosed(Message):
    def __init__(self, queryid: int, result: StatementCheck) -> None:
        super().__init__()
        self.queryid = queryid
        self.result = result


class DiagnosisFailed(Message):
    def __init__(self, queryid: int, message: str) -> None:
        super().__init__()
        self.queryid = queryid
        self.message = message


def ms(value: float) -> str:
    return f"{value / 1000:,.1f} s" if value >= 10_000 else f"{value:,.1f} ms"


def entry_cells(e: WorkloadEntry) -> tuple[str | Text, ...]:
    """One table row (Text where the content comes from the server: names are not markup)."""
    return (
        f"{e.calls:,}",
        ms(e.total_ms),
        ms(e.mean_ms),
        Text(e.searches),
        ms(e.max_ms),
        f"{e.rows_per_call:,.1f}",
        f"{e.hit_per_call:,.0f}",
        f"{e.read_per_call:,.0f}",
        f"{e.temp_blocks:,}",
        Text(" ".join(e.query.split())[:160]),
    )


class WorkloadScreen(PgvScreen):
    """pg_stat_statements' vector searches.

    Bindings:
        enter: diagnose the selected statement (generic plan).  v: with sampled values.
        escape: cancel a running diagnosis.  s: next sort.  r: reload.  y: copy its text.
        e: open it in the Search screen (edit it, F5 its generic plan, v with values).
    """

    SCREEN_TITLE = "Workload"
    AUTO_FOCUS = "#workload-table"
    BINDINGS = [
        Binding("enter", "diagnose", "Diagnose", show=True, priority=False),
        Binding("v", "diagnose_sampled", "With values", tooltip="Diagnose with sampled values"),
        Binding("s", "next_sort", "Sort", tooltip="Sort by total, mean, calls, rows, reads"),
        Binding("r", "refresh", "Reload"),
        Binding("y", "copy_query", "Copy query"),
        Binding("e", "open_search", "Search it", tooltip="Open the statement in Search"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._entries: tuple[WorkloadEntry, ...] = ()
        self._loaded = False
        self.sort = "total"
        self._diagnosing: int | None = None  # queryid of the running diagnosis

    def compose_body(self) -> ComposeResult:
        with Vertical(id="workload-box") as box:
            box.border_title = "Vector statements (pg_stat_statements) by total time"
            yield DataTable(id="workload-table", cursor_type="row", zebra_stripes=True)
        yield StatementDiagnosis(id="workload-diagnosis")
        yield Label("", id="workload-status")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#workload-table", DataTable).add_columns(*COLUMNS)
        self.watch(self.app, "connection_state", self._load_once)

    def on_screen_resume(self) -> None:
        self._load_once()

    def _load_once(self, _state: object = None) -> None:
        """The first time the screen shows on a connected session: read pg_stat_statements."""
        if not self._loaded and self.is_current and self.papp.connection_state == "connected":
            self._loaded = True
            self.action_refresh()

    # -- the list -----------------------------------------------------------------------
    def action_refresh(self) -> None:
        self._status(f"reading pg_stat_statements (by {self.sort}) …")
        self.load(self.sort)

    def action_next_sort(self) -> None:
        from pgvtui.core.workload import SORTS

        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.action_refresh()

    @work(exclusive=True, exit_on_error=False, group="workload")
    async def load(self, sort: str) -> None:
        w = await self.papp.backend.workload(sort=sort, top=TOP)
        self.post_message(WorkloadLoaded(w))

    @on(WorkloadLoaded)
    def _loaded_event(self, event: WorkloadLoaded) -> None:
        self.show_workload(event.workload)

    def show_workload(self, w: Workload) -> None:
        """Display one reading (also for tests with recorded data)."""
        self._loaded = True
        self._entries = w.entries
        self.sort = w.sort
        self.query_one(
            "#workload-box"
        ).border_title = f"Vector statements (pg_stat_statements) by {w.sort}"
        table = self.query_one("#workload-table", DataTable)
        table.clear()
        for e in w.entries:
            table.add_row(*entry_cells(e), key=str(e.queryid))
        if not w.available:
            self._status(f"{w.problem}. To enable it: {w.hint}")
            return
        notes = " · ".join(w.notes)
        shown = f"{len(w.entries)} of {w.matched}" if w.matched > len(w.entries) else w.matched
        self._status(
            f"{shown} vector statement(s) · s sorts (now {w.sort})"
            + (f" · {notes}" if notes else "")
        )

    def _status(self, text: str) -> None:
        self.query_one("#workload-status", Label).update(Text(text, style="dim"))

    def _selected(self) -> WorkloadEntry | None:
        row = self.query_one("#workload-table", DataTable).cursor_row
        return self._entries[row] if 0 <= row < len(self._entries) else None

    # -- diagnosis ----------------------------------------------------------------------
    @on(DataTable.RowSelected, "#workload-table")
    def _row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_diagnose()

    def action_diagnose(self, sample: bool = False, params: dict[int, str] | None = None) -> None:
        e = self._selected()
        if e is None:
            self.notify("no statement selected", severity="warning")
            return
        self._diagnosing = e.queryid
        self.query_one(StatementDiagnosis).running(e.queryid, sample)
        self.diagnose(e, sample, params)

    def action_diagnose_sampled(self) -> None:
        """v: values sampled from the data; the ones it cannot give are asked for first."""
        e = self._selected()
        needed = values_needed(e.query) if e is not None else {}
        ask_values(self.app, needed, lambda given: self.action_diagnose(True, given))

    @work(exclusive=True, exit_on_error=False, group="workload-diagnose")
    async def diagnose(self, e: WorkloadEntry, sample: bool, params: dict[int, str] | None) -> None:
        try:
            result = await self.papp.backend.check_statement(e.query, sample=sample, params=params)
        except ConnectionLost:
            raise
        except MissingValues as exc:  # found by the core (a function's LIMIT argument …)
            given = dict(params or {})
            ask_values(self.app, exc.needed, lambda more: self.action_diagnose(True, given | more))
            self.post_message(DiagnosisFailed(e.queryid, "values needed"))
            return
        except PgvtuiError as exc:  # refused, a parameter that cannot be sampled, cancelled …
            self.post_message(DiagnosisFailed(e.queryid, exc.one_line()))
            return
        self.post_message(StatementDiagnosed(e.queryid, result))

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "workload-diagnose" and event.state in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self._diagnosing = None

    @property
    def running(self) -> bool:
        return self._diagnosing is not None

    def action_leave_input(self) -> None:
        """Esc (the base binding): cancel a running diagnosis (server side too), else as
        everywhere."""
        if self._diagnosing is None:
            super().action_leave_input()
            return
        queryid = self._diagnosing
        self.send_cancel()
        self.workers.cancel_group(self, "workload-diagnose")
        self._diagnosing = None
        self.query_one(StatementDiagnosis).failed(queryid, "diagnosis cancelled")

    @on(StatementDiagnosed)
    def _diagnosed(self, event: StatementDiagnosed) -> None:
        self.query_one(StatementDiagnosis).show(event.queryid, event.result)

    @on(DiagnosisFailed)
    def _failed(self, event: DiagnosisFailed) -> None:
        self.query_one(StatementDiagnosis).failed(event.queryid, event.message)

    def show_diagnosis(self, queryid: int, result: StatementCheck) -> None:
        """Display one diagnosis (also for tests with recorded data)."""
        self.query_one(StatementDiagnosis).show(queryid, result)

    def action_open_search(self) -> None:
        e = self._selected()
        if e is not None:
            title = f"queryid {e.queryid} from pg_stat_statements: F5 generic plan, v with values"
            self.papp.request_search(SearchRequest(sql=e.query, title=title))

    # -- copy ---------------------------------------------------------------------------
    def action_copy_query(self) -> None:
        e = self._selected()
        if e is not None:
            self.papp.copy_text(e.query, "Query")

    @on(FindingsList.CopyRequested)
    def _copy_fix(self, event: FindingsList.CopyRequested) -> None:
        self.papp.copy_text(event.text, "Fix")
