"""index-not-chosen: the query can use an ANN index, the planner chose a Seq Scan anyway.

Plan shape: Sort (Sort Key ``<col> <op> …`` ASC, plain column) over a Seq Scan, an index on the
column serving ``<op>``, and ``ctx.extras["noseqscan_plan"]`` — the same query re-planned with
``SET LOCAL enable_seqscan = off`` — using that index and returning as many rows, faster.
Silent for tables under SMALL_TABLE_ROWS rows or SMALL_TABLE_BYTES (heap + TOAST): a Seq Scan there
is cheap.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.plan import Plan
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
            used = [
                n for n in other.ann_scans() if n.index_name in usable and n.relation == t.table
            ]
            if not used:
                continue
            index_node = used[0]
            if (
                plan.execution_ms is not None
                and other.execution_ms is not None
                and other.execution_ms >= FASTER * plan.execution_ms
            ):
                continue  # the planner was right
            if plan.rows is not None and other.rows is not None and other.rows < plan.rows:
                continue  # the index path returns fewer rows (ef_search cap, filter)
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
