"""index-not-chosen with a filter: the alternative plan is the iterative index scan. A JSON
filter (Haystack/LangChain metadata) keeps 10 % of the rows; the planner's default estimates
for two metadata conditions make it sort the whole table, and the plain index scan would
return too few rows — with ``hnsw.iterative_scan = relaxed_order`` the index returns the same
k rows, much faster."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest

from pgvtui.core import search
from pgvtui.core.session import Session, SessionOptions, connect
from tests.conftest import TestServer, create_database, drop_database
from tests.db import clients

RULE = "index-not-chosen"
# two metadata keys (a LangChain/Haystack-style filter): the planner multiplies two default
# estimates (0.5 % each) and sorts the whole table; 10 % of the rows really match
FILTER = "WHERE meta->>'lang' = 'de' AND meta->>'src' IS NULL"


@pytest.fixture(scope="module")
def docs(pg_server: TestServer) -> Iterator[str]:
    name = create_database(pg_server, "iterative")
    dsn = pg_server.dsn_for(name)
    data = clients.Clustered(dims=32, seed=5)
    rows = data.rows(30_000)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE docs (id int PRIMARY KEY, embedding vector(32), meta jsonb)")
        with conn.cursor() as cur, cur.copy("COPY docs (id, embedding, meta) FROM STDIN") as cp:
            for i, (_, v) in enumerate(rows):
                lang = "de" if i % 10 == 0 else "en"
                cp.write_row((i, v, f'{{"lang": "{lang}"}}'))
        conn.execute("CREATE INDEX docs_hnsw ON docs USING hnsw (embedding vector_cosine_ops)")
        conn.execute("ANALYZE docs")
    yield dsn
    drop_database(pg_server, name)


@pytest.fixture
async def session(docs: str) -> AsyncIterator[Session]:
    s = await connect(docs, SessionOptions())
    try:
        yield s
    finally:
        await s.close()


def query(where: str) -> str:
    q = clients.Clustered(dims=32, seed=5).query()
    return f"SELECT id FROM docs {where} ORDER BY embedding <=> '{q}' LIMIT 10"


async def test_filtered_query_gets_the_iterative_scan_as_the_alternative(
    session: Session,
) -> None:
    diag = await search.diagnose(session, query(FILTER), preview_rows=0)
    assert diag.plan is not None and not diag.plan.ann_scans()  # sorted the whole table
    assert search.ITERATIVE_PLAN in diag.extras
    found = [f for f in diag.findings if f.rule == RULE]
    assert len(found) == 1, [f.rule for f in diag.findings]
    f = found[0]
    assert "hnsw.iterative_scan = relaxed_order" in f.message
    assert f.fix is not None and f.fix.startswith("SET hnsw.iterative_scan = relaxed_order;")
    assert "Filter:" in f.evidence and "10 rows" in f.evidence


async def test_unfiltered_query_gets_no_iterative_replan(session: Session) -> None:
    diag = await search.diagnose(session, query(""), preview_rows=0)
    assert search.ITERATIVE_PLAN not in diag.extras
