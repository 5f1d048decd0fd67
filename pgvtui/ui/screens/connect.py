"""ctrl+o: connect elsewhere — another database on the same server (listed with whether
pgvector is installed in it) or any conninfo / URI. Also opened by the App when the database is
missing or has no pgvector, instead of leaving a UI with nothing to show.

The dialog never sees the conninfo (it may hold a password): it returns a
:class:`ConnectChoice` and the App builds the new conninfo.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from pgvtui.errors import PgvtuiError

if TYPE_CHECKING:  # (psycopg comes with it: loaded when the dialog lists databases)
    from pgvtui.core.databases import DatabaseInfo

    Lister = Callable[[], Awaitable[list[DatabaseInfo]]]


@dataclass(frozen=True)
class ConnectChoice:
    """A database on the same server, or a whole conninfo / URI."""

    dbname: str | None = None
    conninfo: str | None = None


def database_label(db: DatabaseInfo, current: str | None, width: int = 0) -> Text:
    text = Text(f"{db.name:<{width}}  ", style="bold" if db.pgvector_version else "")
    if db.error:
        text.append(db.error, style="red")
    elif db.pgvector_version:
        text.append(f"pgvector {db.pgvector_version}", style="green")
    else:
        text.append("no pgvector", style="dim")
    if db.name == current:
        text.append("  (current)", style="dim")
    return text


class ConnectScreen(ModalScreen[ConnectChoice | None]):
    """Enter on a database switches to it; a conninfo typed below opens that instead.

    Bindings:
        escape: close without switching.
    """

    DEFAULT_CSS = """
    ConnectScreen { align: center middle; }
    ConnectScreen > Vertical {
        width: 90%; max-width: 100; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ConnectScreen #connect-reason { color: $error; }
    ConnectScreen OptionList { height: auto; max-height: 16; }
    ConnectScreen Input { margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "dismiss_none", "Close")]

    def __init__(self, lister: Lister, current_db: str | None, reason: str = "") -> None:
        super().__init__()
        self.lister = lister
        self.current_db = current_db
        self.reason = reason
        self.databases: list[DatabaseInfo] = []

    def compose(self) -> ComposeResult:
        with Vertical() as v:
            v.border_title = "Connect (Esc closes)"
            if self.reason:
                yield Static(Text(self.reason), id="connect-reason")
            yield Static(
                Text("Databases on this server — Enter switches (pgvector first):", style="bold")
            )
            yield OptionList(Option(Text("reading the databases…", style="dim")), id="databases")
            yield Input(
                placeholder="or another conninfo / URI (host=… dbname=…), Enter opens it",
                id="conninfo",
            )
            yield Static(
                Text(
                    "Leave the password out: it is asked for when the server wants one, "
                    "and never shown or saved.",
                    style="dim",
                )
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    @work(exclusive=True, exit_on_error=False)
    async def load(self) -> list[DatabaseInfo]:
        return await self.lister()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        options = self.query_one(OptionList)
        if event.state == WorkerState.SUCCESS:
            found: list[DatabaseInfo] = event.worker.result or []
            # pgvector first, then by name
            self.databases = sorted(found, key=lambda d: (d.pgvector_version is None, d.name))
            options.clear_options()
            width = max((len(d.name) for d in self.databases), default=0)
            options.add_options(
                Option(database_label(d, self.current_db, width), id=d.name) for d in self.databases
            )
            if not self.databases:
                options.add_option(Option(Text("no database to connect to", style="dim")))
            options.highlighted = 0
        elif event.state == WorkerState.ERROR:
            err = event.worker.error
            line = err.one_line() if isinstance(err, PgvtuiError) else type(err).__name__
            options.clear_options()
            options.add_option(Option(Text(f"could not list databases: {line}", style="red")))

    @on(OptionList.OptionSelected, "#databases")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(ConnectChoice(dbname=event.option.id))

    @on(Input.Submitted, "#conninfo")
    def _typed(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(ConnectChoice(conninfo=event.value.strip()))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
