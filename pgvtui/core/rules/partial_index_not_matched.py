"""partial-index-not-matched: the only ANN index for the operator is partial, and the plan
shows it was not used because the query's WHERE does not imply the index predicate.

Plan shape: the k-NN table is scanned without an ANN-ordered Index Scan (Sort over a Seq Scan
or a Bitmap Heap Scan), while the catalog's valid indexes on the column that serve the operator
all carry a predicate (pg_index.indpred). The planner uses a partial index only when the WHERE
clause provably implies its predicate.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.models import IndexInfo
from pgvtui.core.query import QueryShape
from pgvtui.core.rules import plan_expressions, rewrite, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


@register
class PartialIndexNotMatched(Rule):
    id = "partial-index-not-matched"
    severity = Severity.WARNING
    summary = "only a partial ANN index exists and the query's WHERE does not match its predicate"
    kind = "query"
    needs = frozenset({"catalog", "query"})

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.inventory is None or ctx.plan is None or ctx.query is None:
            return
        seen: set[str] = set()
        for _scope, shape, _item, k in rewrite.knn_uses(ctx):
            serving = k.serving
            if not serving or any(i.predicate is None for i in serving):
                continue
            if rewrite.ann_scan_on(ctx, k.table) is not None:
                continue
            scans = rewrite.scans_of(ctx, k.table)
            if not scans:
                continue
            key = f"{k.table.display}.{k.column.column}"
            if key in seen:
                continue
            seen.add(key)
            scan = scans[0]
            sorts = rewrite.sorts_above(ctx, scan)
            node = sorts[0] if sorts else scan
            preds = "; ".join(f"{i.qualified_name} WHERE {i.predicate}" for i in serving)
            where = shape.where_text or "(no WHERE clause)"
            evidence = (
                f"{scan.label()}"
                + (f" under {node.node_type}" if node is not scan else "")
                + f"; partial index(es): {preds}; the query's WHERE:"
                + f" {plan_expressions.shorten_literals(where)}"
            )
            yield self.finding(
                f"the only ANN index(es) on {key} for {k.use.operator} are partial"
                f" ({serving[0].qualified_name} WHERE {serving[0].predicate}), and the query's"
                " WHERE does not imply that predicate, so the index is not used",
                evidence,
                self._fix(ctx, shape, serving[0], k),
                object=key,
                node_id=node.id,
            )

    @staticmethod
    def _fix(ctx: RuleContext, shape: QueryShape, idx: IndexInfo, k: rewrite.Knn) -> str:
        lines: list[str] = []
        pred = idx.predicate or ""
        if ctx.sql is not None and shape.span is not None:
            if shape.where_span is not None:
                a, b = shape.where_span
                cond = ctx.sql[a:b]
                new = rewrite.splice(ctx.sql, [(a, b, f"({cond}) AND ({pred})")])
            elif shape.order_by_span is not None or shape.limit_span is not None:
                span = shape.order_by_span or shape.limit_span
                assert span is not None
                new = rewrite.splice(ctx.sql, [(span[0], span[0], f"WHERE {pred} ")])
            else:
                end = shape.span[1]
                new = rewrite.splice(ctx.sql, [(end, end, f" WHERE {pred}")])
            lines.append(
                f"-- if only rows with {pred} are wanted, say so (the index then matches):"
            )
            lines.append(rewrite.display_sql(new))
        opclass = idx.opclass
        lines.append("-- otherwise index every row:")
        lines.append(
            f"CREATE INDEX CONCURRENTLY ON {k.table.quoted} USING {idx.method}"
            f" ({wording.ident(k.column.column)} {opclass});"
        )
        return "\n".join(lines)
