"""``recall --where`` takes its query vectors from the whole table by default: on clustered data
filtered to one cluster, vectors sampled inside the filter sit next to the filtered rows and
recall looks perfect, while the application's vectors (from anywhere) get few or no rows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest

from pgvtui.cli import main
from pgvtui.core.recall.sweep import RecallSpec, run_recall
from pgvtui.core.session import Session, SessionOptions, connect
from tests.conftest import TestServer, create_database, drop_database
from tests.db import clients

WHERE = "topic = 3"


@pytest.fixture(scope="module")
def topics(pg_server: TestServer) -> Iterator[str]:
    name = create_database(pg_server, "recallwhere")
    dsn = pg_server.dsn_for(name)
    rows = clients.Clustered(dims=16, seed=9).rows(6000)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE chunks (id int PRIMARY KEY, topic int, embedding vector(16))")
        with conn.cursor() as cur, cur.copy("COPY chunks FROM STDIN") as cp:
            for i, (label, v) in enumerate(rows):
                cp.write_row((i, label, v))
        conn.execute("CREATE INDEX chunks_hnsw ON chunks USING hnsw (embedding vector_l2_ops)")
        conn.execute("ANALYZE chunks")
    yield dsn
    drop_database(pg_server, name)


@pytest.fixture
async def session(topics: str) -> AsyncIterator[Session]:
    s = await connect(topics, SessionOptions())
    try:
        yield s
    finally:
        await s.close()


async def test_default_samples_outside_the_filter(session: Session) -> None:
    spec = RecallSpec(index="chunks_hnsw", where=WHERE, ef_search=(40,), queries=30)
    table = await run_recall(session, spec)
    inside = await run_recall(
        session,
        RecallSpec(
            index="chunks_hnsw", where=WHERE, ef_search=(40,), queries=30, sample_within_where=True
        ),
    )
    assert table.query_source == "sample" and inside.query_source == "sample-within-where"
    # inside the filter the 40 candidates are the filtered cluster itself: near-perfect
    assert inside.results[0].recall_mean >= 0.9
    # from the whole table most queries sit in other clusters: the filter empties the result
    assert table.results[0].rows_mean < inside.results[0].rows_mean
    assert table.results[0].recall_mean < inside.results[0].recall_mean - 0.3


def test_the_report_says_where_query_vectors_came_from(
    topics: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    common = [topics, "--index", "chunks_hnsw", "--where", WHERE, "--ef-search", "40"]
    main(["recall", *common, "--queries", "5"])
    out = " ".join(capsys.readouterr().out.split())
    assert "sampled from the whole table, not only the filtered rows" in out
    main(["recall", *common, "--queries", "5", "--sample-within-where"])
    out = " ".join(capsys.readouterr().out.split())
    assert "sampled inside the filter" in out
