"""missing-limit: a k-NN ORDER BY without LIMIT.

Plan shapes (pgvector-facts §2): without LIMIT the planner sorts every row (Sort, quicksort,
over a Seq Scan) — exact but slow; and when it does use the index (e.g. enable_seqscan = off)
the bare Index Scan is **silently truncated** to hnsw.ef_search rows (40 by default) unless an
iterative scan is on. Both shapes have no Limit node above the distance ordering.
``LIMIT ALL`` and ``LIMIT NULL`` are no limit (the planner drops them). A range query (a
distance threshold in WHERE) gets the threshold pattern, not "add LIMIT 10".

On a recorded plan without the catalog, the plan-visible half runs: a distance Sort that is not
a top-N heapsort, or an ANN-ordered index scan, with no Limit above — unless the plan is an
excerpt that starts below its root (the Limit may be above what was pasted).
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core import statement
from pgvtui.core.plan import VECTOR_OPERATORS, Plan, PlanNode
from pgvtui.core.rules import effective_settings, plan_expressions, plan_walk, rewrite, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


def _under_limit(plan: Plan, node: PlanNode) -> bool:
    """Is there a Limit anywhere above ``node``?"""
    return any(n.node_type == "Limit" for n in plan_walk.ancestors(plan, node))


@register
class MissingLimit(Rule):
    id = "missing-limit"
    severity = Severity.WARNING
    summary = "ORDER BY distance without LIMIT: a full sort, or an index scan cut at ef_search"
    kind = "query"
    needs = frozenset()

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.plan is not None and ctx.inventory is None:
            yield from self._plan_only(ctx, ctx.plan)
            return
        if ctx.inventory is None or ctx.plan is None or ctx.query is None:
            return
        fix = self._fix(ctx)
        if fix is None:
            return  # the query has a LIMIT at the k-NN level
        for scan in plan_walk.ann_scans(ctx):
            if _under_limit(ctx.plan, scan.node):
                continue
            method = scan.index.method
            mode = effective_settings.iterative_mode(ctx, method)
            rows = scan.node.actual_rows
            if method == "hnsw" and mode == "off":
                ef = effective_settings.setting_int(ctx, "hnsw.ef_search") or 40
                yield self.finding(
                    f"ORDER BY … without LIMIT on {scan.table.display}: the index scan returns at"
                    f" most hnsw.ef_search = {ef} rows, silently — not every row",
                    f"{scan.node.label()} with no Limit above it returned"
                    f" {wording.num(rows)} rows; hnsw.iterative_scan = off,"
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
                    f"{scan.node.label()} with no Limit above it returned {wording.num(rows)} rows;"
                    f" {method}.iterative_scan = {mode}",
                    fix,
                    object=scan.table.display,
                    node_id=scan.node.id,
                )
        for hit in plan_walk.sorted_scans(ctx, plan_walk.relation_scan_types(ctx.plan)):
            if _under_limit(ctx.plan, hit.sort):
                continue
            rows = plan_walk.scan_rows(hit.scan)
            yield self.finding(
                f"ORDER BY {hit.term.expression} without LIMIT sorts all"
                f" {wording.num(rows)} rows of {hit.table.display}; an ANN index serves only"
                " ORDER BY … LIMIT k",
                f"{hit.sort.node_type} ({hit.sort.sort_method or 'sort'}, Sort Key"
                f" {hit.term.expression}) over {hit.scan.label()}, no Limit above it",
                fix,
                object=hit.table.display,
                node_id=hit.sort.id,
            )

    def _plan_only(self, ctx: RuleContext, plan: Plan) -> Iterator[Finding]:
        if plan.fragment:
            return  # an excerpt: a Limit may sit above what was pasted
        fix = self._fix(ctx) if ctx.query is not None else None
        if ctx.query is not None and fix is None:
            return  # the query has a LIMIT at the k-NN level
        for node in plan.nodes():
            if _under_limit(plan, node):
                continue
            if node.node_type in plan_walk.SORT_NODES and plan_expressions.sort_terms(node):
                if node.sort_method == "top-N heapsort":
                    continue  # a bound above it, even if the excerpt does not show it
                below = [d for d in plan_walk.descendants(node) if d.relation]
                rows = plan_walk.scan_rows(below[0]) if below else node.plan_rows
                ranged = _range_filter(below)
                yield self.finding(
                    f"ORDER BY {plan_expressions.sort_terms(node)[0].expression}"
                    " without LIMIT sorts all"
                    f" {wording.num(rows)} rows; an ANN index serves only ORDER BY … LIMIT k",
                    f"{node.node_type} ({node.sort_method or 'sort'}) with no Limit above it",
                    fix or (_THRESHOLD if ranged else _ADD_LIMIT),
                    object=f"plan: {node.label()}",
                    fix_is_sql=fix is not None,
                    node_id=node.id,
                )
            elif node.ann_order:
                yield self.finding(
                    f"{node.label()} is ordered by distance with no LIMIT above it: an HNSW"
                    " scan stops at hnsw.ef_search rows (40 by default), silently, unless an"
                    " iterative scan is on",
                    f"{node.label()} with no Limit above it returned"
                    f" {wording.num(node.actual_rows)} rows",
                    fix or (_THRESHOLD if _range_filter([node]) else _ADD_LIMIT),
                    object=f"plan: {node.label()}",
                    fix_is_sql=fix is not None,
                    node_id=node.id,
                )

    @staticmethod
    def _fix(ctx: RuleContext) -> str | None:
        assert ctx.query is not None
        target = ctx.query.knn()
        if target is None:
            return None
        if not no_limit(target.shape.limit_text):
            # a LIMIT that is NULL another way (a function's match_count DEFAULT null, bound
            # into the body as CAST(NULL AS integer)) is no limit either
            if ctx.sql is None or statement.limit_kind(ctx.sql) != "null":
                return None
            return (
                f"-- LIMIT NULL is no limit: pass a k (e.g. LIMIT {rewrite.DEFAULT_K}); in a"
                " function, call it with a non-null match_count or give it a default"
            )
        shape = target.shape
        if any(d.clause == "where" for d in shape.distances):
            return _THRESHOLD
        if ctx.sql is None or shape.span is None:
            return f"-- add LIMIT {rewrite.DEFAULT_K} (the k of the k-NN) after the ORDER BY"
        limit = f"LIMIT {rewrite.DEFAULT_K}"
        if shape.limit_span is not None:  # LIMIT ALL / LIMIT NULL: replace it
            a, b = shape.limit_span
            new = rewrite.splice(ctx.sql, [(a, b, limit)])
        else:
            end = shape.span[1]
            new = rewrite.splice(ctx.sql, [(end, end, " " + limit)])
        return "-- ask for the k nearest rows\n" + rewrite.display_sql(new)


def no_limit(limit_text: str | None) -> bool:
    """No LIMIT, ``LIMIT ALL`` (no text) or ``LIMIT NULL``: all rows."""
    return limit_text is None or limit_text.strip().upper() in ("NULL", "NULL::BIGINT")


def _range_filter(scans: list[PlanNode]) -> bool:
    """A distance threshold in the scan's Filter (a range query)."""
    return any(
        n.filter and any(op in n.filter for op in VECTOR_OPERATORS) for n in scans if n.filter
    )


_ADD_LIMIT = (
    f"-- add LIMIT k after the ORDER BY (e.g. LIMIT {rewrite.DEFAULT_K}): the k nearest rows"
)
_THRESHOLD = (
    "-- a range query (distance threshold) needs a bound: let the index find the n nearest,\n"
    "-- then keep the threshold as a filter on them:\n"
    "--   SELECT * FROM (\n"
    "--     SELECT t.*, t.embedding <-> $1 AS distance FROM t ORDER BY distance LIMIT 100\n"
    "--   ) AS nearest WHERE distance < 0.5;\n"
    "-- n above hnsw.ef_search (40): SET hnsw.iterative_scan = relaxed_order (pgvector 0.8+)\n"
    "-- and raise hnsw.max_scan_tuples, or ivfflat.iterative_scan for IVFFlat"
)
