"""A DataTable of typed items that sorts (header click or ``s``/``S``) and filters (text)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable

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


class ObjectTable(DataTable[str | Text], Generic[T]):
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

    def on_mount(self) -> None:
        self._headers()

    def _headers(self) -> None:
        self.clear(columns=True)
        for i, c in enumerate(self.cols):
            arrow = (" ▼" if self.sort_reverse else " ▲") if i == self.sort_index else ""
            self.add_column(Text(c.label + arrow, justify=c.justify), key=str(i))  # type: ignore[arg-type]

    def set_items(self, items: Sequence[T]) -> None:
        self.all_items = list(items)
        self._rebuild()

    @property
    def current(self) -> T | None:
        if not self.shown or self.cursor_row < 0 or self.cursor_row >= len(self.shown):
            return None
        return self.shown[self.cursor_row]

    def _rebuild(self) -> None:
        keep = self.current
        col = self.cols[self.sort_index]
        # Each cell is rendered once: the filter reads the same cells the rows show.
        rows = [(item, [c.show(item) for c in self.cols]) for item in self.all_items]
        needle = self.filter_text.strip().lower()
        if needle:
            rows = [r for r in rows if any(needle in _plain(cell).lower() for cell in r[1])]
        rows.sort(key=lambda r: _sort_value(col.sort(r[0])), reverse=self.sort_reverse)
        items = [item for item, _cells in rows]
        self.shown = items
        self._headers()
        for item, cells in rows:
            self.add_row(
                *(
                    Text(x, justify=c.justify) if isinstance(x, str) else x  # type: ignore[arg-type]
                    for x, c in zip(cells, self.cols, strict=True)
                ),
                key=self.key_of(item),
            )
        if keep is not None and keep in items:
            self.move_cursor(row=items.index(keep))
        self.post_message(self.Highlighted(self, self.current))

    def watch_filter_text(self) -> None:
        if self.is_mounted:
            self._rebuild()

    def sort_by(self, index: int) -> None:
        if index == self.sort_index:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_index, self.sort_reverse = index, False
        self._rebuild()

    def action_next_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(self.cols)
        self.sort_reverse = False
        self._rebuild()

    def action_reverse_sort(self) -> None:
        self.sort_by(self.sort_index)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(event.column_index)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.Highlighted(self, self.current))
