"""toasted-vectors against the real server: vector(768) values (3,080 B) go to TOAST under the
default EXTERNAL storage; the fix (SET STORAGE PLAIN + VACUUM FULL) brings them back in line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgvtui.core import catalog
from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB
from tests.db.rules.rulecheck import about, catalog_findings, run_fix

RULE = "toasted-vectors"
OBJ = "Toast Land.user.embedding"


@pytest.fixture(scope="module")
def db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        conn.execute('CREATE SCHEMA "Toast Land"')
        conn.execute(
            'CREATE TABLE "Toast Land"."user" (id int, embedding vector(768), h halfvec(768),'
            " narrow vector(64))"
        )
        conn.execute(
            'INSERT INTO "Toast Land"."user" SELECT i, array_fill(random()::real, ARRAY[768]),'
            " array_fill(random()::real, ARRAY[768]), array_fill(random()::real, ARRAY[64])"
            " FROM generate_series(1, 300) i"
        )
        conn.execute('ANALYZE "Toast Land"."user"')
        # 1,544 + 264 B: rows stay under the threshold, nothing is TOASTed
        conn.execute('CREATE TABLE "Toast Land"."Narrow" (id int, h halfvec(768), v vector(64))')
        conn.execute(
            'INSERT INTO "Toast Land"."Narrow" SELECT i, array_fill(random()::real, ARRAY[768]),'
            " array_fill(random()::real, ARRAY[64]) FROM generate_series(1, 300) i"
        )
        conn.execute('ANALYZE "Toast Land"."Narrow"')
    yield scratch_db


async def test_fires_and_fix_moves_values_in_line(db: VectorDB, scratch_session: Session) -> None:
    found = about(await catalog_findings(scratch_session, RULE), OBJ)
    assert len(found) == 1
    f = found[0]
    assert "3080 B per value" in f.evidence and "attstorage external" in f.evidence
    assert "(a TOAST pointer)" in f.evidence  # ANALYZE saw ~18-byte pointers
    assert (f.fix or "").startswith(
        'ALTER TABLE "Toast Land"."user" ALTER COLUMN "embedding" SET STORAGE PLAIN;'
    )
    run_fix(db.dsn, f, uncomment=("VACUUM FULL",))
    with db.admin() as conn:
        conn.execute('ANALYZE "Toast Land"."user"')
    found = await catalog_findings(scratch_session, RULE)
    assert about(found, OBJ) == []
    inv = await catalog.inventory(scratch_session)
    col = inv.column("Toast Land", "user", "embedding")
    assert col is not None and col.storage == "plain" and (col.avg_width or 0) > 3000
    # the row is still over the threshold, so TOAST now takes the next widest value: the
    # halfvec(768) column, seen through its ~18-byte average width (the fix text warns of this)
    assert [f.object for f in found] == ["Toast Land.user.h"]
    assert "(a TOAST pointer)" in found[0].evidence


async def test_narrower_values_are_silent(db: VectorDB, scratch_session: Session) -> None:
    found = await catalog_findings(scratch_session, RULE)
    assert about(found, "Toast Land.Narrow.h") == []  # halfvec(768): 1,544 B, row < 2 kB
    assert about(found, "Toast Land.Narrow.v") == []
