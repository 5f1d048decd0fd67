"""F8 / F9: where to write the export. The field holds a default (``./pgvtui-search-N.md``);
Enter writes there, Esc cancels. A directory gets the default file name inside it; an existing
file is never overwritten."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label

from pgvtui.ui.backend import SearchOutcome
from pgvtui.ui.export import export_name, export_to_answer, next_export_number


class ExportPathScreen(ModalScreen[str | None]):
    """Ask for the export's path.

    Bindings:
        escape: cancel.
    """

    DEFAULT_CSS = """
    ExportPathScreen { align: center middle; }
    ExportPathScreen > Vertical {
        width: 90%; max-width: 100; height: auto; border: thick $primary;
        background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, what: str, default: str) -> None:
        super().__init__()
        self.what = what
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical() as v:
            v.border_title = f"Export {self.what}"
            yield Label(Text("Write to (Enter writes, Esc cancels):"))
            yield Input(self.default, id="export-path")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_and_export(
    screen: Screen[Any],
    outcome: SearchOutcome,
    fmt: str,
    directory: Path,
    numbers: dict[int, int],
    database: str,
) -> None:
    """Ask for the path (default ``directory/pgvtui-search-N.<fmt>``; ``numbers`` remembers
    each run's N so that its md and json exports share it), then write and say where."""
    n = numbers.get(id(outcome))
    if n is None or (directory / export_name(n, fmt)).exists():
        n = next_export_number(directory)
    default = directory / export_name(n, fmt)

    def chosen(answer: str | None) -> None:
        if not answer:
            return
        try:
            path = export_to_answer(outcome, fmt, answer, default.name, database)
        except FileExistsError as exc:
            screen.notify(f"{exc.filename} exists; choose another name", severity="warning")
            return
        except OSError as exc:
            screen.notify(str(exc), title="Export failed", severity="error")
            return
        numbers[id(outcome)] = n
        screen.notify(f"wrote {path}", title="Exported", timeout=6)

    what = "JSON" if fmt == "json" else "Markdown"
    screen.app.push_screen(ExportPathScreen(what, str(default)), chosen)
