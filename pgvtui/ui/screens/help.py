"""``?``: every key binding, by screen, read from the classes themselves (never out of date)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def _bindings(bindings: list[BindingType]) -> list[tuple[str, str]]:
    out = []
    for b in bindings:
        if isinstance(b, Binding):
            key = b.key_display or b.key
            key = {"question_mark": "?", "slash": "/"}.get(key, key)
            out.append((key, b.description or b.action))
        elif isinstance(b, tuple) and len(b) >= 2:
            out.append((str(b[0]), str(b[2] if len(b) > 2 else b[1])))
    return out


def help_table() -> Table:
    from pgvtui.ui.app import PgvtuiApp
    from pgvtui.ui.widgets.findings_list import FindingsList
    from pgvtui.ui.widgets.object_table import ObjectTable

    t = Table(box=None, show_header=False, padding=(0, 2), expand=True)
    t.add_column(style="bold cyan", no_wrap=True, width=16)
    t.add_column()
    sections: list[tuple[str, list[BindingType]]] = [("Everywhere", PgvtuiApp.BINDINGS)]
    for name, cls in PgvtuiApp.MODES.items():
        sections.append((f"{name.title()} screen", list(getattr(cls, "BINDINGS", []))))
    sections.append(("Tables", ObjectTable.BINDINGS))
    sections.append(("Findings lists", FindingsList.BINDINGS))
    sections.append(
        ("Command palette", [Binding("ctrl+p", "palette", "screens, actions and themes")])
    )
    for title, bindings in sections:
        rows = _bindings(bindings)
        if not rows:
            continue
        t.add_row(Text(title, style="bold underline"), "")
        for key, desc in rows:
            t.add_row(key, desc)
        t.add_row("", "")
    return t


class HelpScreen(ModalScreen[None]):
    """All key bindings. Esc, q or ? closes.

    Bindings:
        escape / q / ?: close.
    """

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80; max-width: 95%; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("q", "dismiss", "Close", show=False),
        Binding("question_mark", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll() as v:
            v.border_title = "pgvtui — keys"
            yield Static(help_table())
            yield Static(
                Text(
                    "Number keys switch screens when no text field has the focus (Tab / Esc leave "
                    "a field). Copies use OSC 52: your terminal must allow clipboard access.",
                    style="dim",
                )
            )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
