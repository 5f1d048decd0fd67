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
from pgvtui.ui.backend import Backend
from pgvtui.ui.commands import PgvtuiCommands
from pgvtui.ui.messages import Connected, InventoryLoaded, WorkerFailed
from pgvtui.ui.screens.connect import ConnectChoice, ConnectScreen
from pgvtui.ui.screens.help import HelpScreen
from pgvtui.ui.screens.password import PasswordScreen
from pgvtui.ui.screens.registry import SCREENS_BY_KEY, modes

if TYPE_CHECKING:
    from pgvtui.core.databases import DatabaseInfo
    from pgvtui.core.models import Inventory
    from pgvtui.core.residency import ResidencyReport
    from pgvtui.core.rules.base import Finding
    from pgvtui.core.session import SessionOptions

__all__ = ["SCREENS_BY_KEY", "PgvtuiApp", "create_app"]


class PgvtuiApp(App[None]):
    """pgvtui's terminal UI; implements :class:`pgvtui.ui.services.AppServices` for the
    screens."""

    TITLE = "pgvtui"
    CSS_PATH = "app.tcss"
    MODES: ClassVar = modes()
    DEFAULT_MODE = "overview"
    # Screen classes for layout (see app.tcss): 80 columns is "-tiny", 100–129 "-narrow";
    # 24 rows is "-low", 30–39 "-short".
    HORIZONTAL_BREAKPOINTS = [
        (0, "-tiny"),
        (100, "-narrow"),
        (130, "-wide"),
    ]
    VERTICAL_BREAKPOINTS = [(0, "-low"), (30, "-short"), (40, "-tall")]
    COMMANDS = App.COMMANDS | {PgvtuiCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", key_display="?"),
        *(Binding(key, f"goto('{mode}')", label) for key, mode, label in SCREENS_BY_KEY),
        Binding("ctrl+r", "reconnect", "Reconnect"),
        Binding("ctrl+o", "connect", "Connect", tooltip="Connect to another database or server"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        # Not a priority binding: a text field with the focus gets its q.
        Binding("q", "quit", "Quit", show=False),
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
        self.last_copy: list[str] | None = None
        """Where the last copy went besides OSC 52 (None before the first copy; for tests)."""
        self.ever_connected = False
        """Whether a session ever opened (quitting without one exits with status 2)."""

    # -- start-up ---------------------------------------------------------------------
    def on_mount(self) -> None:
        self.sub_title = self.backend.display
        self._apply_config_theme()
        if self.initial_screen != self.DEFAULT_MODE:
            self.switch_mode(self.initial_screen)
        # After the first refresh: the worker's first step imports psycopg (a quarter of a
        # second), which would otherwise hold up the first paint.
        self.call_after_refresh(self.connect_worker)

    def _apply_config_theme(self) -> None:
        """The theme from the config file (docs/config.md), if it names one Textual has."""
        from pgvtui.core.config import ConfigError, load_config

        try:
            theme = load_config().theme
        except ConfigError as exc:
            self.notify(exc.one_line(), severity="warning", timeout=8)
            return
        if theme and theme in self.available_themes:
            self.theme = theme
        elif theme:
            names = ", ".join(sorted(self.available_themes))
            self.notify(f"unknown theme {theme!r} in the config file; one of {names}")

    def action_save_theme(self) -> None:
        """Keep the current theme (chosen in the palette) in the config file."""
        from pgvtui.core.config import save_setting

        try:
            path = save_setting("theme", self.theme)
        except (PgvtuiError, OSError) as exc:
            self.notify(str(exc), title="Theme not saved", severity="error")
            return
        self.notify(f"theme {self.theme!r} saved in {path}", timeout=5)

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
        self.post_message(InventoryLoaded(await self.backend.inventory()))

    @on(Connected)
    def _connected(self, event: Connected) -> None:
        self.connection_state = "connected"
        self.connection_detail = ""
        self.sub_title = event.short
        self.ever_connected = True

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
        if isinstance(error, AuthenticationFailed) and "password" in error.message:
            # Like psql: no password, or a wrong one, asks (again) instead of retrying the same.
            self.connection_state = "failed"
            self.connection_detail = error.one_line()
            if not isinstance(self.screen, PasswordScreen):
                self.push_screen(
                    PasswordScreen(self.backend.short, error.message), self._password_entered
                )
            return
        missing_db = isinstance(error, ConnectionFailed) and error.title == "Database missing"
        if (missing_db or isinstance(error, ExtensionMissing)) and broken:
            # Nothing to show in this database: offer the others instead of an empty UI.
            self.connection_state = "failed"
            self.connection_detail = error.one_line()
            self.action_connect(reason=error.one_line())
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

    def action_reload(self) -> None:
        """Re-read the catalog (command palette)."""
        self.refresh_inventory()

    def action_reconnect(self) -> None:
        self.connection_state = "connecting"
        self.connection_detail = self.backend.display
        self.connect_worker(reconnect=self.backend.session is not None)

    def action_connect(self, reason: str = "") -> None:
        """ctrl+o: another database on this server, or another conninfo."""
        if isinstance(self.screen, ConnectScreen):
            return
        session = self.backend.session
        current = session.basics.database if session is not None else None
        screen = ConnectScreen(self._list_databases, current, reason)
        self.push_screen(screen, self._connect_chosen)

    async def _list_databases(self) -> list[DatabaseInfo]:
        from pgvtui.core.databases import list_databases

        b = self.backend
        if b.session is not None and not b.session.broken:
            return await b.call(lambda s: list_databases(b.conninfo, b.options, s))
        return await list_databases(b.conninfo, b.options)

    def _connect_chosen(self, choice: ConnectChoice | None) -> None:
        if choice is None:
            return
        from pgvtui.core import conninfo as ci
        from pgvtui.core.databases import with_database

        try:
            if choice.dbname is not None:
                target = with_database(self.backend.conninfo, choice.dbname)
            else:
                target = choice.conninfo or ""
                ci.parse(target)  # a typo is a usage error here, not a failed connect
        except PgvtuiError as exc:
            self.notify(exc.message, title=exc.title, severity="error")
            return
        self.backend.conninfo = target
        self.connection_state = "connecting"
        self.connection_detail = self.backend.display
        self.connect_worker(reconnect=True)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def copy_text(self, text: str, what: str) -> None:
        """Copy to every clipboard within reach (OSC 52, tmux, a desktop tool) and say which
        (see :mod:`pgvtui.ui.clipboard`)."""
        self.copy_to_clipboard(text)
        self._copy_worker(text, what)

    @work(group="clipboard", exit_on_error=False)
    async def _copy_worker(self, text: str, what: str) -> None:
        from pgvtui.ui.clipboard import copy_summary, copy_with_tools

        done = await copy_with_tools(text)
        self.notify(copy_summary(what, done), timeout=6 if done else 10)
        self.last_copy = done

    def request_search(self, request: SearchRequest) -> None:
        self.search_request = request
        self.switch_mode("search")

    def show_screen(self, name: str) -> None:
        self.switch_mode(name)

    def action_help_quit(self) -> None:
        """ctrl+c outside a running query: say how to quit (Textual's own message is markup,
        which :meth:`notify` shows as plain text)."""
        self.notify(
            "Press ctrl+q (or q where no text field has the focus) to quit",
            title="Do you want to quit?",
        )

    async def action_quit(self) -> None:
        await self.backend.close()
        # Status 2 (a connection error, as on the CLI) when no session ever opened.
        self.exit(return_code=0 if self.ever_connected else 2)

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
