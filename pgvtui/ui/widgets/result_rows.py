"""The Search screen's Rows pane: the first result rows of the last run (cells already cut to a
display length by the search adapter), y copies the cell under the cursor."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable


class ResultRows(DataTable[Text]):
    """Bindings:
    y: copy the cell under the cursor (posts :class:`ResultRows.CopyRequested`)."""

    BINDINGS = [Binding("y", "copy_cell", "Copy cell")]

    class CopyRequested(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, zebra_stripes=True, fixed_columns=1)

    def show(self, columns: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> None:
        self.clear(columns=True)
        if columns:
            # Text, not str: a DataTable reads str cells and labels as markup
            self.add_columns(*(Text(c) for c in columns))
            self.add_rows([Text(v) for v in row] for row in rows)
        self.border_subtitle = f"{len(rows)}" if columns else ""
        self.scroll_to(0, 0, animate=False)  # each run starts at the left

    def action_copy_cell(self) -> None:
        if not self.row_count:
            self.notify("no rows to copy from", severity="warning")
            return
        self.post_message(self.CopyRequested(str(self.get_cell_at(self.cursor_coordinate))))
