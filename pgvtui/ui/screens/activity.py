"""Activity: running vector queries (pg_stat_activity) and index builds with progress bars
(pg_stat_progress_create_index), refreshed every 2 s on pgvtui's second session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import DataTable, Label, ProgressBar, Static

from pgvtui.ui.messages import ActivityLoaded, BackendCancelled
from pgvtui.ui.screens.base import PgvScreen

if TYPE_CHECKING:
    from pgvtui.core.activity import Activity, IndexBuild, VectorQuery

REFRESH_S = 2.0
NO_QUERIES = "no vector query running"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(int(seconds), 60)
    return f"{minutes} min {sec:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def build_line(b: IndexBuild) -> Text:
    text = Text()
    text.append(b.index or "(index not created yet)", style="bold")
    text.append(f" on {b.table or '?'} · {b.method or '?'} · {b.phase} · {duration(b.duration_s)}")
    text.append(f" · pid {b.pid}", style="dim")
    prog = b.progress
    if prog:
        unit = "tuples" if b.tuples_total else "blocks"
        text.append(f" · {prog[0]:,}/{prog[1]:,} {unit}", style="dim")
    return text


class ActivityScreen(PgvScreen):
    """What the server is doing with vectors right now.

    Bindings:
        r: refresh now.  k: cancel the selected query (pgvtui's own backends only).
        p: pause/resume the auto refresh.  y: copy the selected query's text.
    """

    SCREEN_TITLE = "Activity"
    AUTO_FOCUS = "#activity-queries"
    BINDINGS = [
        Binding("r", "refresh", "Refresh"),
        Binding("k", "cancel_query", "Cancel query"),
        Binding("p", "pause", "Pause"),
        Binding("y", "copy_query", "Copy query"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._timer: Timer | None = None
        self._queries: tuple[VectorQuery, ...] = ()
        self.paused = False
        self._builds: dict[int, tuple[Vertical, Static, ProgressBar]] = {}

    def compose_body(self) -> ComposeResult:
        with Vertical(id="activity-queries-box") as box:
            box.border_title = "Running vector queries"
            yield DataTable(id="activity-queries", cursor_type="row", zebra_stripes=True)
            yield Static(Text(NO_QUERIES, style="dim"), id="no-queries")
        with VerticalScroll(id="activity-builds") as builds:
            builds.border_title = "Index builds"
            yield Static(Text("no index build in progress", style="dim"), id="no-builds")
        yield Label("", id="activity-status")

    def on_mount(self) -> None:
        table = self.query_one("#activity-queries", DataTable)
        table.add_columns("pid", "user", "app", "state", "duration", "wait", "query")

    def on_screen_resume(self) -> None:
        self.action_refresh()
        if self._timer is None:
            self._timer = self.set_interval(REFRESH_S, self._auto)

    def on_screen_suspend(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _auto(self) -> None:
        if not self.paused and self.papp.connection_state == "connected":
            self.load()

    def action_refresh(self) -> None:
        self.load()

    def action_pause(self) -> None:
        self.paused = not self.paused
        self.notify("auto refresh paused" if self.paused else "auto refresh on", timeout=2)

    @work(exclusive=True, exit_on_error=False, group="activity")
    async def load(self) -> None:
        activity = await self.papp.backend.activity()
        self.post_message(ActivityLoaded(activity))

    @on(ActivityLoaded)
    def _loaded(self, event: ActivityLoaded) -> None:
        self.show_activity(event.activity)

    def show_activity(self, activity: Activity) -> None:
        """Display one snapshot (also used by snapshot tests with recorded data)."""
        self._queries = activity.queries
        table = self.query_one("#activity-queries", DataTable)
        keep = table.cursor_row
        table.clear()
        for q in activity.queries:
            own = Text(" ◆ this app", style="cyan") if q.is_own else ""
            table.add_row(
                # Text, not str: a DataTable reads str cells as markup, and these are any
                # session's query text and names
                str(q.pid),
                Text(q.usename),
                Text(q.application_name) + own,
                Text(q.state),
                duration(q.duration_s),
                Text(f"{q.wait_event_type}:{q.wait_event}" if q.wait_event else ""),
                Text(" ".join(q.query.split())[:120]),
                key=str(q.pid),
            )
        if activity.queries:
            table.move_cursor(row=min(keep, len(activity.queries) - 1))
        box = self.query_one("#activity-queries-box")
        box.border_subtitle = str(len(activity.queries))
        box.set_class(not activity.queries, "-empty")
        self._show_builds(activity.builds)
        self.query_one("#activity-status", Label).update(
            Text(f"refreshing every {REFRESH_S:g} s · k cancels a pgvtui query", style="dim")
        )

    def _show_builds(self, builds: tuple[IndexBuild, ...]) -> None:
        box = self.query_one("#activity-builds", VerticalScroll)
        self.query_one("#no-builds", Static).display = not builds
        wanted = {b.pid for b in builds}
        for pid in [p for p in self._builds if p not in wanted]:
            self._builds.pop(pid)[0].remove()
        for b in builds:
            if b.pid not in self._builds:
                label, bar = Static(), ProgressBar(show_eta=False)
                item = Vertical(label, bar, classes="build")
                self._builds[b.pid] = (item, label, bar)
                box.mount(item)
            _item, label, bar = self._builds[b.pid]
            label.update(build_line(b))
            prog = b.progress
            if prog:
                bar.update(total=max(prog[1], 1), progress=prog[0])
            else:
                bar.update(total=None)

    def _selected_query(self) -> VectorQuery | None:
        row = self.query_one("#activity-queries", DataTable).cursor_row
        return self._queries[row] if row < len(self._queries) else None

    def action_copy_query(self) -> None:
        q = self._selected_query()
        if q is not None:
            self.papp.copy_text(q.query, "Query")

    def action_cancel_query(self) -> None:
        q = self._selected_query()
        if q is None:
            self.notify("no query selected", severity="warning")
            return
        if not q.is_own:
            self.notify(
                f"pid {q.pid} is not pgvtui's own; pgvtui only cancels its own queries",
                severity="warning",
            )
            return
        self.cancel_backend(q.pid)

    @work(exclusive=True, exit_on_error=False, group="activity-cancel")
    async def cancel_backend(self, pid: int) -> None:
        ok = await self.papp.backend.cancel_backend(pid)
        self.post_message(BackendCancelled(pid, ok))

    @on(BackendCancelled)
    def _cancelled(self, event: BackendCancelled) -> None:
        self.notify(
            f"cancel sent to {event.pid}" if event.ok else f"{event.pid} was not running",
            timeout=3,
        )
        self.load()
