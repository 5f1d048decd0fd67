"""dims-over-index-limit against the real server: vector(3072) and halfvec(5000) columns; each
fix's expression index builds and silences the rule; vector(2000) never fires."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB
from tests.db.rules.rulecheck import about, catalog_findings, run_fix

RULE = "dims-over-index-limit"


@pytest.fixture(scope="module")
def db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        conn.execute('CREATE SCHEMA "Wide"')
        conn.execute(
            'CREATE TABLE "Wide"."Docs" (id int, "Embedding" vector(3072), h halfvec(5000),'
            " ok vector(2000))"
        )
        conn.execute(
            'INSERT INTO "Wide"."Docs" SELECT i, array_fill(random()::real, ARRAY[3072]),'
            " array_fill(random()::real, ARRAY[5000]), array_fill(random()::real, ARRAY[2000])"
            " FROM generate_series(1, 20) i"
        )
    yield scratch_db


async def test_vector_3072_fires_and_halfvec_fix_works(
    db: VectorDB, scratch_session: Session
) -> None:
    with db.admin() as conn, pytest.raises(psycopg.errors.ProgramLimitExceeded):
        conn.execute('CREATE INDEX ON "Wide"."Docs" USING hnsw ("Embedding" vector_l2_ops)')
    found = about(await catalog_findings(scratch_session, RULE), "Wide.Docs.Embedding")
    assert len(found) == 1
    f = found[0]
    assert "vector(3072)" in f.message and "2,000" in f.message
    assert '(("Embedding"::halfvec(3072)) halfvec_cosine_ops)' in (f.fix or "")
    run_fix(db.dsn, f)
    assert about(await catalog_findings(scratch_session, RULE), "Wide.Docs.Embedding") == []


async def test_halfvec_5000_gets_binary_quantization(
    db: VectorDB, scratch_session: Session
) -> None:
    found = about(await catalog_findings(scratch_session, RULE), "Wide.Docs.h")
    assert len(found) == 1
    assert '((binary_quantize("h")::bit(5000)) bit_hamming_ops)' in (found[0].fix or "")
    run_fix(db.dsn, found[0])
    assert about(await catalog_findings(scratch_session, RULE), "Wide.Docs.h") == []


async def test_at_the_limit_is_silent(db: VectorDB, scratch_session: Session) -> None:
    assert about(await catalog_findings(scratch_session, RULE), "Wide.Docs.ok") == []
