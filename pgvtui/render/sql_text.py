"""SQL printed so that it can be pasted: whole lines, comments on their own ``--`` lines.

A line of SQL is never wrapped — a wrap inside a string literal or a ``--`` comment changes what
runs. Only a trailing comment is reflowed to the width: when ``code;  -- comment`` is wider
than the screen, the comment moves onto its own lines above the statement, each starting with
``--``. A line that is only a comment stays whole (it may be SQL to uncomment). Comments are
found by PostgreSQL's own scanner (pglast), so ``'--'`` inside a literal is never mistaken for
one. Lines never end in spaces.
"""

from __future__ import annotations

import textwrap

from rich.console import Console
from rich.syntax import Syntax
from rich.text import Text

MIN_COMMENT_WIDTH = 40  # below this, a comment is left long rather than cut into crumbs


def comment_spans(sql: str) -> list[tuple[int, int]] | None:
    """``(start, end)`` character offsets of every ``--`` comment; ``None`` when the text does
    not scan as SQL (then it is printed exactly as it is)."""
    from pglast.parser import ParseError, scan  # lazily: the parser is a C extension

    try:
        tokens = scan(sql)
    except ParseError:
        return None
    return [(t.start, t.end + 1) for t in tokens if t.name == "SQL_COMMENT"]


def sql_lines(sql: str, width: int | None = None) -> list[str]:
    """``sql`` as display lines: code lines as they are (right-stripped); with a ``width``,
    comments reflowed as described in the module doc."""
    lines = [line.rstrip() for line in sql.strip("\n").splitlines()]
    if width is None:
        return lines
    spans = comment_spans("\n".join(lines))
    if spans is None:
        return lines
    out: list[str] = []
    offset = 0
    for line in lines:
        start_of_line, end_of_line = offset, offset + len(line)
        offset = end_of_line + 1
        comment = next(
            (s - start_of_line for s, _ in spans if start_of_line <= s < end_of_line), None
        )
        if comment is None or len(line) <= width or not line[:comment].strip():
            out.append(line)  # code, a short line, or a comment line (it may hold SQL to copy)
            continue
        code = line[:comment].rstrip()
        indent = line[: len(line) - len(line.lstrip())]
        text = line[comment:].removeprefix("--").strip()
        out += _comment_block(text, indent, width)
        if code.strip():
            out.append(code)
    return out


def _comment_block(text: str, indent: str, width: int) -> list[str]:
    prefix = f"{indent}-- "
    room = max(MIN_COMMENT_WIDTH, width - len(prefix))
    parts = textwrap.wrap(text, room, break_long_words=False, break_on_hyphens=False)
    return [f"{prefix}{p}".rstrip() for p in parts] or [f"{indent}--"]


def print_sql(console: Console, sql: str, *, indent: int = 0, highlight: bool = True) -> None:
    """Each line of ``sql`` printed whole (no wrapping, no label, no border), ``indent`` spaces
    in, comments reflowed to the console width."""
    lines = sql_lines(sql, max(MIN_COMMENT_WIDTH, console.width - indent))
    if not lines:
        return
    body = "\n".join(lines)
    text = (
        Syntax(body, "sql", theme="ansi_dark", background_color="default").highlight(body)
        if highlight
        else Text(body)
    )
    text.rstrip()
    pad = " " * indent
    for line in text.split("\n", allow_blank=True):
        out = Text(pad) + line if line.plain else Text("")
        out.rstrip()
        console.print(out, soft_wrap=True, crop=False)
