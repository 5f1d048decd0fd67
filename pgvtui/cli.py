"""Command line entry point: ``pgvtui [CONNINFO] [options]`` opens the TUI; subcommands run
headless. The UI is imported lazily, only for the TUI.

Exit codes: 0 success; 1 ``check`` found something at or above ``--fail-on``; 2 usage,
connection, refused-query or query errors. ``--format json`` writes exactly one JSON document to
stdout; progress, notices and errors go to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from pgvtui import __version__
from pgvtui.commands import COMMANDS, SUMMARIES
from pgvtui.errors import EXIT_ERROR, PgvtuiError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"Usage error: {message}\n")
        raise SystemExit(EXIT_ERROR)


def build_parser(only: str | None = None, *, summaries: bool = False) -> argparse.ArgumentParser:
    """The full parser; ``only`` builds just that subcommand's (imports one command module);
    ``summaries`` lists every subcommand by name and one line only (imports none: ``--help``)."""
    parser = _Parser(
        prog="pgvtui",
        description="pgvector diagnosis for PostgreSQL operators. "
        "Run without a subcommand to open the terminal UI.",
        add_help=False,
    )
    parser.add_argument("-?", "--help", action="help", help="show this help and exit")
    parser.add_argument("-V", "--version", action="version", version=f"pgvtui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    if summaries:
        for name in COMMANDS:
            sub.add_parser(name, help=SUMMARIES[name], add_help=False)
        return parser
    for name in COMMANDS if only is None else (only,):
        mod = importlib.import_module(f"pgvtui.commands.{name}")
        mod.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    for n, arg in enumerate(args_list, 1):
        # Python hands undecodable argv bytes over as lone surrogates; nothing can use them
        if any("\udc80" <= ch <= "\udcff" for ch in arg):
            sys.stderr.write(f"Usage error: argument {n} is not valid UTF-8\n")
            return EXIT_ERROR
    # `pgvtui [CONNINFO] [-h …]` (no subcommand) opens the TUI, like psql opens a prompt.
    if not args_list or (
        args_list[0] not in COMMANDS and args_list[0] not in ("--help", "--version", "-?", "-V")
    ):
        args_list = ["tui", *args_list]
    if args_list[0] == "--version":  # nothing else to load; exits as argparse's action would
        sys.stdout.write(f"pgvtui {__version__}\n")
        raise SystemExit(0)
    # Each command parses with its own parser only: the other commands' imports (numpy,
    # pglast …) would delay it — and the TUI's first screen. `--help` lists them by summary.
    first = args_list[0]
    parser = build_parser(only=first if first in COMMANDS else None, summaries=first == "--help")
    args = parser.parse_args(args_list)
    mod = importlib.import_module(f"pgvtui.commands.{args.command}")
    try:
        from pgvtui.commands.common import apply_config

        apply_config(args)  # the config file fills what the flags left unset
        return int(mod.run(args))
    except PgvtuiError as exc:
        sys.stderr.write(exc.one_line() + "\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        # The last line of defence: a bug must not print a traceback (whose frames may hold a
        # conninfo with a password). Say where it happened — never the exception's text.
        if os.environ.get("PGVTUI_DEBUG"):
            raise
        sys.stderr.write(internal_error_line(exc) + "\n")
        return EXIT_ERROR


def internal_error_line(exc: BaseException) -> str:
    """``Internal error: AssertionError at pgvtui/core/query.py:193 (…)`` — no message text."""
    import traceback  # only on this path: start-up stays lean

    where = ""
    tb = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in tb if "pgvtui" in f.filename.replace("\\", "/")] or tb
    if ours:
        frame = ours[-1]
        path = frame.filename.replace("\\", "/")
        path = path[path.rfind("pgvtui/") :] if "pgvtui/" in path else os.path.basename(path)
        where = f" at {path}:{frame.lineno}"
    return (
        f"Internal error: {type(exc).__name__}{where} "
        "(a bug in pgvtui; set PGVTUI_DEBUG=1 for the traceback and please report it)"
    )
