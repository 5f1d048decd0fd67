"""F8 / F9: where to write the export. The field holds a default (``./pgvtui-search-N.md``);
Enter writes there, Esc cancels. A directory gets the default file name inside it; an existing
file is never overwritten."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


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
