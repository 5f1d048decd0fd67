"""binary-quantize-in-order-by on the real server: fires without an expression index; the fix's
index and rewritten query use it."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, create_vector_table
from tests.db.rules.shapes import Q, ann_used, diagnose, findings_of, fix_query, rules_of

RULE = "binary-quantize-in-order-by"
TABLE = '"Bit Schema"."Docs"'
SQL = (
    f'SELECT id FROM {TABLE} ORDER BY binary_quantize("Emb")::bit(16) <~>'
    f" binary_quantize('{Q}'::vector)::bit(16) LIMIT 10"
)


@pytest.fixture(scope="module")
def db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        create_vector_table(
            conn,
            schema="Bit Schema",
            table="Docs",
            column="Emb",
            dims=16,
            rows=12_000,
            index="hnsw",
        )
    yield scratch_db


async def test_fires_then_fix_index_is_used(db: VectorDB, scratch_session: Session) -> None:
    diag = await diagnose(scratch_session, SQL)
    found = findings_of(diag, RULE)
    assert len(found) == 1
    f = found[0]
    assert "binary_quantize" in f.evidence and f.object == "Bit Schema.Docs.Emb"
    assert f.fix is not None
    ddl = [line for line in f.fix.splitlines() if line.startswith("CREATE INDEX")]
    assert ddl == [
        'CREATE INDEX CONCURRENTLY ON "Bit Schema"."Docs" USING hnsw'
        ' ((binary_quantize("Emb")::bit(16)) bit_hamming_ops);'
    ]
    with psycopg.connect(db.dsn, autocommit=True) as conn:
        conn.execute(ddl[0].encode())
        conn.execute(f"ANALYZE {TABLE}")
    after = await diagnose(scratch_session, fix_query(f))
    assert RULE not in rules_of(after) and ann_used(after)


async def test_plain_order_by_is_silent(db: VectorDB, scratch_session: Session) -> None:
    diag = await diagnose(
        scratch_session, f"SELECT id FROM {TABLE} ORDER BY \"Emb\" <-> '{Q}' LIMIT 10"
    )
    assert RULE not in rules_of(diag) and ann_used(diag)
