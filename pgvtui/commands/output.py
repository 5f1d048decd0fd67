"""Where a command's text output goes, and how wide it may be.

On a terminal: the terminal's width, colour (unless ``NO_COLOR``), and a pager when the text is
longer or wider than the screen. To a file or a pipe: no colour and no width limit — unless
``COLUMNS`` is set, which is then the width, as psql does — so tables print at their natural
width and nothing is wrapped to a made-up 80 columns. Either way, no line ends in spaces.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from collections.abc import Iterator

from rich.console import Console

UNLIMITED = 100_000  # "no limit": wider than any line we print
_TRAILING = re.compile(r"[ \t]+((?:\x1b\[[0-9;]*m)*)$", re.MULTILINE)


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def output_width(is_terminal: bool) -> int:
    """The width text output is laid out for (see the module doc)."""
    columns = os.environ.get("COLUMNS", "")
    env = int(columns) if columns.isdigit() and int(columns) > 0 else None
    if is_terminal:
        try:
            return os.get_terminal_size(sys.stdout.fileno()).columns or env or 80
        except (OSError, AttributeError, ValueError):
            return env or 80
    return env or UNLIMITED


def strip_trailing_space(text: str) -> str:
    """Every line without trailing blanks (also before a trailing colour reset)."""
    return _TRAILING.sub(r"\1", text)


def make_console(file: io.StringIO, *, width: int, color: bool) -> Console:
    # No markup or emoji codes: what is printed quotes object names, queries and server
    # messages ('[/]' in a table name would raise, ':fire:' would become a picture); styling is
    # always explicit (rich Text).
    return Console(
        file=file,
        width=width,
        force_terminal=color,
        color_system="auto" if color else None,
        no_color=not color,
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
        soft_wrap=False,
    )


@contextlib.contextmanager
def text_output() -> Iterator[Console]:
    """A console for one command's text output; written out (cleaned) when the block ends."""
    terminal = stdout_is_terminal()
    color = terminal and not os.environ.get("NO_COLOR")
    buf = io.StringIO()
    console = make_console(buf, width=output_width(terminal), color=color)
    yield console
    text = strip_trailing_space(buf.getvalue())
    sys.stdout.write(text)
    sys.stdout.flush()
