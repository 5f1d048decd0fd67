"""Where a command's text output goes, and how wide it may be.

On a terminal: the terminal's width, colour (unless ``NO_COLOR``), and a pager when the text is
longer or wider than the screen — the config file's ``pager``, else ``$PAGER``, else
``less -SRX``; ``--no-pager``, ``no_pager = true`` or an empty ``PAGER`` turn it off.

To a file or a pipe: no colour, no pager and no width limit — unless ``COLUMNS`` is set, which
is then the width, as psql does — so tables print at their natural width and nothing is
wrapped to a made-up 80 columns. Either way, no line ends in spaces.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator

from rich.cells import cell_len
from rich.console import Console

from pgvtui.core.config import Config

UNLIMITED = 100_000  # "no limit": wider than any line we print
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
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


DEFAULT_PAGER = "less -SRX"


def pager_command(args: argparse.Namespace | None) -> str | None:
    """The pager for this run, or None when paging is off."""
    if args is not None and getattr(args, "no_pager", False):
        return None
    cfg: Config | None = getattr(args, "config", None)
    if cfg is not None and cfg.no_pager:
        return None
    if cfg is not None and cfg.pager:
        return cfg.pager
    env = os.environ.get("PAGER")
    if env is not None:
        return env.strip() or None  # PAGER="" turns paging off
    return DEFAULT_PAGER


def needs_pager(text: str, width: int) -> bool:
    try:
        height = os.get_terminal_size(sys.stdout.fileno()).lines
    except (OSError, AttributeError, ValueError):
        return False
    if height <= 0:  # a terminal that reports no size (a fresh pty): do not guess
        return False
    lines = text.splitlines()
    return len(lines) >= height or any(cell_len(_ANSI.sub("", line)) > width for line in lines)


def page(text: str, command: str) -> bool:
    """Show ``text`` through ``command``; False when the pager could not be started."""
    try:
        argv = shlex.split(command)
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE)
    except (OSError, ValueError):
        return False
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # ctrl+c belongs to the pager
    try:
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # the user quit before the end
            proc.stdin.write(text.encode("utf-8", errors="replace"))
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.close()
        proc.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
    return True


@contextlib.contextmanager
def text_output(args: argparse.Namespace | None = None) -> Iterator[Console]:
    """A console for one command's text output; written out (cleaned, paged on a terminal when
    long or wide) when the block ends."""
    terminal = stdout_is_terminal()
    color = terminal and not os.environ.get("NO_COLOR")
    buf = io.StringIO()
    width = output_width(terminal)
    console = make_console(buf, width=width, color=color)
    yield console
    text = strip_trailing_space(buf.getvalue())
    command = pager_command(args) if terminal else None
    if command and needs_pager(text, width):
        sys.stdout.flush()
        if page(text, command):
            return
    sys.stdout.write(text)
    sys.stdout.flush()
