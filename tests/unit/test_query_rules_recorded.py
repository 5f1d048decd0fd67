"""The query-shape rules (search engineer's set) over the recorded PG18 plans.

Uses the hand-built inventory of ``test_rules_recorded`` (the tables the plans were recorded on)
and the parsed query, as ``pgvtui check --plan-file`` does with a connection.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pgvtui.core.plan import parse_plan
from pgvtui.core.query import analyze_query
from pgvtui.core.rules.base import Finding, RuleContext, all_rules
from tests.unit.test_rules_recorded import facts_inventory, session_settings

PLANS = Path(__file__).parent.parent / "data" / "plans-pg18.json"
ENTRIES: dict[str, dict[str, Any]] = {
    e["name"].split(" ", 1)[0]: e for e in json.loads(PLANS.read_text())
}
MINE = (
    "type-mismatch",
    "order-by-desc",
    "order-by-expression",
    "missing-limit",
    "distance-threshold-only",
    "materialized-cte",
    "join-query-vector",
    "partial-index-not-matched",
    "binary-quantize-in-order-by",
    "dimension-mismatch",
    "relaxed-order-not-resorted",
)
EXPECTED: dict[str, set[str]] = {
    "C": {"order-by-desc"},
    "D": {"missing-limit"},
    "D2": {"missing-limit"},
    "E": {"order-by-expression"},
    "F3": {"type-mismatch"},
    "F4": {"type-mismatch"},
    "F5": {"type-mismatch"},
    "F6": {"dimension-mismatch"},
    "G": {"distance-threshold-only"},
    "G3": {"distance-threshold-only"},
    "J2": {"join-query-vector"},
    "J3": {"materialized-cte"},
    "J4": {"relaxed-order-not-resorted"},
    "K1": {"join-query-vector"},
}


def ctx_for(key: str) -> RuleContext:
    e = ENTRIES[key]
    return RuleContext(
        inventory=facts_inventory(),
        plan=parse_plan(e["plan"]) if "plan" in e else None,
        query=analyze_query(e["sql"]),
        sql=e["sql"],
        settings=session_settings(e),
        error=e.get("error"),
    )


def fired(ctx: RuleContext) -> dict[str, list[Finding]]:
    registry = all_rules()
    out: dict[str, list[Finding]] = {}
    for rule_id in MINE:
        found = list(registry[rule_id]().check(ctx))
        if found:
            out[rule_id] = found
    return out


def test_all_rules_registered_as_query_rules() -> None:
    registry = all_rules()
    for rule_id in MINE:
        assert registry[rule_id].kind == "query"


@pytest.mark.parametrize("key", sorted(ENTRIES))
def test_expected_rules_fire(key: str) -> None:
    assert set(fired(ctx_for(key))) == EXPECTED.get(key, set())


def _fix(key: str, rule: str) -> str:
    f = fired(ctx_for(key))[rule][0]
    assert f.fix is not None
    return f.fix


def test_order_by_desc_fix_drops_desc_and_points_at_sort() -> None:
    f = fired(ctx_for("C"))["order-by-desc"][0]
    assert f.node_id == 1  # the Sort under the Limit
    assert f.object == "public.items.emb"
    assert f.fix is not None and f.fix_is_sql
    sql = f.fix.splitlines()[-1]
    assert " desc" not in sql.lower() and sql.endswith("limit 10;")
    assert "Sort Key" in f.evidence and "DESC" in f.evidence


def test_order_by_expression_fix_orders_by_bare_distance() -> None:
    sql = _fix("E", "order-by-expression").splitlines()[-1]
    assert "order by emb <=> '[" in sql
    assert "1-(emb <=>" in sql  # the similarity stays in the select list
    assert not re.search(r"order by[^;]*desc", sql)


def test_type_mismatch_fixes() -> None:
    f3 = _fix("F3", "type-mismatch")
    assert "::vector(64) limit 10;" in f3
    assert 'USING hnsw (("emb"::halfvec) halfvec_l2_ops)' in f3
    f4 = _fix("F4", "type-mismatch").splitlines()[1]
    assert "::sparsevec" not in f4 and "'::vector(64) limit 10;" in f4
    f5 = _fix("F5", "type-mismatch").splitlines()[1]
    assert f5.startswith('select id from items order by "emb" <-> ')


def test_missing_limit_severity_depends_on_shape() -> None:
    d = fired(ctx_for("D"))["missing-limit"][0]
    d2 = fired(ctx_for("D2"))["missing-limit"][0]
    assert d.severity.value == "warning" and "20,000 rows" in d.message
    assert d2.severity.value == "error" and "hnsw.ef_search = 40" in d2.message
    assert d.fix is not None and d.fix.endswith("LIMIT 10;")


def test_dimension_mismatch_explains_error() -> None:
    f = fired(ctx_for("F6"))["dimension-mismatch"][0]
    assert f.severity.value == "error"
    assert "3 dimensions" in f.message and "vector(64)" in f.message
    assert not f.fix_is_sql


def test_join_query_vector_rewrites_to_scalar_subquery() -> None:
    sql = _fix("K1", "join-query-vector").splitlines()[-1]
    assert sql == (
        "select i.id from items i order by i.emb <-> "
        "(SELECT s.q FROM (select q from queries where id=1) s) limit 10;"
    )
    j2 = _fix("J2", "join-query-vector").splitlines()[-1]
    assert "from items order by emb <-> (SELECT qv.q FROM qv) limit 10;" in j2


def test_materialized_cte_fix_inlines() -> None:
    fix = _fix("J3", "materialized-cte")
    assert "with t as NOT MATERIALIZED (select * from items where category = 7)" in fix


def test_relaxed_resort_fix_adds_plus_zero() -> None:
    fix = _fix("J4", "relaxed-order-not-resorted")
    assert fix.endswith("select * from r order by distance + 0;")
    # J5 already has the forcing + 0 and a Sort node: silent (asserted by EXPECTED)
    assert "J5" not in EXPECTED


def test_threshold_fix_keeps_filter() -> None:
    fix = _fix("G", "distance-threshold-only").splitlines()[-1]
    assert re.search(
        r"where emb <=> '\[[^']*\]' < 0\.75 ORDER BY emb <=> '\[[^']*\]' LIMIT 100;$", fix
    )


def test_relaxed_rule_needs_relaxed_setting() -> None:
    ctx = ctx_for("J4")
    ctx.settings["hnsw.iterative_scan"] = "strict_order"
    assert ctx.plan is not None
    ctx.plan.settings.pop("hnsw.iterative_scan", None)
    assert "relaxed-order-not-resorted" not in fired(ctx)


def test_rules_silent_without_inventory_or_plan() -> None:
    for key in EXPECTED:
        ctx = ctx_for(key)
        ctx.inventory = None
        got = set(fired(ctx))
        # without a catalog only the rules that declare they do not need one may fire (the
        # offline coverage report trusts Rule.needs)
        offline = {rid for rid, cls in all_rules().items() if "catalog" not in cls.needs}
        assert got <= offline, key
