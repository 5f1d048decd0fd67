"""pgvtui/render/layout.py: tables that never cut a name or a number, records when too narrow."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from pgvtui.commands.output import make_console, strip_trailing_space
from pgvtui.render.layout import Col, column_widths, print_table

COLS = [Col("index"), Col("size", "number"), Col("where", "text")]
ROWS: list[list[str | Text]] = [
    ["articles_embedding_idx", "22.3 MB", ""],
    ["articles_embedding_index", "5.3 MB", "embedding IS NOT NULL AND category = 'news'"],
]


def _render(width: int) -> str:
    buf = io.StringIO()
    console: Console = make_console(buf, width=width, color=False)
    print_table(console, COLS, ROWS, title="ANN indexes")
    return strip_trailing_space(buf.getvalue())


def test_wide_table_keeps_natural_widths() -> None:
    out = _render(200)
    assert "RECORD" not in out
    lines = out.splitlines()
    assert lines[0] == "ANN indexes"
    assert lines[1].split("│")[0].strip() == "index"
    row = next(line for line in lines if "articles_embedding_index" in line)
    assert "embedding IS NOT NULL AND category = 'news'" in row


def test_text_column_folds_but_names_and_numbers_do_not() -> None:
    widths = column_widths(COLS, ROWS, 24 + 7 + 20)
    assert widths == [24, 7, 20]
    out = _render(24 + 7 + 20 + 6)
    assert "RECORD" not in out
    assert "articles_embedding_index │  5.3 MB │" in out
    assert max(len(line) for line in out.splitlines()) <= 57


def test_too_narrow_prints_records() -> None:
    assert column_widths(COLS, ROWS, 24 + 7 + 15) is None
    out = _render(40)
    assert out.splitlines()[:5] == [
        "ANN indexes",
        "-[ RECORD 1 ]" + "-" * 27,  # to the console width (40)
        "index | articles_embedding_idx",
        "size  | 22.3 MB",
        "where |",
    ]
    assert "index | articles_embedding_index" in out
    assert "where | embedding IS NOT NULL AND category = 'news'" in out  # whole, not wrapped


def test_header_breaks_between_words_before_going_to_records() -> None:
    cols = [Col("name"), Col("outgrows sb at", "number")]
    rows: list[list[str | Text]] = [["x", "21.5k rows"]]
    assert column_widths(cols, rows, 4 + 14) == [4, 14]
    assert column_widths(cols, rows, 4 + 10) == [4, 10]
    assert column_widths(cols, rows, 4 + 9) is None


def test_strip_trailing_space_keeps_colour_codes() -> None:
    assert strip_trailing_space("a  \nb \x1b[0m\n") == "a\nb\x1b[0m\n"
