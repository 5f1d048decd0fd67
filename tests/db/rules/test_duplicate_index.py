"""duplicate-index against the real server: two HNSW indexes with the same key and opclass on a
reserved-word column; a different opclass and a partial index are not duplicates."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, create_vector_table
from tests.db.rules.rulecheck import catalog_findings, run_fix

RULE = "duplicate-index"


@pytest.fixture(scope="module")
def db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        create_vector_table(
            conn,
            schema="public",
            table="Dup Table",
            column="order",
            dims=8,
            rows=3000,
            index_name="Dup A",
        )
        t = '"public"."Dup Table"'
        conn.execute(f'CREATE INDEX "dup b" ON {t} USING hnsw ("order" vector_l2_ops) WITH (m = 8)')
        conn.execute(f'CREATE INDEX "other op" ON {t} USING hnsw ("order" vector_cosine_ops)')
        conn.execute(
            f'CREATE INDEX "partial" ON {t} USING hnsw ("order" vector_l2_ops) WHERE category = 1'
        )
    yield scratch_db


async def test_duplicates_fire_and_fix_drops_one(db: VectorDB, scratch_session: Session) -> None:
    found = await catalog_findings(scratch_session, RULE)
    assert len(found) == 1
    f = found[0]
    assert f.object == "public.Dup A, public.dup b"
    assert "public.Dup A (hnsw" in f.evidence and "public.dup b (hnsw, m=8" in f.evidence
    assert "opclass vector_l2_ops" in f.evidence
    # nothing scanned either: the smaller (m = 8) one goes
    assert f.fix == 'DROP INDEX CONCURRENTLY "public"."dup b";\n-- keeps "public"."Dup A"'
    run_fix(db.dsn, f)
    assert await catalog_findings(scratch_session, RULE) == []
