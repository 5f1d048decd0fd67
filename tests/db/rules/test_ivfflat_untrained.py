"""ivfflat-untrained on a table built the Django way: the migration creates the IvfflatIndex
(lists = 100) on the empty table, then the rows arrive. The fix (REINDEX) is run: the same query
then reads a few % of the index and the rule is silent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest

from pgvtui.core import search
from pgvtui.core.session import Session, SessionOptions, connect
from tests.conftest import TestServer, create_database, drop_database
from tests.db import clients
from tests.db.rules.rulecheck import run_fix

RULE = "ivfflat-untrained"
SETTINGS = {"enable_seqscan": "off", "ivfflat.probes": "1"}


@pytest.fixture(scope="module")
def django_db(pg_server: TestServer) -> Iterator[str]:
    name = create_database(pg_server, "ivfuntrained")
    dsn = pg_server.dsn_for(name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        # vectors in a cone away from the origin, as real embeddings are: rows pile into the
        # few lists whose untrained (random) centres happen to be nearest
        clients.build(conn, ("django",), rows=20000, data=clients.Clustered(offset=2.0))
    yield dsn
    drop_database(pg_server, name)


@pytest.fixture
async def session(django_db: str) -> AsyncIterator[Session]:
    s = await connect(django_db, SessionOptions())
    try:
        yield s
    finally:
        await s.close()


QUERIES = clients.Clustered(seed=7, offset=2.0)


def query() -> str:
    return f"SELECT id FROM app_item ORDER BY embedding <-> '{QUERIES.query()}' LIMIT 5"


async def test_fires_on_the_migration_built_index_and_reindex_fixes_it(
    session: Session, django_db: str
) -> None:
    # untrained centres: depending on the query's nearest centre one probe reads 6-80 % of the
    # index (measured); a query landing in an almost empty list reads little, so try three
    found = []
    for _ in range(3):
        diag = await search.diagnose(session, query(), SETTINGS, preview_rows=0)
        found = [f for f in diag.findings if f.rule == RULE]
        if found:
            break
    assert len(found) == 1, diag.findings
    f = found[0]
    assert f.object == "public.item_embedding_ivf" and "lists = 100" in f.evidence
    assert "REINDEX will" in f.message
    assert f.fix is not None and f.fix.startswith(
        'REINDEX INDEX CONCURRENTLY "public"."item_embedding_ivf";'
    )
    run_fix(django_db, f)
    for _ in range(3):  # trained lists: ~3 % of the index per probe, every time
        diag = await search.diagnose(session, query(), SETTINGS, preview_rows=0)
        assert diag.plan is not None and diag.plan.ann_scans()  # still the IVFFlat scan
        assert [f for f in diag.findings if f.rule == RULE] == []
