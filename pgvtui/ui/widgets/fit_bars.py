"""Horizontal bars: bytes against memory limits (shared_buffers, effective_cache_size, RAM)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from pgvtui.render.fmt import human_bytes
from pgvtui.ui.widgets.plain_table import PlainTable


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
    """

    DEFAULT_CSS = """
    FitBars { height: auto; }
    """

    BAR_WIDTH = 30
    """Cells per bar at most."""

    rows: reactive[tuple[FitRow, ...]] = reactive((), layout=True)
    """The bars to draw."""

    def set_rows(self, rows: Sequence[FitRow]) -> None:
        self.rows = tuple(rows)

    def watch_rows(self) -> None:
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _width(self) -> int:
        """The bar width that fits: the other columns take ~50 cells (capped at BAR_WIDTH)."""
        label = max((len(r.label) for r in self.rows), default=0)
        room = self.content_size.width - label - 48
        return max(8, min(self.BAR_WIDTH, room)) if self.content_size.width else self.BAR_WIDTH

    def _draw(self) -> None:
        if not self.rows:
            self.update(Text("no data", style="dim"))
            return
        table = PlainTable.grid(padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        table.add_column(no_wrap=True, style="dim")
        width = self._width()
        for r in self.rows:
            table.add_row(
                r.label,
                bar(r.used, r.capacity, width),
                ratio(r.used, r.capacity),
                f"{human_bytes(r.used)} / {human_bytes(r.capacity)}",
                r.note,
            )
        self.update(table)
