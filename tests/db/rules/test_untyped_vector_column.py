"""untyped-vector-column, unindexed-vector-table and toasted-vectors (typmod-free) on databases
built as LangChain PGVector (``embedding VECTOR`` without dimensions) and PGVectorStore build
them; the untyped column's fix is run and the real dimension comes from the data."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest

from pgvtui.core.checkup import check_catalog
from pgvtui.core.rules.base import Finding
from pgvtui.core.session import Session, SessionOptions, connect
from tests.conftest import TestServer, create_database, drop_database
from tests.db import clients
from tests.db.rules.rulecheck import run_fix


@pytest.fixture(scope="module")
def built(pg_server: TestServer) -> Iterator[str]:
    name = create_database(pg_server, "untyped")
    dsn = pg_server.dsn_for(name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        clients.build(conn, ("langchain-pgvector", "langchain-pgvectorstore", "llamaindex"), 8000)
        # a small LangChain table: an exact scan is cheap, nothing to say
        conn.execute("CREATE SCHEMA small")
        conn.execute("CREATE TABLE small.emb (id int, embedding vector, big vector(64))")
        conn.execute(
            "INSERT INTO small.emb SELECT i, array_fill(0.5::real, ARRAY[16]),"
            " array_fill(0.5::real, ARRAY[64]) FROM generate_series(1, 200) i"
        )
        # untyped 768-dim values (3,080 B): TOASTed, whatever the typmod says
        conn.execute("CREATE SCHEMA wide")
        conn.execute("CREATE TABLE wide.docs (id int, embedding vector)")
        conn.execute(
            "INSERT INTO wide.docs SELECT i, array_fill(random()::real, ARRAY[768])"
            " FROM generate_series(1, 1500) i"
        )
        conn.execute("CREATE TABLE wide.few (id int, embedding vector)")
        conn.execute(
            "INSERT INTO wide.few SELECT i, array_fill(random()::real, ARRAY[768])"
            " FROM generate_series(1, 40) i"
        )
        conn.execute("ANALYZE")
    yield dsn
    drop_database(pg_server, name)


@pytest.fixture
async def session(built: str) -> AsyncIterator[Session]:
    s = await connect(built, SessionOptions())
    try:
        yield s
    finally:
        await s.close()


async def findings(session: Session, rule: str) -> dict[str, Finding]:
    result = await check_catalog(session)
    return {f.object or "": f for f in result.findings if f.rule == rule}


async def test_untyped_column_fires_with_the_stored_dimension_and_the_fix_works(
    session: Session, built: str
) -> None:
    found = await findings(session, "untyped-vector-column")
    f = found["public.langchain_pg_embedding.embedding"]
    assert "vector with no dimensions" in f.evidence and "32 dims ×" in f.evidence
    assert f.fix is not None and "ACCESS EXCLUSIVE" in f.fix
    assert 'ALTER TABLE "public"."langchain_pg_embedding" ALTER COLUMN "embedding" TYPE' in f.fix
    assert '(("embedding"::vector(32)) vector_cosine_ops)' in f.fix
    assert 'ORDER BY "embedding"::vector(32) <=> $1::vector(32)' in f.fix
    assert "small.emb.embedding" not in found  # a small table
    # the typed-expression index from the fix, built for real, is accepted by pgvector
    with psycopg.connect(built, autocommit=True) as conn:
        conn.execute(
            "CREATE INDEX lc_expr ON langchain_pg_embedding USING hnsw"
            " ((embedding::vector(32)) vector_cosine_ops)"
        )
    assert "public.langchain_pg_embedding.embedding" not in await findings(
        session, "untyped-vector-column"
    )
    with psycopg.connect(built, autocommit=True) as conn:
        conn.execute("DROP INDEX lc_expr")
    run_fix(built, f)  # the ALTER TABLE … TYPE vector(32)
    assert "public.langchain_pg_embedding.embedding" not in await findings(
        session, "untyped-vector-column"
    )


async def test_large_table_without_any_ann_index(session: Session) -> None:
    found = await findings(session, "unindexed-vector-table")
    f = found["public.lc_docs.embedding"]
    assert "~8,000 rows" in f.message and "no HNSW or IVFFlat index" in f.message
    assert f.fix is not None and f.fix.startswith(
        'CREATE INDEX CONCURRENTLY ON "public"."lc_docs" USING hnsw ("embedding"'
        " vector_cosine_ops);"
    )
    assert "public.data_llama.embedding" not in found  # has its HNSW index
    assert "small.emb.big" not in found  # a small table


async def test_toasted_untyped_column_and_small_tables_are_quiet(session: Session) -> None:
    found = await findings(session, "toasted-vectors")
    f = found["wide.docs.embedding"]
    assert "without dimensions" in f.evidence and "(a TOAST pointer)" in f.evidence
    assert "wide.few.embedding" not in found  # 40 rows: small
