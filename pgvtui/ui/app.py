"""The pgvtui App: composes the screens (one mode each, keys 1–7), owns the backend (sessions),
connects in a worker so the first screen paints at once, and is the one error handler.

Build it with :func:`create_app` — the CLI, ``pgvtui demo`` and the tests all do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from pgvtui.core.coverage import Coverage
from pgvtui.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    ConnectionLost,
    ExtensionMissing,
    PgvtuiError,
    ServerTooOld,
)
from pgvtui.ui.app_types import SearchRequest
from pgvtui.ui.backend import Backend, Catalog
from pgvtui.ui.commands import PgvtuiCommands
from pgvtui.ui.messages import Connected, InventoryLoaded, WorkerFailed
from pgvtui.ui.screens.activity import ActivityScreen
from pgvtui.ui.screens.help import HelpScreen
from pgvtui.ui.screens.inventory import InventoryScreen
from pgvtui.ui.screens.overview import OverviewScreen
from pgvtui.ui.screens.password import PasswordScreen
from pgvtui.ui.screens.recall import RecallScreen
from pgvtui.ui.screens.residency import ResidencyScreen
from pgvtui.ui.screens.search import SearchScreen
from pgvtui.ui.screens.workload import WorkloadScreen

if TYPE_CHECKING:
    from pgvtui.core.models import Inventory
    from pgvtui.core.residency import ResidencyReport
    from pgvtui.core.rules.base import Finding
    from pgvtui.core.session import SessionOptions

SCREENS_BY_KEY: tuple[tuple[str, str, str], ...] = (
    ("1", "overview", "Overview"),
    ("2", "inventory", "Inventory"),
    ("3", "search", "Search"),
    ("4", "residency", "Residency"),
    ("5", "activity", "Activity"),
    ("6", "recall", "Recall"),
    ("7", "workload", "Workload"),
)


class PgvtuiApp(App[None]):
    """pgvtui's terminal UI."""

    TITLE = "pgvtui"
    CSS_PATH = "app.tcss"
    MODES: ClassVar = {
        "overview": OverviewScreen,
        "inventory": InventoryScreen,
        "search": SearchScreen,
        "residency": ResidencyScreen,
        "activity": ActivityScreen,
        "recall": RecallScreen,
        "workload": WorkloadScreen,
    }
    DEFAULT_MODE = "overview"
    # Screen classes for layout at 100×30 vs 160×48 (see app.tcss).
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (130, "-wide"),
    ]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (40, "-tall")]
    COMMANDS = App.COMMANDS | {PgvtuiCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"goto('{mode}')", label) for key, mode, label in SCREENS_BY_KEY),
        Binding("ctrl+r", "reconnect", "Reconnect"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    connection_state: reactive[str] = reactive("connecting")
    """connecting | connected | lost | failed."""
    connection_detail: reactive[str] = reactive("")
    """The last connection error (one line), or the redacted target while connecting."""
    inventory: reactive[Inventory | None] = reactive(None, always_update=True)
    """The latest inventory (None until loaded)."""
    catalog_findings: reactive[tuple[Finding, ...]] = reactive((), always_update=True)
    """Catalog-rule findings for the latest inventory."""
    catalog_coverage: Coverage = Coverage()
    """What the role could not see (set before catalog_findings: its watchers read it)."""
    residency: reactive[ResidencyReport | None] = reactive(None, always_update=True)
    """The latest residency report (None until measured or when it cannot be)."""
    search_request: reactive[SearchRequest | None] = reactive(None, always_update=True)
    """The query the Search screen should load next (set by Inventory, Recall, examples)."""
    recall_settings: reactive[dict[str, str] | None] = reactive(None, always_update=True)
    """Settings the Recall screen recommends, applied to the Search controls."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Textual's notify, but plain text by default: messages quote server errors and
        object names, and ``[/]`` in one would be read as markup (and raise)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def __init__(self, backend: Backend, *, initial_screen: str = "overview") -> None:
        super().__init__()
        if initial_screen not in self.MODES:
            raise ValueError(f"unknown screen {initial_screen!r}; one of {', '.join(self.MODES)}")
        self.backend = backend
        self.initial_screen = initial_screen
        self.connection_detail = backend.display

    # -- start-up ---------------------------------------------------------------------
    def on_mount(self) -> None:
        self.sub_title = self.backend.display
        if self.initial_screen != self.DEFAULT_MODE:
            self.switch_mode(self.initial_screen)
        # After the first refresh: the worker's first step imports psycopg (a quarter of a
        # second), which would otherwise hold up the first paint.
        self.call_after_refresh(self.connect_worker)

    @work(exclusive=True, exit_on_error=False, group="connect")
    async def connect_worker(self, reconnect: bool = False) -> None:
        """Open (or re-open) the main session, then load the inventory."""
        await (self.backend.reconnect() if reconnect else self.backend.connect())
        self.post_message(Connected(self.backend.short))
        await self._load_inventory()

    @work(exclusive=True, exit_on_error=False, group="inventory")
    async def refresh_inventory(self) -> None:
        await self._load_inventory()

    async def _load_inventory(self) -> None:
        def loaded(inv: Inventory) -> None:  # shown before the residency and rules finish
            early = Catalog(inv, self.catalog_findings, self.residency)
            self.post_message(InventoryLoaded(early))

        self.backend.on_inventory = loaded
        self.post_message(InventoryLoaded(await self.backend.inventory()))

    @on(Connected)
    def _connected(self, event: Connected) -> None:
        self.connection_state = "connected"
        self.connection_detail = ""
        self.sub_title = event.short

    @on(InventoryLoaded)
    def _inventory_loaded(self, event: InventoryLoaded) -> None:
        self.catalog_coverage = event.catalog.coverage
        self.catalog_findings = event.catalog.findings
        self.inventory = event.catalog.inventory
        self.residency = event.catalog.residency

    # -- the one error handler --------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.node is self:
            self.post_message(WorkerFailed.of(event.worker))

    @on(WorkerFailed)
    def _worker_failed(self, event: WorkerFailed) -> None:
        self.show_error(event.error)

    def show_error(self, error: PgvtuiError) -> None:
        """Banner for connection problems, a notification for everything else."""
        broken = self.backend.session is None or self.backend.session.broken
        if isinstance(error, ConnectionLost) or (
            self.connection_state == "connected" and self.backend.session is not None and broken
        ):
            self.connection_state = "lost"
            self.connection_detail = error.message
            self.notify(error.message, title="Connection lost", severity="error")
            return
        if isinstance(error, AuthenticationFailed) and "no password supplied" in error.message:
            self.connection_state = "failed"
            self.connection_detail = error.one_line()
            self.push_screen(PasswordScreen(self.backend.short), self._password_entered)
            return
        if isinstance(error, ConnectionFailed | ExtensionMissing | ServerTooOld) and broken:
            self.connection_state = "failed"
            self.connection_detail = error.one_line()
            return
        text = error.message + (f" ({error.hint})" if error.hint else "")
        self.notify(text, title=error.title, severity="error", timeout=8)

    def _password_entered(self, password: str | None) -> None:
        if password:
            self.backend.set_password(password)
            self.action_reconnect()

    # -- actions ----------------------------------------------------------------------
    def action_goto(self, mode: str) -> None:
        self.switch_mode(mode)

    def run_screen_action(self, mode: str, action: str) -> None:
        """Switch to ``mode`` and run one of its screen's actions (command palette)."""
        self.switch_mode(mode)
        self.call_after_refresh(self.run_action, action, self.screen)

    def action_reconnect(self) -> None:
        self.connection_state = "connecting"
        self.connection_detail = self.backend.display
        self.connect_worker(reconnect=self.backend.session is not None)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def copy_text(self, text: str, what: str) -> None:
        """Copy to the clipboard (OSC 52) and say so."""
        self.copy_to_clipboard(text)
        self.notify(f"{what} copied to the clipboard", timeout=3)

    def request_search(self, request: SearchRequest) -> None:
        self.search_request = request
        self.switch_mode("search")

    async def action_quit(self) -> None:
        await self.backend.close()
        self.exit()

    async def on_unmount(self) -> None:
        """Close the sessions however the app ends (quit, demo shutdown, test teardown)."""
        await self.backend.close()


def create_app(
    conninfo: str,
    session_options: SessionOptions | None = None,
    *,
    initial_screen: str = "overview",
    backend: Backend | None = None,
) -> PgvtuiApp:
    """The app the CLI, ``pgvtui demo`` and the tests run. ``backend`` replaces the live
    database backend (tests feed recorded data through it)."""
    if backend is None:
        backend = Backend(conninfo)
        if session_options is not None:
            backend.options = session_options
    return PgvtuiApp(backend, initial_screen=initial_screen)
