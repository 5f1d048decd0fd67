r"""Inventory cost on a large catalog, measured side by side in one run.

Builds 2,000 tables (500 of them with a vector column and an HNSW or IVFFlat index on tiny
data) on an embedded server, then prints:
- the number of statements the inventory sends, for a 1-table database and for the big one;
- the inventory time as a ratio to one ``SELECT count(*) FROM pg_class`` round trip on the
  same connection (median of repeated runs, interleaved), and the first run on a fresh
  connection (what one ``pgvtui inventory`` call pays);
- two parts of the inventory timed alone, on the same connection and as ratios to the same
  reference: the ``pg_attribute`` scan that finds ``bit`` columns (a built-in type, so no
  ``pg_depend`` entries, and ``pg_attribute`` has no index on the type) and the exact size
  reads (``pg_relation_size`` per relation and fork). The first is a floor for any inventory
  that lists every bit column.

Goal (issue #2): the same statement count as for a 1-table database, and ratio <= 3.

Then, as whole processes (issue #17): ``pgvtui inventory --format json`` against psql doing the
same job — ``\dt+``, ``\di+`` and two catalog queries (the vector columns with their types
and sizes; the ANN indexes with their options) in one psql run — interleaved, medians.
Goal: pgvtui ≤ 1.3× psql.

    python bench/inventory.py [--tables 2000] [--vector-tables 500] [--repeat 15] [--processes 11]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from pgvtui.core.catalog import inventory
from pgvtui.core.embedded import EmbeddedServer
from pgvtui.core.session import connect


def build(dsn: str, tables: int, vector_tables: int) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        for start in range(0, tables, 100):
            with conn.transaction():
                for i in range(start, min(start + 100, tables)):
                    t = sql.Identifier(f"t{i:04d}")
                    if i < vector_tables:
                        conn.execute(
                            sql.SQL(
                                "CREATE TABLE {} (id int PRIMARY KEY, e vector(8), note text)"
                            ).format(t)
                        )
                        conn.execute(
                            sql.SQL(
                                "INSERT INTO {} SELECT g, array_fill(g::real, ARRAY[8])::vector, "
                                "'x' FROM generate_series(1, 20) g"
                            ).format(t)
                        )
                        method = (
                            sql.SQL("hnsw (e vector_l2_ops)")
                            if i % 2
                            else sql.SQL("ivfflat (e vector_l2_ops) WITH (lists = 2)")
                        )
                        conn.execute(sql.SQL("CREATE INDEX ON {} USING {}").format(t, method))
                    else:
                        conn.execute(
                            sql.SQL("CREATE TABLE {} (id int PRIMARY KEY, note text)").format(t)
                        )
        conn.execute("ANALYZE")


REFERENCE = "SELECT count(*) FROM pg_class"
# The parts timed alone (bench-only statements, not the inventory's own SQL file).
BIT_SCAN = (
    "SELECT a.attrelid, a.attnum FROM pg_catalog.pg_attribute a "
    "WHERE a.atttypid = 'pg_catalog.bit'::regtype AND a.attnum > 0"
)
# Relations whose sizes the inventory reads: tables with a vector column, their TOAST table and
# its index, and all their indexes (oids collected once, outside the timing).
SIZED_RELATIONS = """
WITH t AS (SELECT DISTINCT c.oid, c.reltoastrelid FROM pg_catalog.pg_class c
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
            WHERE a.atttypid = 'vector'::regtype AND c.relkind = 'r')
SELECT oid FROM t UNION ALL SELECT reltoastrelid FROM t WHERE reltoastrelid <> 0
UNION ALL SELECT x.indexrelid FROM pg_catalog.pg_index x, t
 WHERE x.indrelid = t.oid OR x.indrelid = t.reltoastrelid
"""
SIZE_READS = """
SELECT sum(pg_catalog.pg_relation_size(c.oid, 'main') + pg_catalog.pg_relation_size(c.oid, 'fsm')
           + CASE WHEN c.relkind IN ('r', 't', 'm')
                  THEN pg_catalog.pg_relation_size(c.oid, 'vm') ELSE 0 END)
  FROM pg_catalog.pg_class c WHERE c.oid = ANY(%s)
"""


async def timed(session: Any, query: str, params: Any = None) -> float:
    t0 = time.perf_counter()
    cur = await session.conn.execute(query, params)
    await cur.fetchall()
    return time.perf_counter() - t0


async def measure(dsn: str, repeat: int) -> dict[str, Any]:
    session = await connect(dsn)
    try:
        # First inventory on a fresh connection (relation cache cold), as one CLI call pays it.
        t0 = time.perf_counter()
        inv = await inventory(session)
        first = time.perf_counter() - t0
        first_ref = await timed(session, REFERENCE)
        cur = await session.conn.execute(SIZED_RELATIONS)
        sized = [r[0] for r in await cur.fetchall()]
        times: dict[str, list[float]] = {"inventory": [], "ref": [], "bit": [], "sizes": []}
        for _ in range(repeat):
            times["ref"].append(await timed(session, REFERENCE))
            t0 = time.perf_counter()
            inv = await inventory(session)
            times["inventory"].append(time.perf_counter() - t0)
            times["bit"].append(await timed(session, BIT_SCAN))
            times["sizes"].append(await timed(session, SIZE_READS, (sized,)))
        med = {k: statistics.median(v) for k, v in times.items()}
        return {
            "statements": inv.statements,
            "columns": len(inv.columns),
            "indexes": len(inv.indexes),
            "first": first,
            "first_ref": first_ref,
            **med,
        }
    finally:
        await session.close()


# What psql is asked for (bench-only SQL): roughly what `pgvtui inventory` reports.
PSQL_COLUMNS = """
SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), c.reltuples,
       pg_relation_size(c.oid), pg_total_relation_size(c.oid)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid
 WHERE t.typname IN ('vector', 'halfvec', 'sparsevec', 'bit') AND a.attnum > 0
   AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'm')
"""
PSQL_INDEXES = """
SELECT n.nspname, i.relname, t.relname, am.amname, i.reloptions, pg_get_indexdef(i.oid),
       pg_relation_size(i.oid), s.idx_scan, x.indisvalid
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_am am ON am.oid = i.relam JOIN pg_namespace n ON n.oid = i.relnamespace
  LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = i.oid
 WHERE am.amname IN ('hnsw', 'ivfflat')
"""


def whole_process(dsn: str, runs: int) -> tuple[float, float]:
    """Medians (s) of ``pgvtui inventory --format json`` and of the psql equivalent, each a
    fresh process, interleaved."""
    import subprocess
    import sys

    from pgvtui.core.embedded import _bin_dir

    pgvtui = [str(Path(sys.executable).with_name("pgvtui")), "inventory", dsn, "--format", "json"]
    psql = [str(_bin_dir() / "psql"), "-X", "-q", "-d", dsn, "-c", "\\dt+", "-c", "\\di+"]
    psql += ["-c", PSQL_COLUMNS, "-c", PSQL_INDEXES]
    times: dict[str, list[float]] = {"pgvtui": [], "psql": []}
    for _ in range(runs):
        for name, cmd in (("pgvtui", pgvtui), ("psql", psql)):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times[name].append(time.perf_counter() - t0)
    return statistics.median(times["pgvtui"]), statistics.median(times["psql"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tables", type=int, default=2000)
    ap.add_argument("--vector-tables", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--processes", type=int, default=11, help="whole-process runs (0: skip)")
    ap.add_argument("--processes-only", action="store_true", help="skip the in-process part")
    args = ap.parse_args()
    parent = Path(tempfile.mkdtemp(prefix="pgvtui-bench-"))
    server = EmbeddedServer(parent / "pg")
    server.start()
    try:
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE small")
            conn.execute("CREATE DATABASE big")
        t0 = time.perf_counter()
        build(server.dsn("small"), 1, 1)
        build(server.dsn("big"), args.tables, args.vector_tables)
        print(f"built catalogs in {time.perf_counter() - t0:.1f} s")
        if args.processes:
            ours, psql = whole_process(server.dsn("big"), args.processes)
            print(
                f"whole process, {args.tables} tables, median of {args.processes}: "
                f"pgvtui inventory --format json {ours * 1000:.0f} ms, psql (\\dt+, \\di+, "
                f"2 catalog queries) {psql * 1000:.0f} ms: {ours / psql:.2f}x (goal <= 1.3x)"
            )
        if args.processes_only:
            return
        small = asyncio.run(measure(server.dsn("small"), args.repeat))
        big = asyncio.run(measure(server.dsn("big"), args.repeat))
        print(
            f"{'database':<12}{'columns':>8}{'indexes':>8}{'statements':>11}"
            f"{'count(*) ms':>12}{'inventory ms':>13}{'ratio':>7}{'first run':>11}"
            f"{'bit scan':>10}{'sizes':>8}"
        )
        for name, r in (("1 table", small), (f"{args.tables} tables", big)):
            print(
                f"{name:<12}{r['columns']:>8}{r['indexes']:>8}{r['statements']:>11}"
                f"{r['ref'] * 1000:>12.2f}{r['inventory'] * 1000:>13.2f}"
                f"{r['inventory'] / r['ref']:>7.1f}{r['first'] / r['first_ref']:>11.1f}"
                f"{r['bit'] / r['ref']:>10.1f}{r['sizes'] / r['ref']:>8.1f}"
            )
        print("(ratio, first run, bit scan and sizes are ratios to the count(*) round trip)")
        print(
            f"same statement count: {small['statements'] == big['statements']}; ratio on the big "
            f"catalog: {big['inventory'] / big['ref']:.1f} (goal <= 3); the bit-column scan "
            f"alone: {big['bit'] / big['ref']:.1f}"
        )
    finally:
        server.destroy()
        shutil.rmtree(parent, ignore_errors=True)


if __name__ == "__main__":
    main()
