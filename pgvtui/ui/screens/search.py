"""Search: edit a k-NN query, run it through the safe EXPLAIN ANALYZE path, see the plan (offending
nodes highlighted), the findings with fixes, the rows, and the delta against the previous run.

Live: changing a control re-runs after 0.4 s; the watch switch re-runs every 3 s (a cold index
warming shows as Shared Read turning into Hit). Esc / ctrl+c cancels a running query.

A statement with ``$n`` (or a searching function's call) gets its generic plan on F5; v runs it
with values sampled from the data, asking for the rest (:mod:`pgvtui.ui.search_adapter`).
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Checkbox, TextArea
from textual.worker import Worker, WorkerState

from pgvtui.core.models import ColumnInfo, Inventory
from pgvtui.errors import MissingValues
from pgvtui.render.explain_text import explain_text
from pgvtui.ui import query_template as qt
from pgvtui.ui.app_types import SearchRequest
from pgvtui.ui.backend import SearchOutcome
from pgvtui.ui.history import QueryHistory
from pgvtui.ui.messages import SampleFailed, SearchFinished
from pgvtui.ui.screens.base import PgvScreen
from pgvtui.ui.screens.examples import ExamplePicker
from pgvtui.ui.screens.export_path import ask_and_export
from pgvtui.ui.screens.history_picker import HistoryPicker
from pgvtui.ui.screens.param_values import ask_values, values_needed
from pgvtui.ui.screens.plan_paste import Pasted, PlanPaste
from pgvtui.ui.widgets.findings_list import FindingsList
from pgvtui.ui.widgets.golden_path import GoldenPath
from pgvtui.ui.widgets.plan_tree import PlanTree
from pgvtui.ui.widgets.result_rows import ResultRows
from pgvtui.ui.widgets.run_status import RunStatus, status_text
from pgvtui.ui.widgets.search_controls import SearchControls
from pgvtui.ui.widgets.sql_editor import SqlEditor
from pgvtui.ui.widgets.statement_diagnosis import bound_line

DEBOUNCE_S = 0.4
WATCH_EVERY_S = 3.0


class SearchScreen(PgvScreen):
    """The live plan screen.

    Bindings:
        f5: run (a statement with $n: its generic plan).  v: run it with values sampled from
        the data.  escape / ctrl+c: cancel the running query.  f6: watch on/off.
        f2: example queries.  f7: copy the plan.  y: copy the Rows cell under the cursor.
        f8 / f9: export Markdown / JSON (the same documents as ``pgvtui check``).
        f3: paste a recorded plan (text or JSON) and see its tree and findings.
    """

    SCREEN_TITLE = "Search"
    AUTO_FOCUS = "#plan-tree"
    BINDINGS = [
        Binding("f5", "run", "Run"),
        Binding("v", "run_with_values", "With values", tooltip="Run a $n statement with values"),
        Binding("e", "edit", "Edit SQL"),
        Binding("escape", "escape", "Cancel / leave field", show=False),
        Binding("ctrl+c", "cancel", "Cancel", priority=True),
        Binding("f6", "toggle_watch", "Watch"),
        Binding("f2", "examples", "Examples"),
        Binding("f4", "history", "History", tooltip="Search the query history"),
        Binding("f7", "copy_plan", "Copy plan"),
        Binding("y", "copy_cell", "Copy cell (Rows)", show=False),
        Binding("f8", "export('md')", "Export md"),
        Binding("f9", "export('json')", "Export json"),
        Binding("f3", "paste_plan", "Paste plan", show=False),
    ]

    running: reactive[bool] = reactive(False)
    """A query is running (shows elapsed time; Esc cancels)."""

    def __init__(self) -> None:
        super().__init__()
        self.outcome: SearchOutcome | None = None
        self._last_ok: SearchOutcome | None = None
        self._run_id = 0
        self._search: Worker[None] | None = None
        self._debounce: Timer | None = None
        self._watch: Timer | None = None
        self.export_dir = Path.cwd()
        self._exports: dict[int, int] = {}  # id(outcome) → the N its exports use
        self._values: tuple[str, dict[int, str]] | None = None  # the text `v` ran, typed values
        self._announce = 0  # the run (id) whose values are listed in a notification

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="search-top"):
            yield SqlEditor.for_search(id="sql-editor")
            controls = SearchControls(id="search-controls")
            controls.border_title = "Controls"
            yield controls
        yield GoldenPath(controls)
        yield RunStatus(id="search-status")
        with Horizontal(id="search-bottom"):
            plan = PlanTree(id="plan-tree")
            plan.border_title = "Plan"
            yield plan
            with Vertical(id="search-side"):
                findings = FindingsList("no findings for this run", id="search-findings")
                findings.border_title = "Findings (c copies the fix)"
                yield findings
                table = ResultRows(id="search-results")
                table.border_title = "Rows (y copies a cell)"
                yield table

    def on_mount(self) -> None:
        self.history = QueryHistory.for_conninfo(self.papp.backend.conninfo)
        self.query_one(SqlEditor).query_history = self.history
        self.query_one(PlanTree).show_plan(None)
        self.query_one(FindingsList).show(())
        self.watch(self.app, "search_request", self._load_request)
        self.watch(self.app, "recall_settings", self._apply_recall, init=False)

    def on_inventory(self, inventory: Inventory) -> None:
        if not self.editor.text.strip() and inventory.columns and self.papp.search_request is None:
            # Prefill only: nothing is sent to the server until the user runs it (F5).
            self.load_column(qt.best_column(inventory), run=False)

    @property
    def editor(self) -> TextArea:
        return self.query_one("#sql-editor", TextArea)

    @property
    def controls(self) -> SearchControls:
        return self.query_one(SearchControls)

    @property
    def golden(self) -> GoldenPath:
        return self.query_one(GoldenPath)

    # -- loading queries --------------------------------------------------------------
    def _load_request(self, request: SearchRequest | None) -> None:
        if request is None:
            return
        if request.column is not None:
            self.load_column(request.column)
        elif request.sql is not None:
            self.golden.forget()
            # The controls show this query's settings and LIMIT; a row id picked for an earlier
            # column means nothing here.
            self.controls.apply(dict(request.settings), k=qt.limit_of(request.sql))
            self.controls.set_vector("id", "")
            self._set_sql(request.sql)
            self.notify(request.title or "query loaded", timeout=3)
            self.schedule_run(0)

    def load_column(self, col: ColumnInfo, *, run: bool = True) -> None:
        """Prefill the golden-path query for ``col`` (and run it when asked to)."""
        self.golden.load(col, run=run)

    @on(GoldenPath.Written)
    def _written(self, event: GoldenPath.Written) -> None:
        self._set_sql(event.sql)
        if event.run:
            self.schedule_run(0)
        else:
            self._status(
                Text("F5 runs the query (EXPLAIN ANALYZE in a read-only transaction)", style="dim")
            )

    @on(SampleFailed)
    def _sample_failed(self, event: SampleFailed) -> None:
        what = f"could not sample a row of {event.column.qualified_table}"
        self.notify(f"{what}: {event.error.message}", title=event.error.title, severity="error")
        self._status(Text(f"{what}: {event.error.one_line()} — the query uses id 1", style="red"))

    def _set_sql(self, text: str) -> None:
        self.editor.load_text(text)

    # -- live controls ----------------------------------------------------------------
    @on(SearchControls.Changed)
    def _controls_changed(self, event: SearchControls.Changed) -> None:
        if event.field == "watch":
            self._set_watch(self.controls.watching)
            return
        if event.field == "vector":
            if not self.golden.vector_changed():
                return  # not a column's query, or a random row on its way (it runs then)
        elif event.field == "k":
            text = self.editor.text
            new = qt.with_limit(text, self.controls.k)
            if new is not None and new != text:
                self._set_sql(new)
        self.schedule_run(DEBOUNCE_S)

    def schedule_run(self, delay: float) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(delay, self.action_run) if delay else None
        if not delay:
            self.action_run()

    def _set_watch(self, on: bool) -> None:
        if self._watch is not None:
            self._watch.stop()
            self._watch = None
        if on:
            self._watch = self.set_interval(WATCH_EVERY_S, self._watch_tick)
            self.notify(f"watching: re-running every {WATCH_EVERY_S:g} s", timeout=3)

    def _watch_tick(self) -> None:
        if not self.running:
            self.action_run()

    def _apply_recall(self, settings: dict[str, str] | None) -> None:
        if settings:
            self.controls.apply(settings)
            self.notify("recommended settings applied; re-running", timeout=3)
            self.schedule_run(0)

    # -- running ----------------------------------------------------------------------
    def action_run(self) -> None:
        """F5 (and the live controls, the watch): a statement with ``$n`` keeps the values of
        the last ``v`` while its text is unchanged, else gets its generic plan."""
        text = self.editor.text.strip()
        if not text:
            self.notify("nothing to run: type a query or press F2 for examples", severity="warning")
            return
        kept = self._values[1] if self._values is not None and self._values[0] == text else None
        self._start(text, kept)

    def action_run_with_values(self) -> None:
        """v: run a ``$n`` statement with values sampled from the data; the ones the data
        cannot give (a LIMIT ``$3``, a value compared with no column) are asked for first."""
        text = self.editor.text.strip()
        self._ask_values(text, values_needed(text), {})

    def _ask_values(self, text: str, needed: dict[int, str], given: dict[int, str]) -> None:
        """Run ``text`` with ``given`` + sampled values, after asking for the ``needed`` ones."""

        def run(more: dict[int, str]) -> None:
            self._values = (text, given | more)
            self.action_run()
            self._announce = self._run_id

        ask_values(self.app, needed, run)

    def _start(self, text: str, params: dict[int, str] | None) -> None:
        self.history.add(text)
        self._run_id += 1
        self.running = True
        settings = self.controls.settings()
        self._search = self.run_search(text, settings, self._run_id, params)

    @work(exclusive=True, exit_on_error=False, group="search")
    async def run_search(
        self, sql: str, settings: dict[str, str], run_id: int, params: dict[int, str] | None
    ) -> None:
        """``params`` not None: sample the ``$n`` values (these ones as typed in)."""
        outcome = await self.papp.backend.search(
            sql, settings, self.papp.inventory, sample=params is not None, params=params
        )
        self.post_message(SearchFinished(outcome, run_id))

    def action_cancel(self) -> None:
        if self.running:
            self.send_cancel()
            self._status(Text("cancelling…", style="yellow"))

    def action_escape(self) -> None:
        """Esc: cancel a running query, else leave the text field."""
        if self.running:
            self.action_cancel()
        else:
            self.action_leave_input()

    def action_edit(self) -> None:
        self.editor.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self.running  # otherwise ctrl+c/Esc keep their usual meaning
        return True

    def watch_running(self, running: bool) -> None:
        self.refresh_bindings()
        self.query_one(RunStatus).running(running)

    def _status(self, text: Text) -> None:
        self.query_one(RunStatus).update(text)

    @on(SearchFinished)
    def _finished(self, event: SearchFinished) -> None:
        if event.run_id != self._run_id:
            return
        self.running = False
        self.show_outcome(event.outcome)
        err, sql, values = event.outcome.error, event.outcome.sql, self._values
        if isinstance(err, MissingValues) and values is not None and values[0] == sql:
            self._values = None  # F5 after Esc in the dialog: the generic plan again
            self._ask_values(sql, err.needed, values[1])  # what only the core could tell
        if event.outcome.bound and event.run_id == self._announce:  # the first run after v
            lines = "\n".join(bound_line(b) for b in event.outcome.bound)
            self.notify(lines, title="Values used", timeout=10)

    def show_outcome(self, outcome: SearchOutcome) -> None:
        """Display one run (also used by snapshot tests with recorded outcomes)."""
        previous = None
        if outcome.plan is not None:
            previous, self._last_ok = self._last_ok, outcome
            if previous is not None and (
                previous.sql != outcome.sql or previous.generic or outcome.generic
            ):
                previous = None  # a delta only means something for the same query, executed
        self.outcome = outcome
        self._status(status_text(outcome, previous))
        self.query_one(PlanTree).show_plan(outcome.plan, outcome.findings)
        self.query_one(FindingsList).show(outcome.findings)
        self.query_one(ResultRows).show(outcome.columns, outcome.rows)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A failed search worker (e.g. connection lost) must not leave the spinner running;
        # the base class forwards the error itself to the App. A run replaced by a newer one
        # (exclusive worker) is cancelled too: that is not a failure.
        if event.worker is self._search and event.state in (
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self.running = False
            if event.state == WorkerState.ERROR:  # (a cancelled run was replaced by another)
                self._status(Text("run failed — see the notification", style="red"))

    # -- other actions ----------------------------------------------------------------
    def action_toggle_watch(self) -> None:
        box = self.query_one("#watch", Checkbox)
        box.value = not box.value

    def action_examples(self) -> None:
        self.app.push_screen(ExamplePicker(), self._example_chosen)

    def action_history(self) -> None:
        editor = self.query_one(SqlEditor)
        self.app.push_screen(HistoryPicker(self.history), editor.load_recalled)

    @on(SqlEditor.Recalled)
    def _recalled(self) -> None:
        self.golden.forget()  # a query from the history is not a column's golden path

    def _example_chosen(self, request: SearchRequest | None) -> None:
        if request is not None:
            self.papp.search_request = request

    def action_paste_plan(self) -> None:
        self.app.push_screen(PlanPaste(self.papp.inventory), self._plan_pasted)

    def _plan_pasted(self, pasted: Pasted | None) -> None:
        if pasted is not None:
            if self.running:  # the query still running is cancelled, on the server too
                self.send_cancel()
                self.workers.cancel_group(self, "search")
            self._run_id += 1
            self.show_outcome(pasted.outcome)
            if pasted.note:
                self.notify(pasted.note, timeout=8)

    def action_copy_plan(self) -> None:
        if self.outcome is None or self.outcome.plan is None:
            self.notify("no plan yet", severity="warning")
            return
        self.papp.copy_text(explain_text(self.outcome.plan), "Plan (EXPLAIN text)")

    def action_copy_cell(self) -> None:  # y anywhere on the screen: the Rows cell
        self.query_one(ResultRows).action_copy_cell()

    @on(ResultRows.CopyRequested)
    def _copy_cell(self, event: ResultRows.CopyRequested) -> None:
        self.papp.copy_text(event.text, "Cell")

    def action_export(self, fmt: str) -> None:
        """Ask where (a default in :attr:`export_dir`), then write (:func:`ask_and_export`)."""
        if self.outcome is None:
            self.notify("run a query first", severity="warning")
            return
        db = self.papp.backend.short
        ask_and_export(self, self.outcome, fmt, self.export_dir, self._exports, db)

    @on(FindingsList.CopyRequested)
    def _copy_fix(self, event: FindingsList.CopyRequested) -> None:
        self.papp.copy_text(event.text, "Fix")
