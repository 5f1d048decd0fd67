"""order-by-expression: the distance is wrapped in a larger expression in ORDER BY.

Plan shape (pgvector-facts §2): Sort on ``('1' - (emb <=> …)) DESC`` → Seq Scan although an
index serves ``<=>``. Only ``ORDER BY <column> <op> <query>`` (or an alias of exactly that) can
use an ANN index; ``1 - distance`` (similarity), ``-distance``, ``distance * w`` … cannot.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.query import QueryShape
from pgvtui.core.rules import plan_walk, rewrite, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


@register
class OrderByExpression(Rule):
    id = "order-by-expression"
    severity = Severity.WARNING
    summary = "ORDER BY wraps the distance in an expression (e.g. 1 - distance): no index"
    kind = "query"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for hit, idx in plan_walk.served_sorted_scans(ctx):
            term, t = hit.term, hit.table
            if not term.wrapped or term.column is None:
                continue
            direction = " DESC" if term.desc else ""
            evidence = (
                f"{hit.sort.node_type} (Sort Key {term.expression}{direction}) over"
                f" {hit.scan.label()}; {idx.qualified_name} ({idx.method} {idx.opclass}) serves"
                f" a bare {term.column} {term.operator} <query>"
            )
            fix, is_sql = self._fix(ctx, term.column, term.operator)
            yield self.finding(
                f"ORDER BY {term.expression}{direction} wraps the distance, so"
                f" {idx.qualified_name} cannot be used: the whole table is scanned and sorted",
                evidence,
                fix,
                fix_is_sql=is_sql,
                object=f"{t.display}.{term.column}",
                node_id=hit.sort.id,
            )

    @staticmethod
    def _fix(ctx: RuleContext, column: str, operator: str) -> tuple[str, bool]:
        if ctx.sql is not None:
            for shape, item, k in rewrite.knn_uses_on(ctx, column, operator):
                if item.wrapped and item.span is not None:
                    bare = _bare_sort(shape, k.use.text)
                    new = rewrite.splice(ctx.sql, [(item.span[0], item.span[1], bare)])
                    note = (
                        "-- order by the bare distance, ascending (for 1 - distance or -distance"
                        " DESC this is the same order); keep the expression in the select list"
                    )
                    return note + "\n" + rewrite.display_sql(new), True
        return (
            f"ORDER BY the bare distance ({wording.ident(column)} {operator} <query vector>, or an"
            " alias of exactly that) ascending, and compute similarity in the select list.",
            False,
        )


def _bare_sort(shape: QueryShape, distance_text: str) -> str:
    """An alias of the bare distance when the select list has one, else the distance."""
    for s in shape.select_items:
        if s.alias and s.text.strip().strip("()").strip() == distance_text.strip():
            return wording.name(s.alias)
    return distance_text
