"""binary-quantize-in-order-by: ``ORDER BY binary_quantize(col) <~> …`` computes the bit vector
for every row; without an expression index that matches it, the whole table is sorted.

Plan shape: Sort whose Sort Key holds ``binary_quantize(<col>)`` with ``<~>``/``<%>`` over a
scan of the table, no ANN index scan. Store the quantized vector (a generated column) or index
the exact expression, and repeat it in the query (seed guide: "never call binary_quantize() on
table columns inside ORDER BY").
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.rules import pgvector_facts, plan_expressions, plan_walk, rewrite, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


@register
class BinaryQuantizeInOrderBy(Rule):
    id = "binary-quantize-in-order-by"
    severity = Severity.WARNING
    summary = "binary_quantize() of the column computed per row in ORDER BY (no matching index)"
    kind = "query"
    needs = frozenset({"catalog", "query"})

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.inventory is None or ctx.plan is None or ctx.query is None:
            return
        sorts = [
            n
            for n in ctx.plan.nodes()
            if n.node_type in plan_walk.SORT_NODES
            and any("binary_quantize(" in k and ("<~>" in k or "<%>" in k) for k in n.sort_key)
        ]
        if not sorts:
            return
        for _scope, _shape, _item, k in rewrite.knn_uses(ctx):
            if k.use.column.function not in ("binary_quantize", "public.binary_quantize"):
                continue
            if rewrite.ann_scan_on(ctx, k.table) is not None:
                continue
            sort = sorts[0]
            matching = [
                i
                for i in k.expr_indexes
                if "binary_quantize" in (i.key_expression or "") and i.operator == k.use.operator
            ]
            key = next(s for s in sort.sort_key if "binary_quantize(" in s)
            dims = k.column.dims
            bit = f"bit({dims})" if dims else "bit"
            expr = f"binary_quantize({wording.ident(k.column.column)})::{bit}"
            if matching:
                idx = matching[0]
                msg = (
                    f"ORDER BY computes binary_quantize({k.column.column}) for every row:"
                    f" {idx.qualified_name} indexes {idx.key_expression}, but the query does not"
                    " repeat that expression exactly"
                )
                expr = idx.key_expression or expr
                ddl = None
            else:
                msg = (
                    f"ORDER BY computes binary_quantize({k.column.column}) for every row of"
                    f" {k.table.display} and sorts them: there is no ANN index on that expression"
                )
                opclass = pgvector_facts.opclass_for("bit", k.use.operator) or "bit_hamming_ops"
                ddl = (
                    f"CREATE INDEX CONCURRENTLY ON {k.table.quoted} USING hnsw"
                    f" (({expr}) {opclass});"
                )
            evidence = (
                f"{sort.node_type} (Sort Key {plan_expressions.shorten_literals(key)}) over"
                f" {', '.join(n.label() for n in rewrite.scans_of(ctx, k.table)) or 'a scan'}"
            )
            yield self.finding(
                msg,
                evidence,
                self._fix(ctx, k, expr, bit, ddl),
                object=f"{k.table.display}.{k.column.column}",
                node_id=sort.id,
            )
            return

    @staticmethod
    def _fix(ctx: RuleContext, k: rewrite.Knn, expr: str, bit: str, ddl: str | None) -> str:
        lines: list[str] = []
        if ddl:
            lines.append("-- index the quantized expression (or store it in a generated column)")
            lines.append(ddl)
        if ctx.sql is not None and k.use.span is not None:
            q = k.use.query
            qtext = (
                q.text
                if q.function and "binary_quantize" in q.function
                else f"binary_quantize({q.text})"
            )
            if "::" not in qtext.rsplit(")", 1)[-1]:
                qtext = f"{qtext}::{bit}"
            new_use = f"{expr} {k.use.operator} {qtext}"
            lines.append(
                "-- and order by exactly the indexed expression (re-rank candidates after)"
            )
            lines.append(rewrite.display_sql(rewrite.splice(ctx.sql, [(*k.use.span, new_use)])))
        return "\n".join(lines)
