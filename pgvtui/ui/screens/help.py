"""``?``: every key binding, by screen, read from the classes themselves (never out of date)."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pgvtui.ui.screens.base import PgvScreen
from pgvtui.ui.screens.registry import SCREENS
from pgvtui.ui.widgets.findings_list import FindingsList
from pgvtui.ui.widgets.object_table import ObjectTable

KEY_NAMES = {"question_mark": "?", "slash": "/"}

# The screens whose tables are ObjectTables (sortable) and that show a FindingsList; a test
# checks these against the composed screens.
SORTABLE_TABLES_ON = ("Inventory", "Residency", "Recall")
FINDINGS_LISTS_ON = ("Overview", "Search", "Workload")


def _bindings(bindings: list[BindingType]) -> list[tuple[str, str]]:
    out = []
    for b in bindings:
        if isinstance(b, Binding):
            key = b.key_display or b.key
            out.append((KEY_NAMES.get(key, key), b.tooltip or b.description or b.action))
        elif isinstance(b, tuple) and len(b) >= 2:
            key = str(b[0])
            out.append((KEY_NAMES.get(key, key), str(b[2] if len(b) > 2 else b[1])))
    return out


def help_sections(app: type[App[Any]] | App[Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section title, [(key, description)]) for every key pgvtui binds; ``app`` gives the
    App-wide bindings (the help screen passes the app it runs in)."""
    everywhere = _bindings(list(app.BINDINGS)) + _bindings(PgvScreen.BINDINGS)
    everywhere.append((app.COMMAND_PALETTE_BINDING, "Palette: screens, actions, themes"))
    sections = [("Everywhere", everywhere)]
    for entry in SCREENS:
        # Only the screen's own bindings: the inherited ones are under "Everywhere".
        cls = entry.cls
        sections.append((f"{entry.label} screen", _bindings(vars(cls).get("BINDINGS", []))))
    sections.append(
        (
            f"Tables on {', '.join(SORTABLE_TABLES_ON)}",
            [
                *_bindings(ObjectTable.BINDINGS),
                ("click", "On a header: sort by it (again: reverse)"),
            ],
        )
    )
    sections.append(
        (f"Findings lists on {', '.join(FINDINGS_LISTS_ON)}", _bindings(FindingsList.BINDINGS))
    )
    return [(title, rows) for title, rows in sections if rows]


def _section(title: str, rows: list[tuple[str, str]], last: bool = False) -> RenderableType:
    t = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    t.add_column(style="bold cyan", no_wrap=True, min_width=7)
    t.add_column()
    for key, desc in rows:
        t.add_row(key, desc)
    # a blank line between sections; none after a column's last one
    return Group(Text(title, style="bold underline"), t, *([] if last else [Text("")]))


def help_table(app: type[App[Any]] | App[Any], columns: int = 2) -> Table:
    """The sections in ``columns`` balanced columns: three from 150 columns, two from 100 (so
    that all of them fit on a 160×48 terminal), one below (where more would wrap every
    description)."""
    sections = help_sections(app)
    total = sum(len(rows) + 2 for _, rows in sections)
    cols: list[list[RenderableType]] = [[] for _ in range(columns)]
    used = 0
    for title, rows in sections:
        cols[min(columns - 1, int(used * columns / total))].append(_section(title, rows))
        used += len(rows) + 2
    grid = Table.grid(padding=(0, 3), expand=True)
    for _ in range(columns):
        grid.add_column(ratio=1)
    grid.add_row(*(Group(*c) for c in cols))
    return grid


def help_columns(width: int) -> int:
    return 1 if width < 100 else 2 if width < 150 else 3


class HelpScreen(ModalScreen[None]):
    """All key bindings. Esc, q or ? closes.

    Bindings:
        escape / q / ?: close.
    """

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 110; max-width: 95%; height: auto; max-height: 95%;
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
            yield Static(help_table(self.app, help_columns(self.app.size.width)))
            yield Static(
                Text(
                    "Number keys switch screens when no text field has the focus (Tab / Esc leave "
                    "a field); q quits there too. z zooms the focused pane (Esc or z again: back). "
                    "Copies go to the terminal (OSC 52), tmux's buffer and wl-copy / xclip / "
                    "xsel / pbcopy when there; F7 copies the plan as EXPLAIN text.",
                    style="dim",
                )
            )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
