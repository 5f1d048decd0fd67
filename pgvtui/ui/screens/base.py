"""The common frame of every screen: header, connection banner, body, footer; failed workers
are forwarded to the App's one error handler."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.screen import Screen
from textual.widgets import Footer, Header
from textual.worker import Worker, WorkerState

from pgvtui.core.models import Inventory
from pgvtui.ui.messages import WorkerFailed
from pgvtui.ui.services import AppServices, services_of
from pgvtui.ui.widgets.banner import ConnectionBanner


class PgvScreen(Screen[None]):
    """Base class: subclasses implement :meth:`compose_body` and may override
    :meth:`on_inventory` (called with the App's inventory now and on every refresh)."""

    SCREEN_TITLE = ""
    BINDINGS = [
        Binding("escape", "leave_input", "Leave field", show=False),
        Binding("z", "zoom", "Zoom", tooltip="Zoom the focused pane (again: back)"),
    ]
    # The keys the footer shows first (it cuts what does not fit at 80 columns).
    FOOTER_FIRST = ("help", "zoom")

    @property
    def papp(self) -> AppServices:
        """The App's services (a screen never imports the App class)."""
        return services_of(self.app)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's active bindings, with ``? Help`` and ``z Zoom`` first (the footer shows
        them in this order and cuts the end on a narrow terminal)."""
        bindings = super().active_bindings
        first = {
            k: v
            for action in self.FOOTER_FIRST
            for k, v in bindings.items()
            if v.binding.action == action
        }
        return first | {k: v for k, v in bindings.items() if k not in first}

    def compose(self) -> ComposeResult:
        yield Header()
        yield ConnectionBanner()
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:  # pragma: no cover - abstract
        yield from ()

    def on_mount(self) -> None:
        self.title = self.SCREEN_TITLE
        self.watch(self.app, "connection_state", self._conn_changed)
        self.watch(self.app, "connection_detail", self._conn_changed)
        self.watch(self.app, "inventory", self._inventory_changed)

    @work(exclusive=True, exit_on_error=False, group="cancel")
    async def send_cancel(self) -> None:
        """Ask the server to cancel the main session's statement, in a worker: the request is a
        round trip on a connection of its own and must not hold up the screen."""
        await self.papp.backend.cancel()

    def _conn_changed(self) -> None:
        banner = self.query_one(ConnectionBanner)
        banner.detail = self.papp.connection_detail
        banner.state = self.papp.connection_state

    def _inventory_changed(self, inventory: Inventory | None) -> None:
        if inventory is not None:
            self.on_inventory(inventory)

    def on_inventory(self, inventory: Inventory) -> None:
        """A new inventory arrived (override)."""

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.post_message(WorkerFailed.of(event.worker))

    def action_zoom(self) -> None:
        """Zoom the focused pane to the full screen, or back (Esc also goes back)."""
        if self.maximized is not None:
            self.minimize()
        elif self.focused is None or not self.maximize(self.focused):
            self.notify("focus a pane first (Tab), then z zooms it", severity="warning")

    def action_leave_input(self) -> None:
        """Esc in a text field: give the focus back to the screen's main widget, so the
        number keys switch screens again."""
        if self.AUTO_FOCUS:
            target = self.query(self.AUTO_FOCUS)
            if target:
                target.first().focus()
                return
        self.set_focus(None)
