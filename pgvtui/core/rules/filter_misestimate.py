"""filter-misestimate: the planner misjudged how many rows a filter keeps on the scan under a
distance sort (estimated vs actual off by 10× or more), which is how it came to choose an exact
sort over an ANN index scan.

Plan shape (ANALYZE): a ``Sort`` whose Sort Key holds a pgvector distance over a scan with a
Filter / Recheck Cond / Index Cond whose Plan Rows and Actual Rows (per loop) differ by a factor
of :data:`FACTOR` or more. Works on the plan alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.rules import plan_expressions, plan_walk, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

FACTOR = 10.0


@register
class FilterMisestimate(Rule):
    id = "filter-misestimate"
    severity = Severity.WARNING
    summary = "the filter under a distance sort is misestimated 10× or more: the plan may be wrong"
    kind = "query"
    needs = frozenset()

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        plan = ctx.plan
        if plan is None:
            return
        for sort in plan.nodes():
            if sort.node_type not in plan_walk.SORT_NODES or not plan_expressions.sort_terms(sort):
                continue
            for scan in plan_walk.descendants(sort):
                cond = scan.filter or scan.raw.get("Recheck Cond") or scan.index_cond
                if not scan.relation or not cond:
                    continue
                if scan.actual_rows is None or scan.plan_rows is None or not scan.actual_loops:
                    continue
                est, act = max(scan.plan_rows, 1), max(scan.actual_rows, 1.0)
                ratio = max(est / act, act / est)
                if ratio < FACTOR:
                    continue
                way = "under" if act > est else "over"
                yield self.finding(
                    f"the planner {way}estimated the rows {scan.label()} keeps by {ratio:.0f}×"
                    f" (estimated {wording.num(scan.plan_rows)},"
                    f" actual {wording.num(scan.actual_rows)}"
                    " per loop): with the right number it may have chosen the ANN index",
                    f"{scan.label()} with {plan_expressions.shorten_literals(str(cond))}: plan rows"
                    f" {wording.num(scan.plan_rows)}, actual rows {wording.num(scan.actual_rows)}",
                    f"ANALYZE {scan.relation};\n"
                    "-- correlated filter columns: CREATE STATISTICS … (dependencies, mcv) ON"
                    " col_a, col_b FROM …; ANALYZE\n"
                    "-- or let the ANN index handle the filter: SET hnsw.iterative_scan ="
                    " relaxed_order (pgvector 0.8+)",
                    object=f"plan: {scan.label()}",
                    node_id=scan.id,
                )
