"""dimension-mismatch on the real server: the error is explained, not surfaced raw."""

from __future__ import annotations

from pgvtui.core.search import unexplained_error
from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB
from tests.db.rules.shapes import ITEMS, Q, diagnose, findings_of, rules_of

RULE = "dimension-mismatch"


async def test_three_dims_against_sixteen(space_db: VectorDB, scratch_session: Session) -> None:
    diag = await diagnose(
        scratch_session, f"SELECT id FROM {ITEMS} ORDER BY \"Emb\" <-> '[1,2,3]' LIMIT 10"
    )
    assert diag.search.error is not None
    found = findings_of(diag, RULE)
    assert len(found) == 1
    f = found[0]
    assert f.severity.value == "error"
    assert "3 dimensions" in f.message and "Vec Space.Items.Emb is vector(16)" in f.message
    assert unexplained_error(diag) is None  # explained: no raw error for the CLI


async def test_typmod_cast_mismatch(space_db: VectorDB, scratch_session: Session) -> None:
    diag = await diagnose(
        scratch_session,
        f"SELECT id FROM {ITEMS} ORDER BY \"Emb\" <-> '[1,2,3]'::vector(16) LIMIT 10",
    )
    assert diag.search.error is not None and "expected 16 dimensions" in diag.search.error.message
    assert RULE in rules_of(diag)


async def test_matching_dims_is_silent(space_db: VectorDB, scratch_session: Session) -> None:
    diag = await diagnose(
        scratch_session, f"SELECT id FROM {ITEMS} ORDER BY \"Emb\" <-> '{Q}' LIMIT 10"
    )
    assert diag.search.error is None and RULE not in rules_of(diag)


async def test_other_errors_stay_unexplained(space_db: VectorDB, scratch_session: Session) -> None:
    diag = await diagnose(scratch_session, f"SELECT 1 / 0 FROM {ITEMS} LIMIT 1")
    assert RULE not in rules_of(diag)
    err = unexplained_error(diag)
    assert err is not None and "division by zero" in err.message
