"""missing-limit beyond the plain case, on the real server: LIMIT ALL / LIMIT NULL are no
limit (the fix replaces them), a range query gets the threshold pattern instead of "add LIMIT
10", and on a recorded plan without the catalog the plan-visible half runs — but not on an
excerpt below its root, nor over a top-N heapsort (both imply a bound above)."""

from __future__ import annotations

import re

from pgvtui.core.plan import read_plans
from pgvtui.core.search import diagnose_plan
from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, vector_literal
from tests.db.rules.shapes import diagnose, findings_of, fix_query, rules_of

RULE = "missing-limit"
Q = vector_literal()
BASE = f"SELECT id FROM items WHERE category = 7 ORDER BY emb <-> '{Q}'"
RANGE = f"SELECT id FROM items WHERE emb <-> '{Q}' < 2.5 ORDER BY emb <-> '{Q}'"


async def test_limit_all_and_null_are_no_limit(items_session: Session) -> None:
    for tail in (" LIMIT ALL", " LIMIT NULL"):
        diag = await diagnose(items_session, BASE + tail)
        found = findings_of(diag, RULE)
        assert len(found) == 1, tail
        fixed = fix_query(found[0])
        assert fixed.endswith("LIMIT 10") and "ALL" not in fixed and "NULL" not in fixed
        after = await diagnose(items_session, fixed)
        assert RULE not in rules_of(after)
    near = await diagnose(items_session, BASE + " LIMIT 5")
    assert RULE not in rules_of(near)


async def test_range_query_gets_the_threshold_pattern(items_session: Session) -> None:
    diag = await diagnose(items_session, RANGE)
    found = findings_of(diag, RULE)
    assert len(found) == 1
    fix = found[0].fix or ""
    assert not re.search(r"LIMIT 10\b", fix) and "range query" in fix
    assert "ORDER BY distance LIMIT 100" in fix and "iterative_scan" in fix


def _text(db: VectorDB, sql: str) -> str:
    with db.admin() as conn:
        conn.execute("SET max_parallel_workers_per_gather = 0")
        rows = conn.execute(f"EXPLAIN (ANALYZE) {sql}").fetchall()  # test-authored SQL
    return "\n".join(str(r[0]) for r in rows)


def test_offline_plan_alone(items_db: VectorDB) -> None:
    text = _text(items_db, BASE)
    plan = read_plans(text)[0]
    found = [f for f in diagnose_plan(plan) if f.rule == RULE]
    assert len(found) == 1 and "sorts all 200 rows" in found[0].message
    assert not found[0].fix_is_sql and "LIMIT" in (found[0].fix or "")
    # the same tree pasted as an excerpt (its root indented with "->"): a Limit may be above
    lines = text.splitlines()
    below = read_plans("\n".join(["   ->  " + lines[0], *("      " + ln for ln in lines[1:])]))[0]
    assert below.fragment and below.root.node_type == "Sort"
    assert RULE not in [f.rule for f in diagnose_plan(below)]
    # top-N heapsort: bounded, even if the excerpt lost the Limit above it
    limited = _text(items_db, f"SELECT id FROM items ORDER BY emb <=> '{Q}' LIMIT 5")
    sort_part = limited[limited.index("Sort") :]
    plan = read_plans(sort_part)[0]
    assert plan.root.sort_method == "top-N heapsort" and not plan.fragment
    assert RULE not in [f.rule for f in diagnose_plan(plan)]


def test_offline_range_query_plan(items_db: VectorDB) -> None:
    plan = read_plans(_text(items_db, RANGE))[0]
    found = [f for f in diagnose_plan(plan) if f.rule == RULE]
    assert len(found) == 1 and "range query" in (found[0].fix or "")
