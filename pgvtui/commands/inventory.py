"""``pgvtui inventory``: vector columns and ANN indexes with sizes and options."""

from __future__ import annotations

import argparse
from typing import Any

from pgvtui.commands.common import (
    add_conn_args,
    add_format_arg,
    emit_json,
    open_session,
    run_async,
    stdout_console,
)
from pgvtui.core.catalog import inventory
from pgvtui.core.models import Inventory


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "inventory",
        help="list vector columns and HNSW/IVFFlat indexes",
        description="List every vector/halfvec/bit/sparsevec column and HNSW/IVFFlat index the "
        "role can see, with dims, rows, options, validity, sizes and usage.",
        add_help=False,
    )
    p.add_argument("--help", action="help", help="show this help and exit")
    add_conn_args(p)
    add_format_arg(p)


async def collect(args: argparse.Namespace) -> Inventory:
    session = await open_session(args)
    try:
        return await inventory(session)
    finally:
        await session.close()


def run(args: argparse.Namespace) -> int:
    inv = run_async(lambda: collect(args))
    if args.format == "json":
        emit_json(inv.to_json())
    else:
        from pgvtui.render.inventory import render_inventory

        render_inventory(stdout_console(), inv)
    return 0
