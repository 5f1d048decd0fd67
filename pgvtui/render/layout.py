"""Tables that fit any width without losing a name or a digit.

Every column has a kind: ``name`` (object names, types, options: never shrinks below its
content), ``number`` (right-aligned, never cut) or ``text`` (prose such as an index expression
or a note: may fold onto more lines, down to a small minimum). When the names and numbers plus
the text columns' minimums do not fit the console width, the rows are printed as records, like
psql's expanded display (``\\x``)::

    -[ RECORD 1 ]---------------------------
    index | public.articles_embedding_idx
    size  | 22.3 MB

Record lines are printed whole (no wrapping); a value with several lines continues under ``|``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rich import box as rich_box
from rich.console import Console
from rich.table import Table
from rich.text import Text

Kind = Literal["name", "number", "text"]
Cell = str | Text

TEXT_MIN_WIDTH = 16  # a folding column keeps at least this many cells (or its content's width)


@dataclass(frozen=True)
class Col:
    header: str
    kind: Kind = "name"


@dataclass(frozen=True)
class TableData:
    """One report table, for the text layout here and for Markdown (render/markdown_tables)."""

    title: str | None
    cols: Sequence[Col]
    rows: Sequence[Sequence[Cell]]


def cell_width(cell: Cell) -> int:
    text = cell if isinstance(cell, Text) else Text(cell)
    return max((line.cell_len for line in text.split("\n")), default=0)


def _header_width(header: str, *, split: bool) -> int:
    return max((len(w) for w in header.split()), default=0) if split else len(header)


def column_widths(
    cols: Sequence[Col], rows: Sequence[Sequence[Cell]], available: int
) -> list[int] | None:
    """Content width of each column so that the table fits ``available`` cells (padding and
    borders already subtracted), or ``None`` when it cannot fit without cutting a name or a
    number (then print records). Headers are kept on one line when that fits, else they may
    break between words."""
    for split in (False, True):
        widths = _fit(cols, rows, available, split_headers=split)
        if widths is not None:
            return widths
    return None


def _fit(
    cols: Sequence[Col], rows: Sequence[Sequence[Cell]], available: int, *, split_headers: bool
) -> list[int] | None:
    content = [max([1, *(cell_width(r[i]) for r in rows)]) for i in range(len(cols))]
    full = [
        max(w, _header_width(c.header, split=split_headers))
        for c, w in zip(cols, content, strict=True)
    ]
    least = [
        min(w, max(TEXT_MIN_WIDTH, _header_width(c.header, split=True))) if c.kind == "text" else w
        for c, w in zip(cols, full, strict=True)
    ]
    if sum(least) > available:
        return None
    if sum(full) <= available:
        return full
    # Share what the fixed columns leave among the text columns, in proportion to their
    # content, never below their minimum.
    widths = list(least)
    spare = available - sum(least)
    text_idx = [i for i, c in enumerate(cols) if c.kind == "text"]
    want = {i: full[i] - least[i] for i in text_idx}
    total_want = sum(want.values()) or 1
    for i in text_idx:
        widths[i] += want[i] * spare // total_want
    return widths


def print_table(
    console: Console,
    cols: Sequence[Col],
    rows: Sequence[Sequence[Cell]],
    *,
    title: str | None = None,
    box: rich_box.Box | None = rich_box.SQUARE,
    pad_edge: bool = False,
    show_header: bool = True,
    styles: Sequence[str] = (),
) -> None:
    """``rows`` under ``cols`` as a table when it fits ``console.width``, else as records."""
    ncols = len(cols)
    padding = 2 * ncols - (0 if pad_edge else 2)
    borders = ncols - 1 if box is not None else 0  # no outer edge: "a │ b", as psql
    widths = column_widths(cols, rows, console.width - padding - borders)
    if widths is None:
        print_records(console, cols, rows, title=title)
        return
    t = Table(
        title=title,
        title_justify="left",
        box=box,
        pad_edge=pad_edge,
        show_header=show_header,
        show_edge=False,
    )
    for i, (c, w) in enumerate(zip(cols, widths, strict=True)):
        t.add_column(
            Text(c.header, no_wrap=False, overflow="fold"),  # a header may break between words
            justify="right" if c.kind == "number" else "left",
            width=w,
            no_wrap=c.kind != "text",
            overflow="fold",
            style=styles[i] if i < len(styles) else None,
        )
    for r in rows:
        t.add_row(*r)
    console.print(t)


def print_data(console: Console, data: TableData, **options: Any) -> None:
    print_table(console, data.cols, data.rows, title=data.title, **options)


def print_records(
    console: Console,
    cols: Sequence[Col],
    rows: Sequence[Sequence[Cell]],
    *,
    title: str | None = None,
) -> None:
    """psql's expanded display: one ``-[ RECORD n ]`` block per row, ``label | value`` lines."""
    if title:
        console.print(Text(title, style="italic"), soft_wrap=True)
    label_w = max((len(c.header) for c in cols), default=0)
    value_w = max((cell_width(v) for r in rows for v in r), default=0)
    for n, r in enumerate(rows, 1):
        head = f"-[ RECORD {n} ]"
        rule = max(0, min(console.width, label_w + 3 + value_w) - len(head))
        console.print(Text(head + "-" * rule), soft_wrap=True)
        for c, v in zip(cols, r, strict=True):
            value = v if isinstance(v, Text) else Text(v)
            for k, line in enumerate(value.split("\n") or [Text("")]):
                label = c.header if k == 0 else ""
                out = Text(f"{label:<{label_w}} |")
                if line.plain:
                    out.append(" ")
                    out.append_text(line)
                console.print(out, soft_wrap=True)
    if not rows and title:
        console.print(Text("(none)"), soft_wrap=True)


def print_indented(console: Console, text: Text | str, indent: int = 2, hang: int = 0) -> None:
    """Prose wrapped to the console width, ``indent`` cells in (lines after the first
    ``hang`` more: a bullet's text lines up), with no padding after the text (rich's Padding
    pads each line to the full width)."""
    body = text if isinstance(text, Text) else Text(text)
    lines = body.wrap(console, max(20, console.width - indent - hang))
    for n, line in enumerate(lines):
        line.rstrip()
        console.print(Text(" " * (indent + (hang if n else 0))) + line, soft_wrap=True)
