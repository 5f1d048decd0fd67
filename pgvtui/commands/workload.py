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
)
from pgvtui.core.workload import (
    DEFAULT_BUDGET_S,
    DEFAULT_TOP,
    SORTS,
    Workload,
    collect,
    diagnose_entries,
)
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
    p.add_argument(
        "--diagnose",
        action="store_true",
        help="diagnose each listed statement from its text (its generic plan; a function call "
        "from the search in its body), within --budget",
    )
    p.add_argument(
        "--budget",
        type=float,
        default=DEFAULT_BUDGET_S,
        metavar="SECONDS",
        help="time for --diagnose over all listed statements (default 10)",
    )
    add_format_arg(p, ("text", "json", "markdown"))


async def gather(args: argparse.Namespace) -> Workload:
    async with session_for(args) as session:
        w = await collect(session, sort=args.sort, top=args.top)
        if args.diagnose and w.available:
            w = await diagnose_entries(session, w, budget_s=args.budget)
        return w


def run(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise UsageError("--top must be at least 1")
    if not args.budget > 0:
        raise UsageError("--budget must be a positive number of seconds")
    w = run_async(lambda: gather(args))
    if args.format == "json":
        emit_json(w.to_json())
    elif args.format == "markdown":
        from pgvtui.render.workload import render_workload_markdown

        sys.stdout.write(render_workload_markdown(w))
        sys.stdout.flush()
    else:
        from pgvtui.commands.output import text_output
        from pgvtui.render.workload import render_workload

        with text_output(args) as out:  # no trailing spaces; paged on a terminal when long
            render_workload(out, w)
    return 0
