"""order-by-desc: ORDER BY <distance> DESC cannot use an ANN index.

Plan shape (pgvector-facts §2): Limit → Sort (top-N heapsort, Sort Key ``(emb <-> …) DESC``) →
Seq Scan, while an ANN index on that column serves the operator. Distances are smaller-is-closer
and an index only walks them ascending; DESC asks for the *farthest* rows.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.rules import plan_walk, rewrite, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


@register
class OrderByDesc(Rule):
    id = "order-by-desc"
    severity = Severity.WARNING
    summary = "ORDER BY distance DESC sorts every row (and returns the farthest ones)"
    kind = "query"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for hit, idx in plan_walk.served_sorted_scans(ctx):
            term, t = hit.term, hit.table
            if not term.desc or term.wrapped or term.column is None:
                continue
            evidence = (
                f"{hit.sort.node_type} (Sort Key {term.expression} DESC) over {hit.scan.label()};"
                f" {idx.qualified_name} ({idx.method} {idx.opclass}) serves {term.operator}"
                " ascending only"
            )
            fix, is_sql = self._fix(ctx, term.column, term.operator)
            yield self.finding(
                f"ORDER BY {term.column} {term.operator} … DESC cannot use {idx.qualified_name}:"
                " an ANN index returns the nearest rows first (ascending distance), so the"
                " whole table is scanned and sorted — and DESC returns the farthest rows",
                evidence,
                fix,
                fix_is_sql=is_sql,
                object=f"{t.display}.{term.column}",
                node_id=hit.sort.id,
            )

    @staticmethod
    def _fix(ctx: RuleContext, column: str, operator: str) -> tuple[str, bool]:
        if ctx.sql is not None:
            for _shape, item, _k in rewrite.knn_uses_on(ctx, column, operator):
                if (
                    item.descending
                    and not item.wrapped
                    and item.span is not None
                    and item.expr_span is not None
                ):
                    expr = ctx.sql[item.expr_span[0] : item.expr_span[1]]
                    new = rewrite.splice(ctx.sql, [(item.span[0], item.span[1], expr)])
                    return (
                        "-- nearest first: distances are smaller-is-closer, drop DESC\n"
                        + rewrite.display_sql(new),
                        True,
                    )
        return (
            f"Drop DESC: ORDER BY {wording.ident(column)} {operator} <query vector> LIMIT k returns"
            " the nearest rows (smaller distance = closer) and can use the index.",
            False,
        )
