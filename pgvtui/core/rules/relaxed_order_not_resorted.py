"""relaxed-order-not-resorted: a relaxed iterative scan inside a materialized CTE (or subquery)
is "re-sorted" by ``ORDER BY distance`` — which the planner drops.

Plan shape (pgvector-facts §2, J4/J5): with ``hnsw.iterative_scan = relaxed_order``, rows may
come slightly out of order; ``WITH r AS MATERIALIZED (… ORDER BY distance LIMIT k) SELECT * FROM
r ORDER BY distance`` has **no Sort node** above the CTE Scan because the planner knows r is
already ordered by distance. ``ORDER BY distance + 0`` forces the Sort.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.query import OrderItem, QueryShape
from pgvtui.core.rules import effective_settings, plan_walk, rewrite
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


@register
class RelaxedOrderNotResorted(Rule):
    id = "relaxed-order-not-resorted"
    severity = Severity.WARNING
    summary = "ORDER BY distance over a relaxed-order CTE is dropped by the planner: use + 0"
    kind = "query"
    needs = frozenset({"query"})

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.plan is None or ctx.query is None:
            return
        relaxed = [
            m
            for m in ("hnsw", "ivfflat")
            if effective_settings.iterative_mode(ctx, m) == "relaxed_order"
        ]
        anns = ctx.plan.ann_scans()
        if not relaxed or not anns:
            return
        modes = ", ".join(f"{m}.iterative_scan = relaxed_order" for m in relaxed)
        for _scope, shape in ctx.query.walk():
            for source, inner, scan_match in _ordered_sources(shape):
                od = inner.order_distance()
                if od is None or inner.limit_text is None:
                    continue
                inner_item = od[0]
                names = _distance_names(inner, inner_item)
                for item in shape.order_by:
                    if not item.is_bare_reference or item.references[0] not in names:
                        continue
                    scan = plan_walk.source_scan(ctx.plan.nodes(), *scan_match)
                    if scan is None or rewrite.sorts_above(ctx, scan):
                        continue
                    evidence = (
                        f"{scan.label()} with no Sort above it although the query says ORDER BY"
                        f" {item.text}; inside, {anns[0].label()} runs with {modes}"
                    )
                    yield self.finding(
                        f"ORDER BY {item.text} over {source} does not re-sort: the planner"
                        f" already considers {source} ordered by {item.text}, so the slightly"
                        " out-of-order rows of a relaxed iterative scan come back as they are",
                        evidence,
                        _fix(ctx, item),
                        object=f"query: {source}",
                        node_id=scan.id,
                    )


def _ordered_sources(shape: QueryShape) -> Iterator[tuple[str, QueryShape, tuple[str, str]]]:
    for f in shape.from_items:
        if f.kind == "cte" and f.name:
            c = rewrite.find_cte(shape, f.name)
            if c is not None:
                yield f"the CTE {f.name}", c.shape, ("cte", f.name)
        elif f.subquery is not None:
            yield f"the subquery {f.ref_name or ''}".strip(), f.subquery, ("subquery", "")


def _distance_names(inner: QueryShape, item: OrderItem) -> set[str]:
    """Output names of the inner level that carry its ORDER BY distance."""
    out = set()
    if item.alias:
        out.add(item.alias)
    for s in inner.select_items:
        if s.alias and s.distances and any(d in item.distances for d in s.distances):
            out.add(s.alias)
    return out


def _fix(ctx: RuleContext, item: OrderItem) -> str:
    if ctx.sql is None or item.expr_span is None:
        return f"-- ORDER BY {item.text} + 0 forces the planner to sort again"
    a, b = item.expr_span
    new = rewrite.splice(ctx.sql, [(a, b, f"{ctx.sql[a:b]} + 0")])
    return "-- + 0 makes it a new sort key, so the rows are really re-sorted\n" + (
        rewrite.display_sql(new)
    )
