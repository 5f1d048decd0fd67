"""A one-line table cell of plain text that renders as one segment.

A :class:`rich.text.Text` cell goes through Rich's text layout (wrap, divide, justify) on every
render; a DataTable renders every visible cell again after each change, so on a big table a
filter keystroke spent most of its time there. This cell knows it is one line of plain text:
it measures as its width and renders as that text cropped or padded to the width it is given.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable


class PlainCell:
    """``text`` (no line breaks, no markup) justified ``left``, ``right`` or ``center``, in one
    ``style`` (none: the table's)."""

    __slots__ = ("justify", "plain", "style", "width")

    def __init__(self, text: str, justify: str = "left", style: Style | None = None) -> None:
        self.plain = text.replace("\n", " ")
        self.justify = justify
        self.style = style
        self.width = cell_len(self.plain)

    @classmethod
    def of(cls, cell: str | Text, justify: str) -> PlainCell | Text:
        """``cell`` as a PlainCell when it is one: a string, or a Text of one line in one
        style (a flag, a yes/NO); any other Text stays as it is."""
        if isinstance(cell, str):
            return cls(cell, justify)
        if cell.spans or "\n" in cell.plain:
            return cell
        style = cell.style if isinstance(cell.style, Style) else Style.parse(cell.style or "")
        return cls(cell.plain, justify, style or None)

    def __str__(self) -> str:
        return self.plain

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.width, self.width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        yield Segment(self.fit(options.max_width), self.style)

    def fit(self, room: int) -> str:
        """The text cropped or padded (as justified) to exactly ``room`` cells."""
        text, width = self.plain, self.width
        if width > room:
            text, width = set_cell_size(text, room), room
        gap = room - width
        if gap and self.justify == "right":
            return " " * gap + text
        if gap and self.justify == "center":
            return " " * (gap // 2) + text + " " * (gap - gap // 2)
        return text + " " * gap


# The DataTable renders every cell through Rich (Styled(Padding(cell)) and render_lines), again
# for every visible cell after each change: most of a filter keystroke's time on a big table.
# A PlainCell needs none of it: the same segment, the same styles (the cell's row/column meta
# for clicks, the row's base style + the component style, then the cursor/hover post style),
# written directly. This leans on two private DataTable methods, so it is used only when their
# signatures are the ones it was written against (else the DataTable renders the cell itself).
_RENDER_CELL = ["self", "row_index", "column_index", "base_style", "width", "cursor", "hover"]
_STYLES = [
    "self",
    "is_header_cell",
    "is_row_label_cell",
    "is_fixed_style_cell",
    "hover",
    "cursor",
    "show_cursor",
    "show_hover_cursor",
    "has_css_foreground_priority",
    "has_css_background_priority",
]


def _fast_path_fits() -> bool:
    render = getattr(DataTable, "_render_cell", None)
    styles = getattr(DataTable, "_get_styles_to_render_cell", None)
    if render is None or styles is None:  # pragma: no cover - another Textual
        return False
    wrapped = getattr(styles, "__wrapped__", styles)  # (an lru_cache)
    return (
        list(inspect.signature(render).parameters) == _RENDER_CELL
        and list(inspect.signature(wrapped).parameters) == _STYLES
    )


FAST_PATH = _fast_path_fits()


def render_plain_cell(
    table: DataTable[Any],
    row_index: int,
    column_index: int,
    base_style: Style,
    width: int,
    cursor: bool,
    hover: bool,
) -> list[list[Segment]] | None:
    """The lines of a body cell holding a :class:`PlainCell` (None: anything else)."""
    if not FAST_PATH or row_index < 0 or column_index < 0:
        return None
    row_key = table._row_locations.get_key(row_index)
    column_key = table._column_locations.get_key(column_index)
    if row_key is None or column_key is None:
        return None
    row = table.rows.get(row_key)
    cell = table._data.get(row_key, {}).get(column_key)
    if not isinstance(cell, PlainCell) or row is None or row.height != 1:
        return None
    fixed = row_index < table.fixed_rows or column_index < table.fixed_columns
    component, post = table._get_styles_to_render_cell(
        False,
        False,
        fixed,
        hover,
        cursor,
        table.show_cursor,
        table._show_hover_cursor,
        table.cursor_foreground_priority == "css",
        table.cursor_background_priority == "css",
    )
    style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component
    pad = table.cell_padding
    text = cell.fit(max(0, width - 2 * pad))
    if cell.style is None:
        line = set_cell_size(" " * pad + text + " " * pad, width)
        return [[Segment(line, style + post)]]
    around = style + post
    return [
        [
            Segment(" " * pad, around),
            Segment(text, style + cell.style + post),
            Segment(" " * pad, around),
        ]
    ]
