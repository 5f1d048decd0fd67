"""Inventory of vector columns and ANN indexes: the only caller of the catalog .sql files.

A fixed number of statements whatever the catalog size: the connection set-up (1) plus one
statement (``inventory.sql``) that returns the server, settings, columns and indexes as JSON.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from psycopg import sql

from pgvtui.core import sql as sqlfiles
from pgvtui.core.models import (
    HNSW_DEFAULT_EF_CONSTRUCTION,
    HNSW_DEFAULT_M,
    IVFFLAT_DEFAULT_LISTS,
    ColumnInfo,
    IndexInfo,
    Inventory,
    ServerInfo,
)
from pgvtui.core.session import Session

EXTENSIONS = ("vector", "pg_buffercache", "pg_prewarm", "pg_stat_statements")

SETTINGS = (
    "shared_buffers",
    "effective_cache_size",
    "maintenance_work_mem",
    "work_mem",
    "max_parallel_maintenance_workers",
    "max_parallel_workers_per_gather",
    "random_page_cost",
    "block_size",
    "statement_timeout",
    "shared_preload_libraries",
    "hnsw.ef_search",
    "hnsw.iterative_scan",
    "hnsw.max_scan_tuples",
    "hnsw.scan_mem_multiplier",
    "ivfflat.probes",
    "ivfflat.iterative_scan",
    "ivfflat.max_probes",
)


# inventory.sql returns each column and each index as a JSON array, in these orders.
COLUMN_FIELDS = [f.name for f in fields(ColumnInfo)]
INDEX_FIELDS = (
    "schema", "table", "name", "method", "opclass", "operator", "definition", "key_column",
    "key_expression", "predicate", "reloptions", "valid", "ready", "size_bytes", "idx_scan",
    "last_idx_scan", "building", "index_oid", "table_oid", "key_type", "key_dims",
    "table_rows_estimate",
)  # fmt: skip


def parse_reloptions(method: str, reloptions: list[str]) -> tuple[dict[str, int | None], list[str]]:
    """m / ef_construction / lists as integers, with pgvector defaults filled in.

    Returns (values, names taken from defaults)."""
    opts: dict[str, str] = {}
    for item in reloptions:
        key, _, value = item.partition("=")
        opts[key.strip().lower()] = value.strip()
    values: dict[str, int | None] = {"m": None, "ef_construction": None, "lists": None}
    defaults: list[str] = []
    wanted: dict[str, int] = (
        {"m": HNSW_DEFAULT_M, "ef_construction": HNSW_DEFAULT_EF_CONSTRUCTION}
        if method == "hnsw"
        else {"lists": IVFFLAT_DEFAULT_LISTS}
        if method == "ivfflat"
        else {}
    )
    for key, default in wanted.items():
        raw = opts.get(key)
        if raw is not None and re.fullmatch(r"\d+", raw):
            values[key] = int(raw)
        else:
            values[key] = default
            defaults.append(key)
    return values, defaults


def _index_from_row(r: dict[str, Any]) -> IndexInfo:
    """An ``INDEX_FIELDS`` row → IndexInfo, with m / ef_construction / lists parsed from the
    reloptions and pgvector's defaults filled in."""
    values, defaults = parse_reloptions(r["method"], r["reloptions"])
    return IndexInfo(
        **{k: v for k, v in r.items() if k != "reloptions"},
        m=values["m"],
        ef_construction=values["ef_construction"],
        lists=values["lists"],
        defaults=tuple(defaults),
        reloptions=tuple(r["reloptions"]),
    )


def _rows(rows: list[list[Any]], names: Sequence[str]) -> list[dict[str, Any]]:
    # strict: a field added on one side only fails loudly
    return [dict(zip(names, r, strict=True)) for r in rows]


def _typed(
    columns: list[list[Any]], indexes: list[list[Any]]
) -> tuple[list[ColumnInfo], list[IndexInfo]]:
    return (
        [ColumnInfo(**d) for d in _rows(columns, COLUMN_FIELDS)],
        [_index_from_row(d) for d in _rows(indexes, INDEX_FIELDS)],
    )


async def inventory(session: Session) -> Inventory:
    """Server, settings, vector columns and ANN indexes in one statement.

    Counting the connection set-up query (it identified the server and registered the types),
    that is 2 statements whatever the catalog size."""
    # The one version difference: pg_stat_get_lastscan is PG16+.
    last_scan = (
        sql.SQL("pg_catalog.pg_stat_get_lastscan(a.indexrelid)")
        if session.basics.version_num >= 160000
        else sql.SQL("NULL")
    )
    q = sqlfiles.query("inventory").format(vector_type=session.vector_type(), last_scan=last_scan)
    start = session.statements
    rows = await session.fetch_dicts(
        q, {"extensions": list(EXTENSIONS), "settings": list(SETTINGS)}
    )
    row = rows[0]
    b = session.basics
    exts: dict[str, dict[str, str | None]] = {
        name: {"installed": None, "available": None} for name in EXTENSIONS
    }
    exts.update(row["extensions"] or {})
    server = ServerInfo(
        version=b.version.split()[0],
        version_num=b.version_num,
        version_full=row["version_full"],
        database=b.database,
        user=b.user,
        is_superuser=b.is_superuser,
        in_recovery=bool(row["in_recovery"]),
        pgvector_version=b.pgvector_version,
        pgvector_available=b.pgvector_available,
        extensions=exts,
        stats_reset=row["stats_reset"],
    )
    raw_settings: dict[str, Any] = row["settings"] or {}
    settings = {name: raw_settings.get(name) for name in SETTINGS}
    # Typed rows in a thread: tenths of a second for thousands of objects, which an event loop
    # this runs on (the TUI's) should not spend.
    cols, idxs = await asyncio.to_thread(_typed, row["columns"], row["indexes"])
    used = session.statements - start + 1
    return Inventory(
        server=server, settings=settings, columns=tuple(cols), indexes=tuple(idxs), statements=used
    )
