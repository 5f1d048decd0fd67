"""ivfflat-lists against the real server: lists = 100 on 12k rows (guidance 12); the fix is run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, create_vector_table
from tests.db.rules.rulecheck import about, catalog_findings, run_fix

RULE = "ivfflat-lists"


@pytest.fixture(scope="module")
def db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        create_vector_table(
            conn,
            schema="Vector Data",
            table="Big",
            column="e",
            dims=4,
            rows=12_000,
            index="ivfflat",
            opclass="vector_l2_ops",
            index_name="IVF Index",
        )
        # 2,000 rows, lists = 10: far from rows/1000 = 2 but a small table, 200 rows per list
        create_vector_table(
            conn,
            schema="Vector Data",
            table="small",
            column="e",
            dims=4,
            rows=2000,
            index=None,
        )
        conn.execute(
            'CREATE INDEX "small ivf" ON "Vector Data"."small" USING ivfflat (e) WITH (lists = 10)'
        )
    yield scratch_db


async def test_fires_and_fix_rebuilds(db: VectorDB, scratch_session: Session) -> None:
    found = about(await catalog_findings(scratch_session, RULE), "Vector Data.IVF Index")
    assert len(found) == 1
    f = found[0]
    assert "lists = 100 for ~12,000 rows" in f.message
    assert "rows/1000 = 12" in f.evidence
    assert (f.fix or "").startswith(
        'ALTER INDEX "Vector Data"."IVF Index" SET (lists = 12);\n'
        'REINDEX INDEX CONCURRENTLY "Vector Data"."IVF Index";'
    )
    run_fix(db.dsn, f)
    assert about(await catalog_findings(scratch_session, RULE), "Vector Data.IVF Index") == []


async def test_small_table_is_silent(db: VectorDB, scratch_session: Session) -> None:
    assert about(await catalog_findings(scratch_session, RULE), "Vector Data.small ivf") == []
