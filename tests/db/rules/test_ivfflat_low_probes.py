"""ivfflat-low-probes against the real server: probes = 1 with lists = 100; the fix's
ALTER DATABASE line is run and a new session no longer fires."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgvtui.core.session import Session, SessionOptions
from tests.db.rules.conftest import VectorDB, create_vector_table, open_session
from tests.db.rules.rulecheck import about, catalog_findings, run_fix

RULE = "ivfflat-low-probes"
OBJ = "Probe Me.lists100"


@pytest.fixture(scope="module")
def db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        create_vector_table(
            conn,
            schema="Probe Me",
            table="T",
            column="e",
            dims=4,
            rows=5000,
            index="ivfflat",
            index_name="lists100",
        )
    yield scratch_db


async def test_probes_one_fires(db: VectorDB, scratch_session: Session) -> None:
    found = about(await catalog_findings(scratch_session, RULE), OBJ)
    assert len(found) == 1
    f = found[0]
    assert "ivfflat.probes = 1" in f.evidence and "lists = 100" in f.evidence
    assert (f.fix or "").startswith("SET ivfflat.probes = 10;")


async def test_session_setting_is_silent(db: VectorDB, scratch_session: Session) -> None:
    found = await catalog_findings(scratch_session, RULE, {"ivfflat.probes": "5"})
    assert about(found, OBJ) == []


async def test_database_default_fix(db: VectorDB, scratch_session: Session) -> None:
    f = about(await catalog_findings(scratch_session, RULE), OBJ)[0]
    run_fix(db.dsn, f, uncomment=("ALTER DATABASE",))
    async with open_session(db.dsn, SessionOptions()) as fresh:  # sees the new default
        assert about(await catalog_findings(fresh, RULE), OBJ) == []
