"""Inventory cost on a large catalog, measured side by side in one run.

Builds 2,000 tables (500 of them with a vector column and an HNSW or IVFFlat index on tiny
data) on an embedded server, then prints:
- the number of statements the inventory sends, for a 1-table database and for the big one;
- the inventory time as a ratio to one ``SELECT count(*) FROM pg_class`` round trip on the
  same connection (median of repeated runs, interleaved).

Goal (issue #2): the same statement count as for a 1-table database, and ratio <= 3.

    python bench/inventory.py [--tables 2000] [--vector-tables 500] [--repeat 15]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

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


async def measure(dsn: str, repeat: int) -> tuple[int, float, float, int, int]:
    session = await connect(dsn)
    try:
        inv_times: list[float] = []
        rt_times: list[float] = []
        statements = 0
        for _ in range(repeat):
            t0 = time.perf_counter()
            cur = await session.conn.execute("SELECT count(*) FROM pg_class")
            await cur.fetchone()
            rt_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            inv = await inventory(session)
            inv_times.append(time.perf_counter() - t0)
            statements = inv.statements
        return (
            statements,
            statistics.median(inv_times),
            statistics.median(rt_times),
            len(inv.columns),
            len(inv.indexes),
        )
    finally:
        await session.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tables", type=int, default=2000)
    ap.add_argument("--vector-tables", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    server = EmbeddedServer(Path(tempfile.mkdtemp(prefix="pgvtui-bench-")) / "pg")
    server.start()
    try:
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE small")
            conn.execute("CREATE DATABASE big")
        t0 = time.perf_counter()
        build(server.dsn("small"), 1, 1)
        build(server.dsn("big"), args.tables, args.vector_tables)
        print(f"built catalogs in {time.perf_counter() - t0:.1f} s")
        s_stmt, s_inv, s_rt, s_cols, s_idx = asyncio.run(measure(server.dsn("small"), args.repeat))
        b_stmt, b_inv, b_rt, b_cols, b_idx = asyncio.run(measure(server.dsn("big"), args.repeat))
        print(
            f"{'database':<10}{'columns':>8}{'indexes':>8}{'statements':>11}"
            f"{'inventory ms':>14}{'count(*) ms':>13}{'ratio':>8}"
        )
        for name, stmt, inv_t, rt, cols, idx in (
            ("1 table", s_stmt, s_inv, s_rt, s_cols, s_idx),
            (f"{args.tables} tbl", b_stmt, b_inv, b_rt, b_cols, b_idx),
        ):
            print(
                f"{name:<10}{cols:>8}{idx:>8}{stmt:>11}{inv_t * 1000:>14.2f}{rt * 1000:>13.2f}"
                f"{inv_t / rt:>8.2f}"
            )
        print(
            f"same statement count: {s_stmt == b_stmt}; ratio on the big catalog: "
            f"{b_inv / b_rt:.2f} (goal <= 3)"
        )
    finally:
        server.destroy()


if __name__ == "__main__":
    main()
