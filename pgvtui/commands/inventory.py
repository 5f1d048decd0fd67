"""``pgvtui inventory``: vector columns and ANN indexes with sizes and options."""

from __future__ import annotations

import argparse
from typing import Any

from pgvtui.commands.common import (
    add_command_parser,
    add_format_arg,
    emit_json,
    run_async,
    session_for,
    write_text,
)
from pgvtui.core.catalog import inventory
from pgvtui.core.coverage import Coverage
from pgvtui.core.models import Inventory
from pgvtui.core.visibility import coverage_of


def add_parser(sub: Any) -> None:
    p = add_command_parser(
        sub,
        "inventory",
        help="list vector columns and HNSW/IVFFlat indexes",
        description="List every vector/halfvec/bit/sparsevec column and HNSW/IVFFlat index the "
        "role can see, with dims, rows, options, validity, sizes and usage.",
    )
    add_format_arg(p, ("text", "json", "markdown"))


async def collect(args: argparse.Namespace) -> tuple[Inventory, Coverage]:
    async with session_for(args) as session:
        inv = await inventory(session)
        return inv, await coverage_of(session, inv)


def run(args: argparse.Namespace) -> int:
    inv, coverage = run_async(lambda: collect(args))
    if args.format == "json":
        emit_json({**inv.to_json(), "coverage": coverage.to_json()})
    elif args.format == "markdown":
        from pgvtui.render.markdown_tables import coverage_markdown, inventory_markdown

        write_text(inventory_markdown(inv) + coverage_markdown(coverage))
    else:
        from pgvtui.commands.output import text_output  # (rich: only for text)
        from pgvtui.render.check import render_coverage
        from pgvtui.render.inventory import render_inventory

        with text_output(args) as out:
            render_inventory(out, inv)
            render_coverage(out, coverage)
    return 0
