"""Query and catalog rules over the recorded PG18 plans (tests/data/plans-pg18.json).

The inventory is built by hand to match the tables the plans were recorded on
(pgvector-facts §2): ``items`` 20k × vector(64) with HNSW vector_l2_ops ``items_emb_l2`` and a
halfvec(64) copy ``hemb`` with ``items_hemb_l2``; ``items_cos`` with ``items_cos_emb``
(vector_cosine_ops); ``items_ivf`` with IVFFlat ``items_ivf_emb`` (lists = 100); ``queries``.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pgvtui.core.models import ColumnInfo, IndexInfo, Inventory, ServerInfo
from pgvtui.core.plan import Plan, parse_plan
from pgvtui.core.query import analyze_query
from pgvtui.core.rules import pgvector_facts
from pgvtui.core.rules.base import Finding, RuleContext, all_rules

PLANS = Path(__file__).parent.parent / "data" / "plans-pg18.json"

QUERY_RULES = (
    "no-ann-index",
    "operator-mismatch",
    "limit-over-ef-search",
    "filter-underflow",
    "iterative-scan-exhausted",
    "index-not-chosen",
    "cold-index-reads",
)
CATALOG_RULES = (
    "invalid-index",
    "duplicate-index",
    "unused-index",
    "ivfflat-lists",
    "ivfflat-low-probes",
    "full-precision-storage",
    "toasted-vectors",
    "dims-over-index-limit",
    "old-pgvector",
    "hnsw-dead-tuples",
    "hnsw-params-small-for-size",
)

SERVER_SETTINGS: dict[str, str | None] = {
    "shared_buffers": "128MB",
    "effective_cache_size": "4GB",
    "maintenance_work_mem": "64MB",
    "random_page_cost": "4",
    "hnsw.ef_search": "40",
    "hnsw.iterative_scan": "off",
    "hnsw.max_scan_tuples": "20000",
    "ivfflat.probes": "1",
    "ivfflat.iterative_scan": "off",
    "ivfflat.max_probes": "32768",
}


def _column(table: str, column: str, type_: str = "vector", rows: int = 20_000) -> ColumnInfo:
    return ColumnInfo(
        schema="public",
        table=table,
        column=column,
        type=type_,
        dims=64,
        nullable=True,
        rows_estimate=rows,
        null_frac=0.0,
        avg_width=264 if type_ == "vector" else 136,
        storage="external",
        table_bytes=1878 * 8192,
        toast_bytes=8192,
        total_bytes=1878 * 8192 + 8192,
        n_dead_tup=0,
        n_live_tup=rows,
    )


def _index(
    table: str,
    name: str,
    column: str,
    opclass: str,
    operator: str,
    method: str = "hnsw",
    key_type: str = "vector",
) -> IndexInfo:
    return IndexInfo(
        schema="public",
        table=table,
        name=name,
        method=method,
        opclass=opclass,
        operator=operator,
        definition=f"CREATE INDEX {name} ON public.{table} USING {method} ({column} {opclass})",
        key_column=column,
        key_expression=None,
        predicate=None,
        m=16 if method == "hnsw" else None,
        ef_construction=64 if method == "hnsw" else None,
        lists=100 if method == "ivfflat" else None,
        defaults=("m", "ef_construction") if method == "hnsw" else ("lists",),
        valid=True,
        ready=True,
        size_bytes=41 * 1024 * 1024 if method == "hnsw" else 6 * 1024 * 1024,
        idx_scan=1000,
        building=False,
        key_type=key_type,
        key_dims=64,
        table_rows_estimate=20_000,
    )


def facts_inventory() -> Inventory:
    server = ServerInfo(
        version="18.6",
        version_num=180006,
        version_full="PostgreSQL 18.6",
        database="facts",
        user="postgres",
        is_superuser=True,
        in_recovery=False,
        pgvector_version="0.8.6",
        pgvector_available="0.8.6",
        stats_reset=None,
    )
    columns = (
        _column("items", "emb"),
        _column("items", "hemb", "halfvec"),
        _column("items_cos", "emb"),
        _column("items_ivf", "emb"),
        _column("queries", "q", rows=10),
    )
    indexes = (
        _index("items", "items_emb_l2", "emb", "vector_l2_ops", "<->"),
        _index("items", "items_hemb_l2", "hemb", "halfvec_l2_ops", "<->", key_type="halfvec"),
        _index("items_cos", "items_cos_emb", "emb", "vector_cosine_ops", "<=>"),
        _index("items_ivf", "items_ivf_emb", "emb", "vector_l2_ops", "<->", method="ivfflat"),
    )
    return Inventory(server, dict(SERVER_SETTINGS), columns, indexes)


def _recorded() -> dict[str, dict[str, Any]]:
    # entries without a plan (F6: the query failed) are the search rules' business
    return {e["name"]: e for e in json.loads(PLANS.read_text()) if "plan" in e}


RECORDED = _recorded()


def session_settings(entry: dict[str, Any]) -> dict[str, str | None]:
    settings = dict(SERVER_SETTINGS)
    for stmt in entry.get("settings", []):
        m = re.fullmatch(r"set local ([\w.]+)\s*=\s*(\S+)", stmt.strip(), re.I)
        assert m, stmt
        settings[m.group(1)] = m.group(2)
    return settings


def _ctx(name: str, **extras: Any) -> RuleContext:
    entry = RECORDED[name]
    return RuleContext(
        inventory=facts_inventory(),
        plan=parse_plan(entry["plan"]),
        sql=entry["sql"],
        settings=session_settings(entry),
        extras=dict(extras),
    )


def _check(rule_id: str, ctx: RuleContext) -> list[Finding]:
    return list(all_rules()[rule_id]().check(ctx))


def _fired(ctx: RuleContext, rules: tuple[str, ...] = QUERY_RULES) -> dict[str, list[Finding]]:
    """The findings of each of ``rules`` that fires."""
    found = {rule_id: _check(rule_id, ctx) for rule_id in rules}
    return {rule_id: f for rule_id, f in found.items() if f}


def _key(name: str) -> str:
    return name.split(" ", 1)[0]


# Which of this module's query rules fire on each recorded plan (by the plan's label).
EXPECTED: dict[str, set[str]] = {
    "A": set(),
    "B": {"operator-mismatch"},
    "B2": {"operator-mismatch"},
    "C": set(),  # DESC: order-by-desc (a shape rule), not an operator problem
    "D": set(),
    "D2": set(),  # no Limit above the scan: missing-limit's case
    "E0": set(),
    "E": set(),
    "E2": set(),
    "F1": set(),
    "F2": set(),
    "F3": set(),  # the column is cast: type-mismatch's case
    "F4": set(),
    "F5": set(),
    "G": set(),
    "G2": set(),
    "G3": set(),
    "H0": set(),
    "H1": {"filter-underflow"},
    "H2": set(),
    "H3": set(),
    "H4": set(),
    "H5": {"iterative-scan-exhausted"},
    "H6": {"iterative-scan-exhausted"},
    "H7": set(),
    "I": {"limit-over-ef-search"},
    "I2": set(),
    "I3": set(),
    "I4": {"limit-over-ef-search"},
    "J1": set(),
    "J2": set(),
    "J3": set(),
    "J4": set(),
    "J5": set(),
    "J6": set(),
    "K1": set(),
    "K2": set(),
    "K3": set(),
    "K4": set(),
    "L0": set(),
    "L1": {"filter-underflow"},
    "L2": set(),
    "L3": set(),
    "P1": set(),
}


def test_every_recorded_plan_has_an_expectation() -> None:
    assert {_key(n) for n in RECORDED} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(RECORDED), ids=_key)
def test_query_rules_on_recorded_plan(name: str) -> None:
    fired = _fired(_ctx(name))
    assert set(fired) == EXPECTED[_key(name)], {k: [f.message for f in v] for k, v in fired.items()}
    for findings in fired.values():
        for f in findings:
            assert f.message and f.evidence and f.fix
            assert "\n" not in f.message


def _one(name: str, rule: str) -> Finding:
    found = _fired(_ctx(name))[rule]
    assert len(found) == 1
    return found[0]


def test_operator_mismatch_evidence_and_fix() -> None:
    f = _one("B operator differs from opclass (<=> on l2 index)", "operator-mismatch")
    assert "items_emb_l2" in f.message and "<=>" in f.message
    assert "Seq Scan on items" in f.evidence and "vector_l2_ops" in f.evidence
    assert (
        'CREATE INDEX CONCURRENTLY ON "public"."items" USING hnsw ("emb" vector_cosine_ops);'
        in (f.fix or "")
    )
    assert "unit length" in (f.fix or "")  # <-> and <=> agree only on normalized vectors
    assert f.object == "public.items.emb"


def test_operator_mismatch_ip_on_l2() -> None:
    f = _one("B2 <#> on l2 index", "operator-mismatch")
    assert "vector_ip_ops" in (f.fix or "")


def test_limit_over_ef_search_numbers() -> None:
    f = _one("I LIMIT 100 > ef_search 40, off", "limit-over-ef-search")
    assert "LIMIT 100" in f.message and "ef_search = 40" in f.message
    assert "Actual Rows 40" in f.evidence and "Plan Rows 100" in f.evidence
    assert (f.fix or "").startswith("SET hnsw.ef_search = 100;")
    assert "relaxed_order" in (f.fix or "")


def test_limit_over_ef_search_infers_offset() -> None:
    f = _one("I4 OFFSET 50 LIMIT 10, off", "limit-over-ef-search")
    assert "OFFSET ≥ 40" in f.message  # 40 rows produced, 0 returned: all skipped


def test_limit_over_ef_search_uses_parsed_offset() -> None:
    ctx = _ctx("I4 OFFSET 50 LIMIT 10, off")
    ctx.query = analyze_query(ctx.sql or "")
    found = _check("limit-over-ef-search", ctx)
    assert len(found) == 1
    assert "LIMIT 10 OFFSET 50 needs 60 rows" in found[0].message
    assert (found[0].fix or "").startswith("SET hnsw.ef_search = 60;")


def test_limit_over_ef_search_silent_when_ef_search_raised() -> None:
    ctx = _ctx("I LIMIT 100 > ef_search 40, off")
    ctx.settings["hnsw.ef_search"] = "100"
    assert not _fired(ctx).get("limit-over-ef-search")


def test_filter_underflow_hnsw() -> None:
    f = _one("H1 filter (no btree) iterative off", "filter-underflow")
    assert "Rows Removed by Filter 36" in f.evidence and "Actual Rows 4" in f.evidence
    assert "hnsw.iterative_scan = off" in f.evidence
    fix = f.fix or ""
    assert fix.startswith("SET hnsw.iterative_scan = relaxed_order;")
    assert "WHERE ((id % 100) = 7)" in fix  # partial-index template with the plan's filter


def test_filter_underflow_ivfflat() -> None:
    f = _one("L1 ivfflat filter probes=1 off", "filter-underflow")
    assert "ivfflat.probes = 1" in f.evidence
    assert (f.fix or "").startswith("SET ivfflat.iterative_scan = relaxed_order;")
    assert "ivfflat.probes" in (f.fix or "")


def test_filter_underflow_old_pgvector_suggests_ef_search() -> None:
    ctx = _ctx("H1 filter (no btree) iterative off")
    assert ctx.inventory is not None
    ctx.inventory = replace(
        ctx.inventory, server=replace(ctx.inventory.server, pgvector_version="0.7.4")
    )
    f = _fired(ctx)["filter-underflow"][0]
    assert (f.fix or "").startswith("SET hnsw.ef_search = ")


def test_iterative_scan_exhausted_numbers() -> None:
    f = _one("H5 0.1% filter relaxed, max_scan_tuples=1000", "iterative-scan-exhausted")
    assert "hnsw.max_scan_tuples = 1,000" in f.evidence
    assert "Rows Removed by Filter 1,240" in f.evidence and "shared hit 2,580" in f.evidence
    assert (f.fix or "").startswith("SET hnsw.max_scan_tuples = 5000;")


def test_iterative_scan_silent_with_default_budget() -> None:
    # H4: same 0.1 % filter, default budget 20,000: it found all 10 rows
    assert not _fired(_ctx("H4 very selective filter (0.1%) relaxed"))


def test_no_ann_index_when_index_missing() -> None:
    ctx = _ctx("B operator differs from opclass (<=> on l2 index)")
    assert ctx.inventory is not None
    ctx.inventory = replace(
        ctx.inventory, indexes=tuple(i for i in ctx.inventory.indexes if i.table != "items")
    )
    fired = _fired(ctx)
    assert set(fired) == {"no-ann-index"}
    f = fired["no-ann-index"][0]
    assert (
        f.fix
        == 'CREATE INDEX CONCURRENTLY ON "public"."items" USING hnsw ("emb" vector_cosine_ops);'
    )
    assert "Seq Scan on items reading 20,000 rows" in f.evidence


def test_no_ann_index_silent_on_small_table() -> None:
    ctx = _ctx("B operator differs from opclass (<=> on l2 index)")
    assert ctx.inventory is not None
    small = tuple(
        replace(c, rows_estimate=5_000, table_bytes=400_000, toast_bytes=0, total_bytes=500_000)
        for c in ctx.inventory.columns
    )
    ctx.inventory = replace(
        ctx.inventory,
        columns=small,
        indexes=tuple(i for i in ctx.inventory.indexes if i.table != "items"),
    )
    assert not _fired(ctx)


def test_index_not_chosen_silent_when_index_path_truncates() -> None:
    # D (Sort + Seq Scan, 20,000 rows) vs D2 (enable_seqscan off: 40 rows): the planner is right
    noseq = parse_plan(RECORDED["D2 no LIMIT, enable_seqscan=off"]["plan"])
    assert not _fired(_ctx("D no LIMIT", noseqscan_plan=noseq)).get("index-not-chosen")


def test_index_not_chosen_fires_with_faster_index_plan() -> None:
    # The A plan (Index Scan, 2.3 ms) as the re-plan of a Seq Scan + Sort on the same query.
    seq = RECORDED["C ORDER BY DESC"]["plan"]
    doc = json.loads(json.dumps(seq))
    doc[0]["Plan"]["Plans"][0]["Sort Key"] = [
        k.replace(" DESC", "") for k in doc[0]["Plan"]["Plans"][0]["Sort Key"]
    ]
    ctx = RuleContext(
        inventory=facts_inventory(),
        plan=parse_plan(doc),
        settings=dict(SERVER_SETTINGS),
        extras={"noseqscan_plan": parse_plan(RECORDED["A baseline l2 index"]["plan"])},
    )
    f = _fired(ctx)["index-not-chosen"][0]
    assert "cost 2,560.2" in f.evidence and "cost 173.7" in f.evidence
    assert "Index Scan using items_emb_l2" in f.evidence
    assert "random_page_cost = 4" in f.evidence
    assert "SET random_page_cost = 1.1;" in (f.fix or "")


def test_cold_index_reads_from_read_blocks() -> None:
    doc = json.loads(json.dumps(RECORDED["A baseline l2 index"]["plan"]))
    scan = doc[0]["Plan"]["Plans"][0]
    scan["Shared Hit Blocks"], scan["Shared Read Blocks"] = 200, 1150
    fired = _fired(RuleContext(inventory=facts_inventory(), plan=parse_plan(doc)))
    f = fired["cold-index-reads"][0]
    assert "Shared Read Blocks 1,150 of 1,350 (85%)" in f.evidence
    assert 'pg_prewarm(\'"public"."items_emb_l2"\'::regclass)' in (f.fix or "")
    assert f.severity.value == "info"


def test_catalog_rules_on_facts_inventory() -> None:
    ctx = RuleContext(inventory=facts_inventory(), settings=dict(SERVER_SETTINGS))
    fired = _fired(ctx, CATALOG_RULES)
    assert set(fired) == {"ivfflat-lists", "ivfflat-low-probes"}
    lists = fired["ivfflat-lists"][0]
    assert "lists = 100 for ~20,000 rows" in lists.message
    assert 'ALTER INDEX "public"."items_ivf_emb" SET (lists = 20);' in (lists.fix or "")
    probes = fired["ivfflat-low-probes"][0]
    assert (probes.fix or "").startswith("SET ivfflat.probes = 10;")


def test_no_rule_reads_query_text() -> None:
    """The same plan with different SQL text gives the same findings."""
    for name in (
        "B operator differs from opclass (<=> on l2 index)",
        "H1 filter (no btree) iterative off",
    ):
        a = _fired(_ctx(name))
        ctx = _ctx(name)
        ctx.sql = "select 1"
        assert {k: [f.message for f in v] for k, v in _fired(ctx).items()} == {
            k: [f.message for f in v] for k, v in a.items()
        }


def test_plan_type_is_plan() -> None:
    assert isinstance(_ctx("A baseline l2 index").plan, Plan)
    assert pgvector_facts.opclass_for("halfvec", "<=>") == "halfvec_cosine_ops"


def _with_index(**changes: Any) -> tuple[Inventory, IndexInfo]:
    inv = facts_inventory()
    base = inv.indexes[0]
    extra = replace(base, **changes)
    return replace(inv, indexes=(*inv.indexes, extra)), extra


def test_invalid_reindex_leftover_is_dropped() -> None:
    inv, _ = _with_index(name="items_emb_l2_ccnew", valid=False, ready=True)
    found = _check("invalid-index", RuleContext(inventory=inv))
    assert [f.object for f in found] == ["public.items_emb_l2_ccnew"]
    assert (found[0].fix or "").startswith('DROP INDEX CONCURRENTLY "public"."items_emb_l2_ccnew";')


def test_duplicate_needs_same_method_and_predicate() -> None:
    inv, _ = _with_index(name="items_emb_ivf", method="ivfflat", lists=100)
    assert _check("duplicate-index", RuleContext(inventory=inv)) == []
    inv, _ = _with_index(name="items_emb_part", predicate="(category = 7)")
    assert _check("duplicate-index", RuleContext(inventory=inv)) == []
    inv, _ = _with_index(name="items_emb_l2_again", idx_scan=0, size_bytes=1)
    (f,) = _check("duplicate-index", RuleContext(inventory=inv))
    assert f.fix is not None and f.fix.startswith(
        'DROP INDEX CONCURRENTLY "public"."items_emb_l2_again";'
    )


def test_size_rules_skip_partial_indexes() -> None:
    big = 5_000_000
    inv, _ = _with_index(name="big_hnsw", table_rows_estimate=big)
    found = _check("hnsw-params-small-for-size", RuleContext(inventory=inv))
    assert [f.object for f in found] == ["public.big_hnsw"]
    assert "SET maintenance_work_mem = '" in (found[0].fix or "")
    inv, _ = _with_index(name="big_hnsw", table_rows_estimate=big, predicate="(category = 7)")
    assert _check("hnsw-params-small-for-size", RuleContext(inventory=inv)) == []
