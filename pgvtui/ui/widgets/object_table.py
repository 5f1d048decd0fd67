"""A DataTable of typed items that sorts (header click or ``s``/``S``) and filters (text)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable

from pgvtui.ui.widgets.plain_cell import PlainCell, render_plain_cell

T = TypeVar("T")


@dataclass(frozen=True)
class Col(Generic[T]):
    """One column: header label, how to show an item, how to sort by it."""

    label: str
    show: Callable[[T], str | Text]
    sort: Callable[[T], Any]
    justify: str = "left"


def _sort_value(v: Any) -> tuple[int, Any]:
    # None sorts last whatever the type.
    return (1, 0) if v is None else (0, v)


def _plain(cell: str | Text) -> str:
    return cell.plain if isinstance(cell, Text) else cell


SYNC_ROWS = 500
"""Up to this many items a table is built, filtered and shown at once (bounded work); a bigger
one renders its cells and filters in a thread and adds its rows in chunks."""
CHUNK_ROWS = 30
"""Rows added to the DataTable at a time, at least (a tall table: one and a half views); the next
ones when the cursor or the view comes within a quarter view (5 rows at least) of the last."""


class _Row(NamedTuple, Generic[T]):
    item: T
    cells: list[str | Text]
    haystack: str  # the cells' text, lower case, for the filter
    keys: list[tuple[int, Any]]  # the sort value per column


class _Selection(Generic[T]):
    """The rows sorted once per sort order, and the rows of the last filter: typing one more
    letter narrows that result (a longer needle matches a subset) and never sorts again (a
    filtered sorted list is sorted)."""

    def __init__(self) -> None:
        self._rows: list[_Row[T]] | None = None
        self._order: tuple[int, bool] | None = None
        self._sorted: list[_Row[T]] = []
        self._last: tuple[str, list[_Row[T]]] = ("", [])

    def select(self, rows: list[_Row[T]], needle: str, column: int, reverse: bool) -> list[_Row[T]]:
        """The rows containing ``needle``, sorted by ``column``'s stored key."""
        if rows is not self._rows or self._order != (column, reverse):
            self._sorted = sorted(rows, key=lambda r: r.keys[column], reverse=reverse)
            self._rows, self._order = rows, (column, reverse)
            self._last = ("", self._sorted)
        if not needle:
            return list(self._sorted)
        previous, found = self._last
        base = found if previous in needle else self._sorted
        picked = [r for r in base if needle in r.haystack]
        self._last = (needle, picked)
        return picked


class _Built(Message):
    def __init__(self, table: ObjectTable[Any], generation: int, rows: list[Any]) -> None:
        super().__init__()
        self.table, self.generation, self.rows = table, generation, rows


class ObjectTable(DataTable[str | Text | PlainCell], Generic[T]):
    """Rows are items of one type; the cursor row's item is :attr:`current`.

    Bindings:
        s: sort by the next column.
        S: reverse the sort order.

    Reactives:
        filter_text: only rows whose cells contain it (case-insensitive) are shown.
    """

    DEFAULT_CSS = """
    ObjectTable { height: 1fr; }
    """

    BINDINGS = [
        Binding("s", "next_sort", "Sort", tooltip="Sort by the next column"),
        Binding("S", "reverse_sort", "Reverse", show=False, tooltip="Reverse the sort order"),
    ]

    filter_text: reactive[str] = reactive("")
    """Case-insensitive substring filter over all cells."""

    class Highlighted(Message):
        """The cursor moved to another item (or the table became empty: item is None)."""

        def __init__(self, table: ObjectTable[Any], item: Any) -> None:
            super().__init__()
            self.table = table
            self.item = item

        @property
        def control(self) -> ObjectTable[Any]:
            return self.table

    def __init__(
        self, columns: Sequence[Col[T]], key: Callable[[T], str], *, id: str | None = None
    ) -> None:
        # fixed_columns: the first (name) column stays in view while the table scrolls sideways
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, fixed_columns=1)
        self.cols = list(columns)
        self.key_of = key
        self.all_items: list[T] = []
        self.shown: list[T] = []
        self.sort_index = 0
        self.sort_reverse = False
        self.rows_built = 0  # rows whose cells were rendered (tests count them)
        self.rows_added = 0  # rows handed to the DataTable
        self.shown_for: str | None = None  # the filter the rows on display were selected by
        self._rows: list[_Row[T]] | None = []
        self._pending: list[_Row[T]] = []
        self._generation = 0
        self._adding = False
        self._header_cols: list[Col[T]] | None = None
        self._selection: _Selection[T] = _Selection()

    def on_mount(self) -> None:
        self._headers()

    def _headers(self) -> None:
        """Empty the table; the columns are made again only when they changed (otherwise their
        widths stay and only the sort arrow moves)."""
        labels = [
            Text(
                c.label + ((" ▼" if self.sort_reverse else " ▲") if i == self.sort_index else ""),
                justify=c.justify,  # type: ignore[arg-type]
            )
            for i, c in enumerate(self.cols)
        ]
        if self._header_cols is self.cols and len(self.columns) == len(labels):
            self.clear()
            for column, label in zip(self.columns.values(), labels, strict=True):
                column.label = label
            return
        self.clear(columns=True)
        self._header_cols = self.cols
        for i, label in enumerate(labels):
            self.add_column(label, key=str(i))

    def set_items(self, items: Sequence[T]) -> None:
        """Show ``items``. Each item's cells are rendered once here (in a thread for a big
        table); filtering and sorting reuse them."""
        self.all_items = list(items)
        self._generation += 1
        cols = list(self.cols)
        if len(self.all_items) <= SYNC_ROWS:
            self._rows = self._build(self.all_items, cols)
            self._apply()
            return
        self._rows = None  # being built
        gen, todo = self._generation, self.all_items
        self.run_worker(
            lambda: self.post_message(_Built(self, gen, self._build(todo, cols))),
            thread=True,
            exclusive=True,
            group=f"object-table-build-{self.id}",
        )

    def _build(self, items: list[T], cols: list[Col[T]]) -> list[_Row[T]]:
        rows = []
        for item in items:
            cells = [c.show(item) for c in cols]
            # The filter reads the same cells the rows show.
            haystack = "\0".join(_plain(x).lower() for x in cells)
            rows.append(_Row(item, cells, haystack, [_sort_value(c.sort(item)) for c in cols]))
        self.rows_built += len(rows)
        return rows

    @on(_Built)
    def _built(self, event: _Built) -> None:
        event.stop()
        if event.generation == self._generation:
            self._rows = event.rows
            # Tens of thousands of long-lived objects (items, cells): keep them out of the
            # cyclic GC's full passes, which would otherwise stall a keystroke now and then.
            gc.freeze()
            self._apply()

    @property
    def current(self) -> T | None:
        if not self.shown or self.cursor_row < 0 or self.cursor_row >= self.rows_added:
            return None
        return self.shown[self.cursor_row]

    def _apply(self) -> None:
        """Filter and sort the built rows and show them. Cheap at any size: the cells' text and
        sort keys were computed by the build; this is a substring test per row (over the last
        result when a letter was added), the rows sorted once per sort order, and only the
        first chunk of rows reaches the DataTable now."""
        rows = self._rows
        if rows is None:
            return  # the build in progress applies the filter when it ends
        self._generation += 1
        needle = self.filter_text.strip().lower()
        self._show(
            self._generation,
            self._selection.select(rows, needle, self.sort_index, self.sort_reverse),
            needle,
        )

    def _show(self, generation: int, rows: list[_Row[T]], needle: str) -> None:
        """Replace the table's rows: the first :data:`CHUNK_ROWS` now, the next ones as the
        cursor or the view nears the last row added (a keystroke never waits for thousands of
        rows, and rows nobody scrolls to are never laid out)."""
        if generation != self._generation:
            return  # a newer filter or sort is on its way
        keep = self.current
        self.shown = [r.item for r in rows]
        self.shown_for = needle
        self._pending = []
        self.rows_added = 0
        self._headers()
        self._pending = rows
        small = len(self.all_items) <= SYNC_ROWS  # a big table's rows always come in chunks
        self._add_chunk(generation, len(rows) if small else self._chunk)
        if keep is not None:
            for i, r in enumerate(rows[: self.rows_added]):
                if r.item is keep:
                    self.move_cursor(row=i)
                    break
        self.post_message(self.Highlighted(self, self.current))

    def _add_chunk(self, generation: int, n: int) -> None:
        if generation != self._generation:
            return
        if self._adding:
            return  # add_row moves the cursor, whose watcher asks for more: not now
        chunk, self._pending = self._pending[:n], self._pending[n:]
        self._adding = True
        try:
            self._add_rows(chunk)
        finally:
            self._adding = False
        self.rows_added += len(chunk)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """A :class:`PlainCell` is written directly (:func:`render_plain_cell`), the rest by
        the DataTable."""
        lines = render_plain_cell(self, row_index, column_index, base_style, width, cursor, hover)
        if lines is not None:
            return lines
        return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)

    def _add_rows(self, chunk: list[_Row[T]]) -> None:
        for r in chunk:
            self.add_row(
                *(PlainCell.of(x, c.justify) for x, c in zip(r.cells, self.cols, strict=True)),
                key=self.key_of(r.item),
            )

    def _more_if_near_end(self) -> None:
        """Add the next chunk when the cursor or the view gets near the last row added."""
        if not self._pending:
            return
        bottom = max(self.cursor_row, round(self.scroll_y) + self.size.height)
        if bottom >= self.rows_added - max(5, self.size.height // 4):
            self._add_chunk(self._generation, self._chunk)

    @property
    def _chunk(self) -> int:
        return max(CHUNK_ROWS, self.size.height * 3 // 2)

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        self._more_if_near_end()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._more_if_near_end()

    @property
    def complete(self) -> bool:
        """All rows of the current filter are in the table (scrolled to, or few enough)."""
        return self._rows is not None and not self._pending and self.rows_added == len(self.shown)

    def watch_filter_text(self) -> None:
        if self.is_mounted:
            self._apply()

    def sort_by(self, index: int) -> None:
        if index == self.sort_index:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_index, self.sort_reverse = index, False
        self._apply()

    def action_next_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(self.cols)
        self.sort_reverse = False
        self._apply()

    def action_reverse_sort(self) -> None:
        self.sort_by(self.sort_index)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(event.column_index)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.Highlighted(self, self.current))
