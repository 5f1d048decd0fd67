"""missing-limit: a k-NN ORDER BY without LIMIT.

Plan shapes (pgvector-facts §2): without LIMIT the planner sorts every row (Sort, quicksort,
over a Seq Scan) — exact but slow; and when it does use the index (e.g. enable_seqscan = off)
the bare Index Scan is **silently truncated** to hnsw.ef_search rows (40 by default) unless an
iterative scan is on. Both shapes have no Limit node above the distance ordering.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.plan import Plan, PlanNode
from pgvtui.core.rules import rewrite, util
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


def _under_limit(plan: Plan, node: PlanNode) -> bool:
    """Is there a Limit anywhere above ``node``?"""
    return any(n.node_type == "Limit" for n in util.ancestors(plan, node))


@register
class MissingLimit(Rule):
    id = "missing-limit"
    severity = Severity.WARNING
    summary = "ORDER BY distance without LIMIT: a full sort, or an index scan cut at ef_search"
    kind = "query"
    needs = frozenset({"catalog", "query"})

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.inventory is None or ctx.plan is None or ctx.query is None:
            return
        fix = self._fix(ctx)
        if fix is None:
            return  # the query has a LIMIT at the k-NN level
        for scan in util.ann_scans(ctx):
            if _under_limit(ctx.plan, scan.node):
                continue
            method = scan.index.method
            mode = util.iterative_mode(ctx, method)
            rows = scan.node.actual_rows
            if method == "hnsw" and mode == "off":
                ef = util.setting_int(ctx, "hnsw.ef_search") or 40
                yield self.finding(
                    f"ORDER BY … without LIMIT on {scan.table.display}: the index scan returns at"
                    f" most hnsw.ef_search = {ef} rows, silently — not every row",
                    f"{scan.node.label()} with no Limit above it returned"
                    f" {util.num(rows)} rows; hnsw.iterative_scan = off,"
                    f" hnsw.ef_search = {ef}",
                    fix,
                    object=scan.table.display,
                    severity=Severity.ERROR,
                    node_id=scan.node.id,
                )
            else:
                yield self.finding(
                    f"ORDER BY … without LIMIT on {scan.table.display}: the index scan keeps"
                    " walking the graph for every row it can find",
                    f"{scan.node.label()} with no Limit above it returned {util.num(rows)} rows;"
                    f" {method}.iterative_scan = {mode}",
                    fix,
                    object=scan.table.display,
                    node_id=scan.node.id,
                )
        for hit in util.sorted_scans(ctx, util.relation_scan_types(ctx.plan)):
            if _under_limit(ctx.plan, hit.sort):
                continue
            rows = util.scan_rows(hit.scan)
            yield self.finding(
                f"ORDER BY {hit.term.expression} without LIMIT sorts all"
                f" {util.num(rows)} rows of {hit.table.display}; an ANN index serves only"
                " ORDER BY … LIMIT k",
                f"{hit.sort.node_type} ({hit.sort.sort_method or 'sort'}, Sort Key"
                f" {hit.term.expression}) over {hit.scan.label()}, no Limit above it",
                fix,
                object=hit.table.display,
                node_id=hit.sort.id,
            )

    @staticmethod
    def _fix(ctx: RuleContext) -> str | None:
        assert ctx.query is not None
        target = ctx.query.knn()
        if target is None or target.shape.limit_text is not None:
            return None
        shape = target.shape
        if ctx.sql is None or shape.span is None:
            return f"-- add LIMIT {rewrite.DEFAULT_K} (the k of the k-NN) after the ORDER BY"
        end = shape.span[1]
        new = rewrite.splice(ctx.sql, [(end, end, f" LIMIT {rewrite.DEFAULT_K}")])
        return "-- ask for the k nearest rows\n" + rewrite.display_sql(new)
