"""invalid-index against the real server: a CREATE INDEX CONCURRENTLY that failed (IVFFlat k-means
over maintenance_work_mem) leaves an invalid index; one still being built is not reported."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest

from pgvtui.core import catalog
from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, create_vector_table
from tests.db.rules.rulecheck import about, catalog_findings

RULE = "invalid-index"


@pytest.fixture(scope="module")
def db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        create_vector_table(
            conn, schema="Bad Schema", table="Vecs", column="v", dims=8, rows=5000, index=None
        )
        conn.execute("SET maintenance_work_mem = '1MB'")
        with pytest.raises(psycopg.errors.ProgramLimitExceeded):
            conn.execute(
                'CREATE INDEX CONCURRENTLY "Broken IVF" ON "Bad Schema"."Vecs"'
                ' USING ivfflat ("v" vector_l2_ops) WITH (lists = 2000)'
            )
        conn.execute('CREATE INDEX "Good HNSW" ON "Bad Schema"."Vecs" USING hnsw (v vector_l2_ops)')
    yield scratch_db


async def test_failed_concurrent_build_fires(db: VectorDB, scratch_session: Session) -> None:
    found = await catalog_findings(scratch_session, RULE)
    assert [f.object for f in found] == ["Bad Schema.Broken IVF"]
    f = found[0]
    assert "indisvalid = false" in f.evidence and "no CREATE INDEX in progress" in f.evidence
    assert (f.fix or "").startswith('REINDEX INDEX CONCURRENTLY "Bad Schema"."Broken IVF";')
    # the DROP alternative runs as written and clears the finding
    with psycopg.connect(db.dsn, autocommit=True) as conn:
        drop = next(
            line.removeprefix("-- or, if it is not wanted: ")
            for line in (f.fix or "").splitlines()
            if "DROP INDEX" in line
        )
        conn.execute(drop.encode())
    assert about(await catalog_findings(scratch_session, RULE), "Bad Schema.Broken IVF") == []


def _wait_for_build(dsn: str, timeout: float = 20) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = conn.execute("SELECT count(*) FROM pg_stat_progress_create_index").fetchone()
            if row and row[0]:
                return
            time.sleep(0.05)
    raise AssertionError("CREATE INDEX CONCURRENTLY did not start")


async def test_index_being_built_is_silent(db: VectorDB, scratch_session: Session) -> None:
    errors: list[BaseException] = []

    def build() -> None:
        try:
            with psycopg.connect(db.dsn, autocommit=True) as conn:
                conn.execute(
                    'CREATE INDEX CONCURRENTLY "In Progress" ON "Bad Schema"."Vecs"'
                    " USING hnsw (v vector_cosine_ops)"
                )
        except BaseException as exc:
            errors.append(exc)

    with psycopg.connect(db.dsn) as writer:  # an open write transaction makes the build wait
        writer.execute(
            'INSERT INTO "Bad Schema"."Vecs" (id, category, v) SELECT 100000, 0, v'
            ' FROM "Bad Schema"."Vecs" LIMIT 1'
        )
        thread = threading.Thread(target=build)
        thread.start()
        try:
            _wait_for_build(db.dsn)
            inv = await catalog.inventory(scratch_session)
            inv_findings = await catalog_findings(scratch_session, RULE)
        finally:
            writer.rollback()
            thread.join(60)
    assert not errors
    building = [i for i in inv.indexes if i.name == "In Progress"]
    assert len(building) == 1 and not building[0].valid and building[0].building
    assert about(inv_findings, "Bad Schema.In Progress") == []
