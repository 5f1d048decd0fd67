"""filter-underflow: a filtered ANN scan returned fewer rows than LIMIT (iterative scan off).

The index hands over its ef_search (HNSW) / probes×list (IVFFlat) candidates and the Filter runs
afterwards. Plan shape: Limit → Index Scan (ANN "Order By") with "Filter" and "Rows Removed by
Filter" > 0, Index Scan Actual Rows < Limit Plan Rows; ``<method>.iterative_scan = off``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from pgvtui.core.plan import Plan
from pgvtui.core.rules import (
    effective_settings,
    pgvector_facts,
    plan_expressions,
    plan_walk,
    wording,
)
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


@register
class FilterUnderflow(Rule):
    id = "filter-underflow"
    severity = Severity.ERROR
    summary = "a filter after the ANN scan left fewer rows than LIMIT (iterative scan off)"
    kind = "query"
    needs = frozenset()

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.inventory is None and ctx.plan is not None:
            yield from self._plan_only(ctx.plan)
            return
        for scan, limit_n, got in plan_walk.short_ann_scans(ctx):
            node, lim, method = scan.node, scan.limit, scan.index.method
            removed = node.rows_removed_by_filter or 0
            if not node.filter or removed <= 0:
                continue
            if effective_settings.iterative_mode(ctx, method) != "off":
                continue
            if lim is not None and lim.actual_rows is not None and lim.actual_rows >= limit_n:
                continue
            seen = got + removed
            selectivity = got / seen if got > 0 else 1 / (seen + 1)
            if method == "hnsw":
                knob = f"hnsw.ef_search = {effective_settings.setting_int(ctx, 'hnsw.ef_search')}"
            else:
                knob = f"ivfflat.probes = {effective_settings.setting_int(ctx, 'ivfflat.probes')}"
            evidence = (
                f"{node.label()}: Filter {plan_expressions.shorten_literals(node.filter)},"
                " Rows Removed by"
                f" Filter {wording.num(removed)}, Actual Rows {wording.num(got)} < Limit Plan Rows"
                f" {wording.num(limit_n)}; {method}.iterative_scan = off, {knob}"
            )
            kept = (
                f"kept {wording.num(got)} of {wording.num(seen)} ANN candidates"
                f" (~{selectivity:.0%})"
                if got > 0
                else f"kept none of {wording.num(seen)} ANN candidates"
            )
            fix, sets = _fix(ctx, scan, limit_n, selectivity)
            yield self.finding(
                f"the filter {kept}: the query returned fewer than LIMIT {limit_n} rows",
                evidence,
                fix,
                object=f"plan: {node.label()}",
                node_id=node.id,
                sets=sets,
            )

    def _plan_only(self, plan: Plan) -> Iterator[Finding]:
        """A recorded plan without the catalog: the index method is unknown, so the fix names
        both; the iterative-scan setting is unknown, so the message allows for it."""
        for node in plan.ann_scans():
            lim = plan_walk.limit_above(plan, node)
            got, removed = node.actual_rows, node.rows_removed_by_filter or 0
            if lim is None or lim.plan_rows is None or got is None or got >= lim.plan_rows:
                continue
            if not node.filter or removed <= 0:
                continue
            if lim.actual_rows is not None and lim.actual_rows >= lim.plan_rows:
                continue
            yield self.finding(
                f"the filter kept {wording.num(got)} of {wording.num(got + removed)}"
                " ANN candidates:"
                f" the query returned fewer than LIMIT {lim.plan_rows} rows (unless an"
                " iterative scan was on and reached its bound)",
                f"{node.label()}: Filter {plan_expressions.shorten_literals(node.filter)},"
                " Rows Removed by"
                f" Filter {wording.num(removed)}, Actual Rows {wording.num(got)} < Limit Plan Rows"
                f" {wording.num(lim.plan_rows)}",
                "-- keep searching until LIMIT rows pass the filter (pgvector 0.8+):\n"
                "SET hnsw.iterative_scan = relaxed_order;     -- an HNSW index\n"
                "SET ivfflat.iterative_scan = relaxed_order;  -- an IVFFlat index\n"
                "-- before 0.8: raise hnsw.ef_search / ivfflat.probes; for a fixed filter a"
                " partial index",
                object=f"plan: {node.label()}",
                node_id=node.id,
            )


def _fix(
    ctx: RuleContext, scan: plan_walk.AnnScan, limit_n: int, selectivity: float
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The fix text and the settings it sets (for reconciliation)."""
    index, node = scan.index, scan.node
    iterative = effective_settings.pgvector_at_least(ctx, (0, 8, 0))
    lines: list[str] = []
    sets: tuple[tuple[str, str], ...]
    needed = math.ceil(limit_n / max(selectivity, 1e-6) * 2)
    if index.method == "hnsw":
        ef = effective_settings.setting_int(ctx, "hnsw.ef_search") or 40
        new_ef = min(pgvector_facts.HNSW_EF_SEARCH_MAX, max(needed, ef * 2))
        if iterative:
            lines.append("SET hnsw.iterative_scan = relaxed_order;  -- or strict_order")
            lines.append(f"-- or raise the candidate list: SET hnsw.ef_search = {new_ef};")
            sets = (("hnsw.iterative_scan", "relaxed_order"),)
        else:
            lines.append(f"SET hnsw.ef_search = {new_ef};")
            sets = (("hnsw.ef_search", str(new_ef)),)
            lines.append("-- pgvector 0.8.0+ adds iterative scans: ALTER EXTENSION vector UPDATE;")
    else:
        probes = effective_settings.setting_int(ctx, "ivfflat.probes") or 1
        lists = index.lists or 100
        new_probes = min(lists, max(probes * 2, math.ceil(probes / max(selectivity, 1e-6))))
        if iterative:
            lines.append("SET ivfflat.iterative_scan = relaxed_order;")
            lines.append(f"-- or scan more lists: SET ivfflat.probes = {new_probes};")
            sets = (("ivfflat.iterative_scan", "relaxed_order"),)
        else:
            lines.append(f"SET ivfflat.probes = {new_probes};")
            sets = (("ivfflat.probes", str(new_probes)),)
    key = wording.ident(index.key_column) if index.key_column else f"({index.key_expression})"
    if node.filter and "$" not in node.filter and "Plan" not in node.filter:
        lines.append(
            "-- for a fixed, low-cardinality filter: a partial index (or partition by it):"
        )
        lines.append(
            f"-- CREATE INDEX CONCURRENTLY ON {scan.table.quoted} USING {index.method}"
            f" ({key} {index.opclass}) WHERE {plan_expressions.shorten_literals(node.filter)};"
        )
    else:
        lines.append("-- for a fixed, low-cardinality filter: a partial index or partitioning")
    return "\n".join(lines), sets
