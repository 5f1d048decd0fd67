"""volatile-query-vector on the real server: a VOLATILE function computing the query vector in
the ORDER BY leaves a Sort over every row (fires, live and offline); the same function STABLE,
or wrapped in a scalar subquery, lets the index order (near misses)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgvtui.core.plan import read_plans
from pgvtui.core.search import diagnose_plan
from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, create_vector_table
from tests.db.rules.shapes import diagnose, findings_of, rules_of

RULE = "volatile-query-vector"
BODY = "BEGIN RETURN array_fill(0.1::real, ARRAY[64])::vector; END"


@pytest.fixture(scope="module")
def fn_db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        create_vector_table(conn, table="docs", rows=3000, category=False)
        for name, vol in (("embed_v", "VOLATILE"), ("embed_s", "STABLE")):
            conn.execute(
                f"CREATE FUNCTION {name}(t text) RETURNS vector {vol} "  # test-authored DDL
                f"LANGUAGE plpgsql AS $$ {BODY} $$"
            )
    yield scratch_db


async def test_volatile_call_fires(fn_db: VectorDB, scratch_session: Session) -> None:
    sql = "SELECT id FROM docs ORDER BY emb <-> embed_v('hello') LIMIT 5"
    diag = await diagnose(scratch_session, sql)
    found = findings_of(diag, RULE)
    assert len(found) == 1 and "embed_v(…) is computed for every row" in found[0].message
    assert "(SELECT embed_v('…'))" in (found[0].fix or "")
    with fn_db.admin() as conn:
        text = "\n".join(str(r[0]) for r in conn.execute("EXPLAIN " + sql).fetchall())
    assert RULE in [f.rule for f in diagnose_plan(read_plans(text)[0])]  # offline too


async def test_near_misses(fn_db: VectorDB, scratch_session: Session) -> None:
    for sql in (
        "SELECT id FROM docs ORDER BY emb <-> embed_s('hello') LIMIT 5",
        "SELECT id FROM docs ORDER BY emb <-> (SELECT embed_v('hello')) LIMIT 5",
    ):
        diag = await diagnose(scratch_session, sql)
        assert RULE not in rules_of(diag), sql
        assert diag.plan is not None and diag.plan.ann_scans(), sql
