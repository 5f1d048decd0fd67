"""F4 on Search: search the query history. Typing filters (newest first); Enter loads the
highlighted query into the editor; Esc closes."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from pgvtui.ui.history import QueryHistory


def _one_line(sql: str, width: int = 200) -> Text:
    flat = " ".join(sql.split())
    return Text(flat if len(flat) <= width else flat[: width - 1] + "…")


class HistoryPicker(ModalScreen[str | None]):
    """Pick a query from the history.

    Bindings:
        escape: close.  down / up: move between the filter and the list.
    """

    DEFAULT_CSS = """
    HistoryPicker { align: center middle; }
    HistoryPicker > Vertical {
        width: 95%; max-width: 140; height: 80%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    HistoryPicker OptionList { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "dismiss_none", "Close")]

    def __init__(self, history: QueryHistory) -> None:
        super().__init__()
        self.history = history
        self.shown: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical() as v:
            v.border_title = "Query history (type to search, Enter loads, Esc closes)"
            yield Input(placeholder="search the history", id="history-filter")
            yield OptionList(id="history-list")

    def on_mount(self) -> None:
        self._fill("")

    def _fill(self, text: str) -> None:
        self.shown = self.history.search(text)
        options = self.query_one(OptionList)
        options.clear_options()
        if not self.shown:
            options.add_option(Option(Text("no query in the history matches", style="dim")))
            return
        options.add_options(Option(_one_line(sql), id=str(i)) for i, sql in enumerate(self.shown))
        options.highlighted = 0

    @on(Input.Changed, "#history-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#history-filter")
    def _submitted(self) -> None:
        options = self.query_one(OptionList)
        if self.shown and options.highlighted is not None:
            self.dismiss(self.shown[options.highlighted])

    def on_key(self, event: events.Key) -> None:
        key = event.key
        field = self.query_one(Input)
        options = self.query_one(OptionList)
        if key == "down" and field.has_focus:
            options.focus()
        elif key == "up" and options.has_focus and options.highlighted in (0, None):
            field.focus()

    @on(OptionList.OptionSelected, "#history-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(self.shown[int(event.option.id)])

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
