"""window-between-limit-and-sort on the real server: a window function partitioned and ordered
by distance between LIMIT and the sort makes a full sort (fires); ranking the ids first, and a
top-N sort right under the Limit over an aggregate, stay quiet (near misses)."""

from __future__ import annotations

from pgvtui.core.session import Session
from tests.db.rules.conftest import vector_literal
from tests.db.rules.shapes import diagnose, findings_of, rules_of

RULE = "window-between-limit-and-sort"
Q = vector_literal()


async def test_window_between_limit_and_sort_fires(items_session: Session) -> None:
    sql = (
        f"SELECT id, row_number() OVER (PARTITION BY category % 7 ORDER BY emb <-> '{Q}') "
        "FROM items LIMIT 5"
    )
    diag = await diagnose(items_session, sql)
    found = findings_of(diag, RULE)
    assert len(found) == 1
    assert "WindowAgg" in found[0].message and "all 20,000 rows" in found[0].message
    sort = diag.plan.find("Sort")[0] if diag.plan else None
    assert sort is not None and sort.sort_method != "top-N heapsort"


async def test_near_misses(items_session: Session) -> None:
    ranked = (
        f"WITH nearest AS (SELECT id, emb <-> '{Q}' AS d FROM items ORDER BY d LIMIT 5) "
        "SELECT id, row_number() OVER (ORDER BY d) FROM nearest"
    )
    grouped = (
        f"SELECT category, min(emb <-> '{Q}') AS d FROM items GROUP BY category ORDER BY d LIMIT 3"
    )
    # by category (btree-sorted groups): an Incremental Sort that stops with the Limit
    grouped_index = (
        f"SELECT id, row_number() OVER (PARTITION BY category ORDER BY emb <-> '{Q}') "
        "FROM items LIMIT 5"
    )
    for sql in (ranked, grouped, grouped_index):
        diag = await diagnose(items_session, sql)
        assert RULE not in rules_of(diag), sql
