"""What ``check --sql`` with ``$n`` adds to the statement itself, measured side by side.

Starts its own embedded PostgreSQL + pgvector, builds the LangChain PGVector and Supabase
databases of ``tests/db/clients.py`` (clustered data), and for each statement as
pg_stat_statements holds it prints: the statement's own execution time (EXPLAIN ANALYZE,
median), the wall time of ``check_statement`` with no values (generic plan), with ``--sample``
(values sampled from the data) and the overhead of each over the statement — one run, same
server, same session.

    python bench/check_params.py [--rows 50000] [--repeat 5]
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

from pgvtui.core.appcheck import check_statement
from pgvtui.core.embedded import EmbeddedServer
from pgvtui.core.session import SessionOptions, connect
from tests.db import clients

STATEMENTS = {
    "langchain": (
        "SELECT langchain_pg_embedding.id, langchain_pg_embedding.embedding <=> $1 AS distance"
        " FROM langchain_pg_embedding JOIN langchain_pg_collection"
        " ON langchain_pg_embedding.collection_id = langchain_pg_collection.uuid"
        " WHERE langchain_pg_embedding.collection_id = $2::UUID"
        " ORDER BY distance ASC LIMIT $3::INTEGER",
        {3: "4"},
    ),
    "supabase rpc": (
        "SELECT * FROM match_documents(query_embedding := $1::vector, match_count := $2)",
        {2: "5"},
    ),
}


async def measure(dsn: str, repeat: int) -> list[tuple[str, float, float, float]]:
    session = await connect(dsn, SessionOptions())
    out = []
    try:
        for name, (text, params) in STATEMENTS.items():
            own: list[float] = []
            generic: list[float] = []
            sampled: list[float] = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                await check_statement(session, text)
                generic.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                r = await check_statement(session, text, params=params, sample=True)
                sampled.append((time.perf_counter() - t0) * 1000)
                own.append(r.diagnosis.search.execution_ms or 0.0)
            out.append(
                (
                    name,
                    statistics.median(own),
                    statistics.median(generic),
                    statistics.median(sampled),
                )
            )
    finally:
        await session.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    parent = Path(tempfile.mkdtemp(prefix="pgvtui-bench-params-"))
    server = EmbeddedServer(parent / "pg", settings={"shared_buffers": "128MB"})
    try:
        server.start()
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
            clients.build(conn, ("langchain-pgvector", "supabase"), rows=args.rows)
        results: list[Any] = asyncio.run(measure(server.dsn(), args.repeat))
    finally:
        server.destroy()
        shutil.rmtree(parent, ignore_errors=True)
    print(f"rows = {args.rows:,}, median of {args.repeat}\n")
    print(
        "| statement | statement itself | check, generic plan | check --sample"
        " | overhead of --sample |"
    )
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, own, generic, sampled in results:
        print(
            f"| {name} | {own:.1f} ms | {generic:.1f} ms | {sampled:.1f} ms |"
            f" {sampled - own:.1f} ms |"
        )


if __name__ == "__main__":
    main()
