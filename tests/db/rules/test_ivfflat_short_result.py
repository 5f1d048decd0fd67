"""ivfflat-short-result on the real server: items_ivf has 20,000 rows in 100 lists (~200 each);
LIMIT 500 with ivfflat.probes = 1 returns about 200 rows (fires); probes = 10 searches ~2,000
rows and returns all 500 (near miss), and so does an iterative scan."""

from __future__ import annotations

from pgvtui.core.session import Session
from tests.db.rules.conftest import vector_literal
from tests.db.rules.shapes import diagnose, findings_of, rules_of

RULE = "ivfflat-short-result"
SQL = f"SELECT id FROM items_ivf ORDER BY emb <-> '{vector_literal()}' LIMIT 500"
FORCE = {"enable_seqscan": "off"}


async def test_fires_with_one_probe(items_session: Session) -> None:
    diag = await diagnose(items_session, SQL, {**FORCE, "ivfflat.probes": "1"})
    found = findings_of(diag, RULE)
    assert len(found) == 1, diag.plan and [n.label() for n in diag.plan.nodes()]
    assert diag.search.rows is not None and diag.search.rows < 500
    assert "for LIMIT 500" in found[0].message and "of 100 lists" in found[0].message
    assert "SET ivfflat.probes" in (found[0].fix or "")


async def test_near_misses(items_session: Session) -> None:
    for extra in ({"ivfflat.probes": "10"}, {"ivfflat.iterative_scan": "relaxed_order"}):
        diag = await diagnose(items_session, SQL, {**FORCE, **extra})
        assert RULE not in rules_of(diag), extra
