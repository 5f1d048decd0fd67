"""Recall: measure what an ANN index really returns across ef_search / probes, in a worker with
progress and cancel; show recall vs latency as bars, and offer the recommended SET (copy it, or
apply it to the Search screen's controls)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Input, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState

from pgvtui.core.models import IndexInfo, Inventory
from pgvtui.render.fmt import human_bytes
from pgvtui.ui.messages import RecallFinished, RecallProgressed
from pgvtui.ui.screens.base import PgvScreen
from pgvtui.ui.widgets.fit_bars import bar
from pgvtui.ui.widgets.object_table import Col, ObjectTable

if TYPE_CHECKING:
    from pgvtui.core.recall.sweep import RecallProgress, RecallReport, RecallSpec, SettingResult

INDEX_COLS: list[Col[IndexInfo]] = [
    Col("index", lambda i: i.qualified_name, lambda i: i.qualified_name),
    Col("method", lambda i: i.method, lambda i: i.method),
    Col("size", lambda i: human_bytes(i.size_bytes), lambda i: i.size_bytes, "right"),
]


def _recall_cell(r: SettingResult, target: float) -> Text:
    t = bar(round(r.recall_mean * 1000), 1000, 12)
    t.append(f" {r.recall_mean:.3f}", style="bold green" if r.recall_mean >= target else "yellow")
    return t


def _settings_order(r: SettingResult) -> tuple[tuple[str, int, str], ...]:
    """Numeric order of the swept values (ef_search 40 < 80 < 160), not text order."""
    return tuple((k, v if isinstance(v, int) else -1, str(v)) for k, v in r.settings.items())


def varying_label(r: SettingResult, same: dict[str, object]) -> str:
    """The settings that differ between the rows (``ef_search=80``): a setting every row
    shares (``iterative_scan=off``) is said once, in the table's title, and the column stays
    narrow enough for latency to show at 80 columns."""
    shown = [f"{k}={v}" for k, v in r.settings.items() if k not in same]
    return ", ".join(shown) or r.label


def shared_settings(results: tuple[SettingResult, ...]) -> dict[str, object]:
    """Settings with one value across all rows (none when there is only one row)."""
    if len(results) < 2:
        return {}
    first = results[0].settings
    return {k: v for k, v in first.items() if all(r.settings.get(k, v) == v for r in results[1:])}


def result_cols(
    target: float, slowest: float, same: dict[str, object] | None = None
) -> list[Col[SettingResult]]:
    def latency(r: SettingResult) -> Text:
        t = bar(round(r.latency_ms_p50 * 1000), round(max(slowest, 1e-6) * 1000), 12)
        t.append(f" {r.latency_ms_p50:.2f} ms")
        return t

    return [
        Col("settings", lambda r: varying_label(r, same or {}), _settings_order),
        Col("recall@k", lambda r: _recall_cell(r, target), lambda r: r.recall_mean),
        # Latency next to recall: the trade-off stays in view at 80 columns.
        Col("p50 latency", latency, lambda r: r.latency_ms_p50),
        Col("p95", lambda r: f"{r.latency_ms_p95:.2f}", lambda r: r.latency_ms_p95, "right"),
        Col("p10", lambda r: f"{r.recall_p10:.2f}", lambda r: r.recall_p10, "right"),
        Col("min", lambda r: f"{r.recall_min:.2f}", lambda r: r.recall_min, "right"),
        Col("rows", lambda r: f"{r.rows_mean:.1f}", lambda r: r.rows_mean, "right"),
        Col(
            "hit/read",
            lambda r: f"{r.shared_hit:.0f}/{r.shared_read:.0f}",
            lambda r: r.shared_hit + r.shared_read,
            "right",
        ),
        Col("index used", lambda r: f"{100 * r.index_used:.0f} %", lambda r: r.index_used, "right"),
    ]


class RecallScreen(PgvScreen):
    """Recall sweep for one index.

    Bindings:
        f5: start the sweep for the selected index.  escape: stop it (partial results stay).
        c: copy the recommended SET.  a: apply it to the Search screen's controls (only a
        recommendation that meets the policy; see docs/recall.md).
    """

    SCREEN_TITLE = "Recall"
    AUTO_FOCUS = "#recall-indexes"
    BINDINGS = [
        Binding("f5", "start", "Run sweep"),
        Binding("escape", "escape", "Stop / leave field", show=False),
        Binding("ctrl+c", "stop", "Stop", show=False, priority=True),
        Binding("c", "copy_set", "Copy SET"),
        Binding("a", "apply", "Apply to Search"),
    ]

    running: reactive[bool] = reactive(False)
    """A sweep is running."""

    def __init__(self) -> None:
        super().__init__()
        self._stop = False
        self.report: RecallReport | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="recall-top"):
            with Vertical(id="recall-pick"):
                table: ObjectTable[IndexInfo] = ObjectTable(
                    INDEX_COLS, key=lambda i: i.qualified_name, id="recall-indexes"
                )
                table.border_title = "Index (F5 runs)"
                yield table
                with Horizontal(classes="recall-opts"):
                    yield Label("k")
                    yield Input("10", id="recall-k", type="integer", compact=True)
                    yield Label(" queries")
                    yield Input("50", id="recall-queries", type="integer", compact=True)
                    yield Label(" target")
                    yield Input("0.95", id="recall-target", type="number", compact=True)
            with Vertical(id="recall-status-box") as v:
                v.border_title = "Progress"
                yield ProgressBar(total=1, id="recall-progress", show_eta=False)
                yield Static(Text("pick an index and press F5", style="dim"), id="recall-status")
                yield Static("", id="recall-recommendation")
        results: ObjectTable[SettingResult] = ObjectTable(
            result_cols(0.95, 1.0), key=lambda r: r.label, id="recall-results"
        )
        results.border_title = "Recall vs latency"
        yield results

    def on_inventory(self, inventory: Inventory) -> None:
        self.query_one("#recall-indexes", ObjectTable).set_items(
            [i for i in inventory.indexes if i.valid]
        )

    def _int(self, wid: str, default: int) -> int:
        text = self.query_one(wid, Input).value.strip()
        return int(text) if text.isdigit() and int(text) > 0 else default

    def _target(self) -> float:
        try:
            value = float(self.query_one("#recall-target", Input).value)
        except ValueError:
            return 0.95
        return value if 0 < value <= 1 else 0.95

    def action_start(self) -> None:
        if self.running:
            self.notify("a sweep is already running (Esc stops it)", severity="warning")
            return
        index = self.query_one("#recall-indexes", ObjectTable).current
        if not isinstance(index, IndexInfo):
            self.notify("select an index first", severity="warning")
            return
        from pgvtui.core.recall.sweep import RecallSpec

        spec = RecallSpec(
            index=index.qualified_name,
            k=self._int("#recall-k", 10),
            queries=self._int("#recall-queries", 50),
            target=self._target(),
        )
        self._stop = False
        self.running = True
        self.query_one("#recall-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#recall-recommendation", Static).update("")
        self.sweep(spec)

    @work(exclusive=True, exit_on_error=False, group="recall")
    async def sweep(self, spec: RecallSpec) -> None:
        from pgvtui.core.recall.sweep import run_recall

        inv = self.papp.inventory

        def progress(p: RecallProgress) -> None:
            self.post_message(RecallProgressed(p))

        report = await self.papp.backend.call(
            lambda s: run_recall(s, spec, progress, lambda: self._stop, inv=inv)
        )
        self.post_message(RecallFinished(report))

    def action_stop(self) -> None:
        if self.running:
            self._stop = True
            self.send_cancel()
            self.query_one("#recall-status", Static).update(Text("stopping…", style="yellow"))

    def action_escape(self) -> None:
        """Esc: stop a running sweep, else leave the text field (k, queries, target)."""
        if self.running:
            self.action_stop()
        else:
            self.action_leave_input()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.running  # otherwise ctrl+c keeps its usual meaning
        return True

    @on(RecallProgressed)
    def _progress(self, event: RecallProgressed) -> None:
        p: RecallProgress = event.progress
        bar_widget = self.query_one("#recall-progress", ProgressBar)
        if p.total:
            bar_widget.update(total=p.total, progress=p.done)
        self.query_one("#recall-status", Static).update(Text(f"{p.phase}: {p.message}"))
        if p.results:
            self._show_results(p.results, self._target())

    @on(RecallFinished)
    def _finished(self, event: RecallFinished) -> None:
        self.running = False
        self.show_report(event.report)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "recall" and event.state in (
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self.running = False
            self.query_one("#recall-status", Static).update(Text("sweep failed", style="red"))

    def show_report(self, report: RecallReport) -> None:
        """Display a finished (or stopped) sweep; also used by snapshot tests."""
        self.report = report
        self._show_results(report.results, report.target)
        done = "complete" if report.complete else f"stopped during {report.stopped_during}"
        status = Text(f"{report.index} · {report.metric} · k={report.k} · {done}")
        for w in report.warnings:
            status.append(f"\n⚠ {w}", style="yellow")
        self.query_one("#recall-status", Static).update(status)
        bar_widget = self.query_one("#recall-progress", ProgressBar)
        bar_widget.update(total=1, progress=1 if report.complete else 0)
        from pgvtui.render.recall import recommendation_lines

        rec = report.recommendation
        lines = recommendation_lines(report)
        if rec is not None and rec.met and rec.set_sql:
            lines.insert(1, Text(f"  {rec.set_sql}", style="bold"))
        text = Text("\n").join(lines)
        if rec is not None and rec.met and rec.set_sql:
            text.append("\nc copies it · a applies it to Search", style="dim")
        self.query_one("#recall-recommendation", Static).update(text)

    def _show_results(self, results: tuple[SettingResult, ...], target: float) -> None:
        table = self.query_one("#recall-results", ObjectTable)
        slowest = max((r.latency_ms_p50 for r in results), default=1.0)
        same = shared_settings(results)
        table.cols = result_cols(target, slowest, same)
        table.border_title = "Recall vs latency" + (
            " (all with " + ", ".join(f"{k}={v}" for k, v in same.items()) + ")" if same else ""
        )
        table.set_items(results)

    def action_copy_set(self) -> None:
        rec = self.report.recommendation if self.report else None
        if rec is None or not rec.set_sql:
            text = rec.message if rec is not None else "no recommendation yet"
            self.notify(text, severity="warning")
            return
        self.papp.copy_text(rec.set_sql, "SET")

    def action_apply(self) -> None:
        rec = self.report.recommendation if self.report else None
        if rec is None or not rec.met or not rec.settings:
            text = rec.message if rec is not None else "no recommendation yet"
            self.notify(text, severity="warning")
            return
        self.papp.recall_settings = {k: str(v) for k, v in rec.settings.items()}
        self.papp.show_screen("search")
