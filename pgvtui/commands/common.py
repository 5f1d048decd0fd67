"""Shared CLI plumbing: psql-style connection flags, output conventions, error handling."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from pgvtui.core.config import Config, load_config
from pgvtui.core.conninfo import (
    MAX_PASSWORD_PROMPTS,
    ConnOptions,
    can_prompt,
    prompt_password,
    wants_password,
)
from pgvtui.core.session import DEFAULT_STATEMENT_TIMEOUT_MS, Session, SessionOptions, connect
from pgvtui.core.units import parse_duration_ms
from pgvtui.errors import AuthenticationFailed, PgvtuiError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

T = TypeVar("T")


def add_command_parser(
    sub: Any, name: str, *, help: str, description: str, conn: bool = True
) -> argparse.ArgumentParser:
    """A subcommand's parser with the house ``--help`` and (``conn``) the connection options."""
    p: argparse.ArgumentParser = sub.add_parser(
        name, help=help, description=description, add_help=False
    )
    p.add_argument("-?", "--help", action="help", help="show this help and exit")
    if conn:
        add_conn_args(p)
    return p


def add_conn_args(p: argparse.ArgumentParser) -> None:
    """psql-compatible connection options; anything unset falls through to libpq."""
    p.add_argument(
        "conninfo",
        nargs="?",
        metavar="CONNINFO",
        help="URI, key=value string or database name (default: the config file's conninfo, "
        "else libpq's PG* environment)",
    )
    p.add_argument(
        "positional_user",
        nargs="?",
        metavar="USERNAME",
        help="user name, as psql's [DBNAME [USERNAME]] (-U wins)",
    )
    g = p.add_argument_group("connection (as psql)")
    g.add_argument("-h", "--host", help="server host or socket directory")
    g.add_argument("-p", "--port", help="server port")
    g.add_argument("-U", "--username", dest="user", help="user name")
    g.add_argument("-d", "--dbname", help="database name")
    pw = g.add_mutually_exclusive_group()
    pw.add_argument("-w", "--no-password", action="store_true", help="never prompt for a password")
    pw.add_argument(
        "-W", "--password", action="store_true", help="prompt for a password before connecting"
    )
    g.add_argument(
        "--statement-timeout",
        type=_duration_ms,
        default=None,
        metavar="DURATION",
        help="statement_timeout for every statement (default: the config file's, else 30s; "
        "e.g. 5s, 2min, 1500ms)",
    )


def add_format_arg(p: argparse.ArgumentParser, choices: tuple[str, ...] = ("text", "json")) -> None:
    p.add_argument(
        "--format",
        choices=choices,
        default=None,
        help="output format (default: the config file's format when this command has it, "
        "else text)",
    )
    p.set_defaults(format_choices=choices)
    p.add_argument(
        "--no-pager",
        action="store_true",
        help="never page text output (default on a terminal: the config's pager, $PAGER or "
        "less -SRX when the output is longer or wider than the screen)",
    )


def apply_config(args: argparse.Namespace, config: Config | None = None) -> Config:
    """Fill what the command line left unset from the config file (docs/config.md): --format,
    --statement-timeout and the default connection. Flags always win."""
    cfg = load_config() if config is None else config
    if "format" in args and args.format is None and hasattr(args, "format_choices"):
        # only commands whose --format comes from add_format_arg; `report` infers its format
        # from the -o suffix when none is given
        args.format = cfg.format if cfg.format in args.format_choices else "text"
    if "statement_timeout" in args and args.statement_timeout is None:
        args.statement_timeout = (
            DEFAULT_STATEMENT_TIMEOUT_MS
            if cfg.statement_timeout_ms is None
            else cfg.statement_timeout_ms
        )
    if "conninfo" in args and args.conninfo is None:
        args.conninfo = cfg.default_conninfo()
    args.config = cfg
    return cfg


def _duration_ms(text: str) -> int:
    try:
        return parse_duration_ms(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def conn_options(args: argparse.Namespace) -> ConnOptions:
    """The connection flags; ``-W`` asks for the password now (a usage error without a
    terminal to ask on)."""
    password = prompt_password() if getattr(args, "password", False) else None
    return ConnOptions(
        conninfo=getattr(args, "conninfo", None),
        host=args.host,
        port=args.port,
        user=args.user or getattr(args, "positional_user", None),
        dbname=args.dbname,
        password=password,
    )


async def open_session(args: argparse.Namespace, *, require_vector: bool = True) -> Session:
    """Connect as psql would: on a password failure with a terminal (and no ``-w``), say so
    and ask for the password again, up to MAX_PASSWORD_PROMPTS times."""
    opts = conn_options(args)
    timeout = args.statement_timeout  # set by apply_config (cli.main); the default otherwise
    options = SessionOptions(
        statement_timeout_ms=DEFAULT_STATEMENT_TIMEOUT_MS if timeout is None else timeout,
        require_vector=require_vector,
    )
    interactive = not getattr(args, "no_password", False)
    conninfo = opts.to_conninfo()
    for attempt in range(MAX_PASSWORD_PROMPTS + 1):
        try:
            session = await connect(conninfo, options, prompt=None)
            break
        except AuthenticationFailed as exc:
            last = attempt == MAX_PASSWORD_PROMPTS
            if last or not interactive or not wants_password(exc.message) or not can_prompt():
                raise
            if "no password supplied" not in exc.message:
                sys.stderr.write(exc.one_line() + "\n")  # a wrong password: say so, ask again
            conninfo = replace(opts, password=prompt_password("the password prompt")).to_conninfo()
    for warning in session.warnings:  # e.g. an old pgvector: features degrade, say why once
        sys.stderr.write(f"Warning: {warning}\n")
    return session


@contextlib.asynccontextmanager
async def session_for(
    args: argparse.Namespace, *, require_vector: bool = True
) -> AsyncIterator[Session]:
    """``open_session`` for the length of an ``async with``; closed however it ends."""
    session = await open_session(args, require_vector=require_vector)
    try:
        yield session
    finally:
        await session.close()


def stderr_console() -> Console:
    return _console(stderr=True)


def _console(*, stderr: bool) -> Console:
    # No markup or emoji codes: what is printed quotes object names, queries and server
    # messages ('[/]' in a table name would raise, ':fire:' would become a picture); styling is
    # always explicit (rich Text). Rich is imported here: a JSON run never needs it.
    from rich.console import Console

    return Console(
        stderr=stderr,
        no_color=bool(os.environ.get("NO_COLOR")) or None,
        highlight=False,
        markup=False,
        emoji=False,
    )


def emit_json(doc: Any) -> None:
    """Exactly one JSON document on stdout."""
    sys.stdout.write(json.dumps(doc, indent=2, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()


def write_text(text: str) -> None:
    """A whole document (Markdown, an SQL script) on stdout, as it is."""
    sys.stdout.write(text)
    sys.stdout.flush()


def run_async(fn: Callable[[], Awaitable[T]]) -> T:
    try:
        return asyncio.run(fn())  # type: ignore[arg-type]
    except KeyboardInterrupt:
        # asyncio cancelled the task; psycopg sent the server a cancel for the running statement
        raise PgvtuiError(
            "stopped by Ctrl-C; the running statement was cancelled", title="Interrupted"
        ) from None


def parse_size(text: str) -> int:
    """'64MB', '1GB', '8kB', '1048576' → bytes (PostgreSQL's units, 1024-based)."""
    from pgvtui.core.sizing import size_value  # lazily: numpy stays off the TUI's start-up path

    value = size_value(text)
    if value is None or not math.isfinite(value):
        raise UsageError(f"not a size: {text!r} (use e.g. 64MB, 8GB)")
    if value < 0:
        raise UsageError(f"a size must not be negative: {text!r}")
    return int(value)
