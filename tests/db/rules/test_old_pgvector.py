"""old-pgvector against the real server.

The embedded server ships only pgvector 0.8.6's install script, so an old installation is
simulated by setting pg_extension.extversion in a throwaway database (superuser); the inventory,
the rule and the fix (ALTER EXTENSION vector UPDATE, which runs the real upgrade scripts) are
all real."""

from __future__ import annotations

from pgvtui.core.session import Session, SessionOptions
from tests.db.rules.conftest import VectorDB, create_vector_table, open_session
from tests.db.rules.rulecheck import catalog_findings, run_fix

RULE = "old-pgvector"


async def test_current_version_is_silent(scratch_session: Session) -> None:
    assert scratch_session.basics.pgvector_version == scratch_session.basics.pgvector_available
    assert await catalog_findings(scratch_session, RULE) == []


async def test_old_version_fires_and_update_fixes(scratch_db: VectorDB) -> None:
    with scratch_db.admin() as conn:
        create_vector_table(conn, schema="Old Ext", table="T", column="e", dims=4, rows=100)
        conn.execute("UPDATE pg_extension SET extversion = '0.8.2' WHERE extname = 'vector'")
    async with open_session(scratch_db.dsn, SessionOptions()) as session:
        found = await catalog_findings(session, RULE)
    assert len(found) == 1
    f = found[0]
    assert f.severity.value == "warning"
    assert "pgvector 0.8.2 is installed; the server offers 0.8.6" in f.message
    assert "HNSW vacuum corruption fix" in f.evidence
    assert f.fix == "ALTER EXTENSION vector UPDATE;"
    run_fix(scratch_db.dsn, f)
    async with open_session(scratch_db.dsn, SessionOptions()) as session:
        assert session.basics.pgvector_version == "0.8.6"
        assert await catalog_findings(session, RULE) == []
