"""Horizontal bars: bytes against memory limits (shared_buffers, effective_cache_size, RAM)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from pgvtui.render.fmt import human_bytes


@dataclass(frozen=True)
class FitRow:
    """One bar: ``used`` bytes against ``capacity`` bytes."""

    label: str
    used: int | None
    capacity: int | None
    note: str = ""


def bar(used: int | None, capacity: int | None, width: int = 30) -> Text:
    """A bar filled to used/capacity (capped at the width), coloured by how full it is."""
    if not used or not capacity:
        return Text("·" * width, style="dim")
    frac = used / capacity
    filled = max(1, min(width, round(frac * width)))
    style = "green" if frac < 0.5 else "yellow" if frac < 1.0 else "bold red"
    text = Text("█" * filled, style=style)
    text.append("░" * (width - filled), style="dim")
    return text


def ratio(used: int | None, capacity: int | None) -> str:
    if not used or not capacity:
        return "—"
    return f"{100 * used / capacity:.0f} %"


class FitBars(Static):
    """A table of bars, one per :class:`FitRow`.

    Reactives:
        rows: the bars to draw.
        bar_width: width of each bar in cells.
    """

    DEFAULT_CSS = """
    FitBars { height: auto; }
    """

    rows: reactive[tuple[FitRow, ...]] = reactive((), layout=True)
    """The bars to draw."""
    bar_width: reactive[int] = reactive(30)
    """Cells per bar."""

    def set_rows(self, rows: Sequence[FitRow]) -> None:
        self.rows = tuple(rows)

    def watch_rows(self) -> None:
        self._draw()

    def watch_bar_width(self) -> None:
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _width(self) -> int:
        """The bar width that fits: the other columns take ~50 cells (capped at bar_width)."""
        label = max((len(r.label) for r in self.rows), default=0)
        room = self.content_size.width - label - 48
        return max(8, min(self.bar_width, room)) if self.content_size.width else self.bar_width

    def _draw(self) -> None:
        if not self.rows:
            self.update(Text("no data", style="dim"))
            return
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        table.add_column(no_wrap=True, style="dim")
        for r in self.rows:
            table.add_row(
                r.label,
                bar(r.used, r.capacity, self._width()),
                ratio(r.used, r.capacity),
                f"{human_bytes(r.used)} / {human_bytes(r.capacity)}",
                r.note,
            )
        self.update(table)
