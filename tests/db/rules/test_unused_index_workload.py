"""unused-index with the workload: an ANN index no scan used, while pg_stat_statements holds
statements that order by its column with its operator (LangChain PGVectorStore's search), is
kept and pointed to index-not-chosen; an unused index nothing searches keeps its DROP advice."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from pgvtui.core.checkup import check_catalog
from pgvtui.core.session import SessionOptions, connect
from tests.conftest import TestServer, create_database, drop_database
from tests.db import clients


@pytest.fixture(scope="module")
def app(pg_server: TestServer) -> Iterator[str]:
    name = create_database(pg_server, "unusedwl")
    dsn = pg_server.dsn_for(name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        clients.enable_pg_stat_statements(conn)
        built = clients.build(conn, ("langchain-pgvectorstore",), rows=1500)
        conn.execute("CREATE INDEX lc_cos ON lc_docs USING hnsw (embedding vector_cosine_ops)")
        conn.execute("CREATE INDEX lc_l2 ON lc_docs USING hnsw (embedding vector_l2_ops)")
        conn.execute("SELECT pg_stat_statements_reset()")
    # the application's searches run, but the planner never picks the index (here: forced)
    with psycopg.connect(dsn, autocommit=True, options="-c enable_indexscan=off") as conn:
        for stmt in built["langchain-pgvectorstore"].statements:
            for _ in range(3):
                stmt(conn, clients.Clustered())
    yield dsn
    drop_database(pg_server, name)


async def test_index_the_workload_is_meant_to_use_is_not_dropped(app: str) -> None:
    session = await connect(app, SessionOptions())
    try:
        result = await check_catalog(session)
    finally:
        await session.close()
    found = {f.object: f for f in result.findings if f.rule == "unused-index"}
    kept = found["public.lc_cos"]
    assert "order by embedding <=>" in kept.message and "index-not-chosen" in kept.message
    assert kept.keeps == ("public.lc_cos",) and kept.drops == ()
    assert "DROP INDEX" not in (kept.fix or "") and "pgvtui check --sql" in (kept.fix or "")
    assert "lc_docs" in kept.evidence and "queryid" in kept.evidence
    dropped = found["public.lc_l2"]  # <-> : no statement orders by it
    assert dropped.drops == ("public.lc_l2",) and "DROP INDEX CONCURRENTLY" in (dropped.fix or "")
