"""A one-line table cell of plain text that renders as one segment.

A :class:`rich.text.Text` cell goes through Rich's text layout (wrap, divide, justify) on every
render; a DataTable renders every visible cell again after each change, so on a big table a
filter keystroke spent most of its time there. This cell knows it is one line of plain text:
it measures as its width and renders as that text cropped or padded to the width it is given.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.segment import Segment


class PlainCell:
    """``text`` (no line breaks, no markup) justified ``left``, ``right`` or ``center``."""

    __slots__ = ("justify", "plain", "width")

    def __init__(self, text: str, justify: str = "left") -> None:
        self.plain = text.replace("\n", " ")
        self.justify = justify
        self.width = cell_len(self.plain)

    def __str__(self) -> str:
        return self.plain

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.width, self.width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        room = options.max_width
        text, width = self.plain, self.width
        if width > room:
            text, width = set_cell_size(text, room), room
        gap = room - width
        if gap and self.justify == "right":
            text = " " * gap + text
        elif gap and self.justify == "center":
            text = " " * (gap // 2) + text + " " * (gap - gap // 2)
        elif gap:
            text += " " * gap
        yield Segment(text)
