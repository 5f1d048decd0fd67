"""``pgvtui residency``: do the ANN indexes fit in memory, and how much of each is cached?

Read-only by default. ``--prewarm`` is the one opt-in that changes server state (it loads index
pages into shared_buffers with pg_prewarm); it runs in a second, read-write session opened only
for those calls.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pgvtui.commands.common import (
    add_command_parser,
    add_format_arg,
    emit_json,
    parse_size,
    run_async,
    session_for,
    write_text,
)
from pgvtui.commands.output import text_output
from pgvtui.core.residency import ResidencyReport, collect


def add_parser(sub: Any) -> None:
    p = add_command_parser(
        sub,
        "residency",
        help="index size vs shared_buffers / cache / RAM, and measured residency",
        description="For every HNSW/IVFFlat index: size, the size model's estimate and drift, "
        "share of all ANN bytes, fit against shared_buffers, effective_cache_size and RAM, the "
        "row count at which it stops fitting, and (with pg_buffercache) how much of it is in "
        "shared_buffers now. Read-only unless --prewarm is given.",
    )
    p.add_argument(
        "--ram",
        metavar="SIZE",
        default=None,
        help="the database host's RAM (e.g. 64GB); default: detected for a local "
        "server, otherwise effective_cache_size stands in for it",
    )
    p.add_argument(
        "--scan-buffercache",
        action="store_true",
        help="read pg_buffercache even when shared_buffers is 32 GB or more (one pass "
        "over every buffer header)",
    )
    p.add_argument(
        "--prewarm",
        action="store_true",
        help="load each ANN index that fits into shared_buffers with pg_prewarm "
        "(opt-in: runs in a separate read-write session)",
    )
    add_format_arg(p, ("text", "json", "markdown", "sql"))


async def _collect(args: argparse.Namespace, ram: int | None) -> ResidencyReport:
    async with session_for(args) as session:
        return await collect(
            session,
            ram_bytes=ram,
            scan_buffercache=args.scan_buffercache,
            do_prewarm=args.prewarm,
        )


def run(args: argparse.Namespace) -> int:
    ram = parse_size(args.ram) if args.ram else None
    report = run_async(lambda: _collect(args, ram))
    if args.format == "json":
        emit_json(report.to_json())
    elif args.format == "markdown":
        from pgvtui.render.markdown_tables import coverage_markdown, residency_markdown

        write_text(residency_markdown(report) + coverage_markdown(report.coverage))
    elif args.format == "sql":  # the suggestions' SQL only, as one script for psql
        from pgvtui.render.sql_script import residency_script

        sys.stdout.write(residency_script(report))
        sys.stdout.flush()
    else:
        from pgvtui.render.check import render_coverage
        from pgvtui.render.residency import render_residency

        with text_output(args) as out:
            render_residency(out, report)
            render_coverage(out, report.coverage)
    return 0
