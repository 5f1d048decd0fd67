"""full-precision-storage against the real server: vector(768) on 10k rows; the fix's halfvec
expression index is built and silences it; narrower columns never fire."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB
from tests.db.rules.rulecheck import about, catalog_findings, run_fix

RULE = "full-precision-storage"
WIDE = "Embeddings.Docs.Body Emb"


@pytest.fixture(scope="module")
def db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        conn.execute('CREATE SCHEMA "Embeddings"')
        conn.execute(
            'CREATE TABLE "Embeddings"."Docs" (id int PRIMARY KEY, "Body Emb" vector(768),'
            " small vector(256))"
        )
        # cheap distinct vectors: one random value repeated (the rule reads only the catalog)
        conn.execute(
            'INSERT INTO "Embeddings"."Docs" SELECT i, array_fill(random()::real, ARRAY[768]),'
            " array_fill(random()::real, ARRAY[256]) FROM generate_series(1, 10000) i"
        )
        conn.execute('ANALYZE "Embeddings"."Docs"')
    yield scratch_db


async def test_fires_and_halfvec_index_silences(db: VectorDB, scratch_session: Session) -> None:
    found = about(await catalog_findings(scratch_session, RULE), WIDE)
    assert len(found) == 1
    f = found[0]
    assert f.severity.value == "info"
    assert "vector(768): 3080 B per value" in f.evidence and "~10,000 rows" in f.evidence
    fix = f.fix or ""
    assert (
        'CREATE INDEX CONCURRENTLY ON "Embeddings"."Docs" USING hnsw'
        ' (("Body Emb"::halfvec(768)) halfvec_cosine_ops);' in fix
    )
    run_fix(db.dsn, f)
    assert about(await catalog_findings(scratch_session, RULE), WIDE) == []


async def test_narrow_column_is_silent(db: VectorDB, scratch_session: Session) -> None:
    assert about(await catalog_findings(scratch_session, RULE), "Embeddings.Docs.small") == []
