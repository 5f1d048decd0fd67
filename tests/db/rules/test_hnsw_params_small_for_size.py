"""hnsw-params-small-for-size against the real server.

Building an HNSW index on millions of rows takes minutes, so the table's reltuples (what the rule
reads: the planner's row count) is set to 2,000,000 on a small real table; index, options and
inventory are real, and the fix (ALTER INDEX … SET, REINDEX CONCURRENTLY) is run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, create_vector_table
from tests.db.rules.rulecheck import about, catalog_findings, run_fix

RULE = "hnsw-params-small-for-size"
OBJ = "Big Data.Default Params"


def _pretend_millions(db: VectorDB) -> None:
    with db.admin() as conn:
        conn.execute(
            'UPDATE pg_class SET reltuples = 2000000 WHERE oid = \'"Big Data"."T"\'::regclass'
        )


@pytest.fixture(scope="module")
def db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        create_vector_table(
            conn,
            schema="Big Data",
            table="T",
            column="e",
            dims=4,
            rows=2000,
            index_name="Default Params",
        )
    yield scratch_db


async def test_small_table_is_silent(db: VectorDB, scratch_session: Session) -> None:
    assert about(await catalog_findings(scratch_session, RULE), OBJ) == []


async def test_defaults_on_millions_fire_and_fix(db: VectorDB, scratch_session: Session) -> None:
    _pretend_millions(db)
    found = about(await catalog_findings(scratch_session, RULE), OBJ)
    assert len(found) == 1
    f = found[0]
    assert "~2,000,000 rows with m = 16, ef_construction = 64" in f.message
    assert "maintenance_work_mem, which is" in f.evidence
    assert "SET maintenance_work_mem = " in (f.fix or "")
    assert (f.fix or "").startswith(
        'ALTER INDEX "Big Data"."Default Params" SET (m = 32, ef_construction = 128);'
    )
    run_fix(db.dsn, f)
    _pretend_millions(db)  # REINDEX refreshed reltuples; the index now has m = 32
    assert about(await catalog_findings(scratch_session, RULE), OBJ) == []
