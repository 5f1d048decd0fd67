"""A modal list of the bundled example queries (one per rule, against the demo schema)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pgvtui.ui.app_types import SearchRequest


def load() -> list[SearchRequest]:
    """The examples as search requests (empty when the bundle is missing)."""
    try:
        from pgvtui.core.examples import load_examples
    except ImportError:  # pragma: no cover - the bundle ships with the core
        return []
    return [
        SearchRequest(
            sql=e.sql,
            settings=tuple(sorted(e.settings.items())),
            title=e.title + (f" — expect {', '.join(e.expect)}" if e.expect else ""),
        )
        for e in load_examples()
    ]


class ExamplePicker(ModalScreen[SearchRequest | None]):
    """Pick an example; Enter loads it into the Search screen, Esc closes.

    Bindings:
        escape: close without choosing.
    """

    DEFAULT_CSS = """
    ExamplePicker { align: center middle; }
    ExamplePicker > Vertical {
        width: 90%; max-width: 110; height: 80%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ExamplePicker OptionList { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "dismiss_none", "Close")]

    def __init__(self) -> None:
        super().__init__()
        self.examples = load()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                Text("Example queries against the demo schema (pgvtui demo)", style="bold")
            )
            options = []
            for i, ex in enumerate(self.examples, start=1):
                label = Text(f"{i:>2}. ", style="dim")
                label.append(ex.title)
                options.append(Option(label, id=str(i - 1)))
            yield OptionList(*options, id="example-list")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.examples[int(event.option.id or 0)])

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
