"""core/reconcile.py on its own: the generic steps, with findings shaped as the rules make them."""

from __future__ import annotations

from pgvtui.core.reconcile import action, action_plan, reconcile, settings_fix
from pgvtui.core.rules.base import Finding, Severity

W, INFO = Severity.WARNING, Severity.INFO


def test_query_rules_on_one_plan_node_agree_on_ef_search() -> None:
    node = "plan: Index Scan using items_idx on items"
    limit = Finding("limit-over-ef-search", W, "m", "e", "SET hnsw.ef_search = 100;",
                    object=node, sets=(("hnsw.ef_search", "100"),))  # fmt: skip
    under = Finding("filter-underflow", W, "m", "e", "SET hnsw.ef_search = 400;",
                    object=node, sets=(("hnsw.ef_search", "400"),))  # fmt: skip
    out = {f.rule: f for f in reconcile([limit, under])}
    assert dict(out["limit-over-ef-search"].sets) == {"hnsw.ef_search": "400"}
    assert out["limit-over-ef-search"].fix == "SET hnsw.ef_search = 400;"  # pure: rewritten
    assert out["filter-underflow"].fix == "SET hnsw.ef_search = 400;"
    assert "filter-underflow" in out["limit-over-ef-search"].notes[0]


def test_settings_on_different_objects_are_left_alone() -> None:
    a = Finding("ivfflat-low-probes", W, "m", "e", "SET ivfflat.probes = 10;", object="public.a",
                sets=(("ivfflat.probes", "10"),))  # fmt: skip
    b = Finding("ivfflat-low-probes", W, "m", "e", "SET ivfflat.probes = 15;", object="public.b",
                sets=(("ivfflat.probes", "15"),))  # fmt: skip
    out = reconcile([a, b])
    assert [dict(f.sets)["ivfflat.probes"] for f in out] == ["10", "15"]
    assert all(not f.notes for f in out)


def test_mixed_fix_gets_a_comment_and_memory_values_compare_by_size() -> None:
    obj = "public.idx"
    rebuild = Finding("hnsw-params-small-for-size", INFO, "m", "e",
                      "SET maintenance_work_mem = '512MB';\nREINDEX INDEX CONCURRENTLY x;",
                      object=obj, rebuilds=(obj,),
                      sets=(("maintenance_work_mem", "'512MB'"),))  # fmt: skip
    other = Finding("x-rule", W, "m", "e", "SET maintenance_work_mem = '2GB';\nVACUUM x;",
                    object=obj, sets=(("maintenance_work_mem", "'2GB'"),))  # fmt: skip
    out = {f.rule: f for f in reconcile([rebuild, other])}
    # the rebuild's value wins (it is for the object after the rebuild), even if smaller
    assert dict(out["x-rule"].sets)["maintenance_work_mem"] == "'512MB'"
    assert (out["x-rule"].fix or "").endswith(
        "-- one plan: use maintenance_work_mem = '512MB' (hnsw-params-small-for-size)"
    )
    # without a rebuild the larger memory wins ('2GB' > '512MB', not text order)
    plain = Finding("y-rule", W, "m", "e", "SET maintenance_work_mem = '512MB';", object=obj,
                    sets=(("maintenance_work_mem", "'512MB'"),))  # fmt: skip
    out = {f.rule: f for f in reconcile([plain, other])}
    assert dict(out["y-rule"].sets)["maintenance_work_mem"] == "'2GB'"


def test_steps_order_drops_rebuilds_settings_then_the_rest() -> None:
    review = Finding("r", W, "m", "e", "-- look", object="t")
    review2 = Finding("r2", W, "m", "e", "VACUUM t;", object="t")
    sets = Finding(
        "s", W, "m", "e", settings_fix((("a.b", "1"),)), object="i", sets=(("a.b", "1"),)
    )
    rebuild = Finding("b", INFO, "m", "e", "REINDEX i;", object="i", rebuilds=("i",))
    drop = Finding("d", INFO, "m", "e", "DROP INDEX j;", object="j", drops=("j",))
    plan = action_plan(reconcile([review, review2, sets, rebuild, drop]))
    assert [action(f) for f in plan] == ["drop", "rebuild", "set", "review"]
    assert [f.step for f in plan] == [1, 2, 3, 4]  # the all-comment fix gets no step
