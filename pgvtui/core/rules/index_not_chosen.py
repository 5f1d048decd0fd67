"""index-not-chosen: the query can use an ANN index, the planner chose a Seq Scan anyway.

Plan shape: Sort (Sort Key ``<col> <op> …`` ASC, plain column) over a Seq Scan, an index on the
column serving ``<op>``, and ``ctx.extras["noseqscan_plan"]`` — the same query re-planned with
``SET LOCAL enable_seqscan = off`` — using that index and returning as many rows, faster.
Silent for tables under SMALL_TABLE_ROWS rows or SMALL_TABLE_BYTES (heap + TOAST): a Seq Scan there
is cheap.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.models import IndexInfo
from pgvtui.core.plan import Plan, PlanNode
from pgvtui.core.rules import catalog, effective_settings, pgvector_facts, plan_walk, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

FASTER = 0.8  # the index plan must take less than 80 % of the chosen plan's time


def _cost(plan: Plan) -> str:
    return wording.num(plan.root.total_cost)


def _time(plan: Plan) -> str:
    return "not timed" if plan.execution_ms is None else f"{plan.execution_ms:.1f} ms"


@register
class IndexNotChosen(Rule):
    id = "index-not-chosen"
    severity = Severity.WARNING
    summary = "a usable ANN index exists but the planner chose a Seq Scan (cost model)"
    kind = "query"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv, plan = ctx.inventory, ctx.plan
        other = ctx.extras.get("noseqscan_plan")
        iterative = ctx.extras.get("iterative_plan")
        if inv is None or plan is None or not isinstance(other, Plan):
            return
        for hit in plan_walk.sorted_scans(ctx):
            t, term = hit.table, hit.term
            if not term.plain or term.column is None:
                continue
            if catalog.is_small_table(inv, t.schema, t.table):
                continue
            usable = {
                i.name: i
                for i in catalog.column_indexes(inv, t.schema, t.table, term.column)
                if i.valid and i.operator == term.operator and i.predicate is None
            }
            # the plain index path first; for a filtered query also the iterative scan, which
            # keeps walking the index until the filter has let k rows through
            found = _better(plan, other, usable, t.table)
            via_iterative = False
            if found is None and isinstance(iterative, Plan):
                found = _better(plan, iterative, usable, t.table)
                via_iterative = found is not None
            if found is None:
                continue
            other, index_node = found
            col = inv.column(t.schema, t.table, term.column)
            settings = ", ".join(
                f"{name} = {value}"
                for name in ("random_page_cost", "effective_cache_size")
                if (value := effective_settings.setting(ctx, name)) is not None
            )
            evidence = (
                f"chosen: {hit.sort.node_type} over {hit.scan.label()}, cost {_cost(plan)},"
                f" {_time(plan)}; with enable_seqscan = off: {index_node.label()},"
                f" cost {_cost(other)}, {_time(other)}"
                f"{f'; {settings}' if settings else ''}"
            )
            if via_iterative:
                yield self._iterative(ctx, hit, plan, other, index_node, term.operator)
                continue
            lines = [
                "-- the planner over-costs the index path; on SSD/cached storage:",
                "SET random_page_cost = 1.1;",
                "-- and tell it how much memory caches data (about 3/4 of RAM):",
                "-- SET effective_cache_size = '<3/4 of RAM>';",
            ]
            if col is not None and col.storage in ("extended", "external"):
                size = pgvector_facts.value_bytes(col.type, col.dims)
                if size is not None and size > pgvector_facts.TOAST_THRESHOLD_BYTES:
                    lines.append(
                        f"-- {t.display}.{term.column} is TOASTed ({size} B values): the Seq Scan"
                        " cost ignores the TOAST reads; see toasted-vectors"
                    )
            yield self.finding(
                f"the planner chose a Seq Scan on {t.display} although"
                f" {index_node.index_name} serves ORDER BY {wording.name(term.column)}"
                f" {term.operator}:"
                f" {_time(other)} with the index vs {_time(plan)}",
                evidence,
                "\n".join(lines),
                object=f"plan: {hit.scan.label()}",
                node_id=hit.scan.id,
            )

    def _iterative(
        self,
        ctx: RuleContext,
        hit: plan_walk.SortedScan,
        plan: Plan,
        other: Plan,
        index_node: PlanNode,
        operator: str,
    ) -> Finding:
        t = hit.table
        method = "hnsw"
        for i in ctx.inventory.indexes if ctx.inventory else ():
            if i.name == index_node.index_name and i.table == t.table:
                method = i.method
        return self.finding(
            f"the filtered k-NN on {t.display} scans and sorts the table although"
            f" {index_node.index_name} serves ORDER BY … {operator}: with"
            f" {method}.iterative_scan = relaxed_order the index path returns the same rows in"
            f" {_time(other)} vs {_time(plan)}",
            f"chosen: {hit.sort.node_type} over {hit.scan.label()} (Filter: {hit.scan.filter}),"
            f" cost {_cost(plan)}, {_time(plan)}, {wording.num(plan.rows)} rows; with"
            f" enable_seqscan = off and {method}.iterative_scan = relaxed_order:"
            f" {index_node.label()}, cost {_cost(other)}, {_time(other)},"
            f" {wording.num(other.rows)} rows",
            f"SET {method}.iterative_scan = relaxed_order;\n"
            "-- the index scan then keeps going until the filter has let k rows through;"
            " relaxed_order may return rows slightly out of order: re-sort them"
            " (see relaxed-order-not-resorted) or use strict_order. If the planner still picks"
            " the Seq Scan, lower random_page_cost (SSD/cached storage: 1.1).",
            object=f"plan: {hit.scan.label()}",
            node_id=hit.scan.id,
            sets=((f"{method}.iterative_scan", "relaxed_order"),),
        )


def _better(
    plan: Plan, other: Plan | None, usable: dict[str, IndexInfo], table: str
) -> tuple[Plan, PlanNode] | None:
    """``other`` and its ANN scan when it uses one of ``usable``, returns as many rows and is
    clearly faster than ``plan``."""
    if other is None:
        return None
    used = [n for n in other.ann_scans() if n.index_name in usable and n.relation == table]
    if not used:
        return None
    if (
        plan.execution_ms is not None
        and other.execution_ms is not None
        and other.execution_ms >= FASTER * plan.execution_ms
    ):
        return None  # the planner was right
    if plan.rows is not None and other.rows is not None and other.rows < plan.rows:
        return None  # the index path returns fewer rows (ef_search cap, filter)
    return other, used[0]
