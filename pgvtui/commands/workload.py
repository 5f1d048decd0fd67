"""``pgvtui workload``: the vector searches in pg_stat_statements, heaviest first.

Exit codes: 0 (also when pg_stat_statements is not available: the output says how to enable
it); 2 usage or connection errors.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pgvtui.commands.common import (
    add_command_parser,
    add_format_arg,
    emit_json,
    run_async,
    session_for,
    stdout_console,
)
from pgvtui.core.workload import DEFAULT_TOP, SORTS, Workload, collect
from pgvtui.errors import UsageError


def add_parser(sub: Any) -> None:
    p = add_command_parser(
        sub,
        "workload",
        help="list the vector searches pg_stat_statements recorded, heaviest first",
        description="List every pg_stat_statements entry of this database that searches "
        "vectors (a pgvector distance operator or function, or a call of a function whose body "
        "does), with calls, total/mean/max/stddev time, rows and blocks per call, and the "
        "table/column it searches.",
    )
    p.add_argument(
        "--top", type=int, default=DEFAULT_TOP, metavar="N", help="show the first N (default 20)"
    )
    p.add_argument(
        "--sort", choices=SORTS, default="total", help="order by this counter (default total)"
    )
    add_format_arg(p, ("text", "json", "markdown"))


async def gather(args: argparse.Namespace) -> Workload:
    async with session_for(args) as session:
        return await collect(session, sort=args.sort, top=args.top)


def run(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise UsageError("--top must be at least 1")
    w = run_async(lambda: gather(args))
    if args.format == "json":
        emit_json(w.to_json())
    elif args.format == "markdown":
        from pgvtui.render.workload import render_workload_markdown

        sys.stdout.write(render_workload_markdown(w))
        sys.stdout.flush()
    else:
        from pgvtui.render.workload import render_workload

        render_workload(stdout_console(), w)
    return 0
