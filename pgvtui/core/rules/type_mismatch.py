"""type-mismatch: the column is cast in the ORDER BY, or the index is on an expression the
query does not repeat.

Plan shapes (pgvector-facts §1–2): a *vector* column queried with ``'…'::halfvec`` (or written
``emb::halfvec(64)``) sorts on ``((emb)::halfvec <-> …)`` over a Seq Scan — the column is cast,
the index on the plain column is useless. An expression index ``((emb::halfvec(64)))`` is used
only when the ORDER BY repeats that expression; ``ORDER BY emb <=> q`` sorts over a Seq Scan.
(A *halfvec* column queried with ``::vector`` is fine: the literal is cast, not the column.)
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.models import IndexInfo
from pgvtui.core.rules import catalog, pgvector_facts, plan_walk, rewrite, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


@register
class TypeMismatch(Rule):
    id = "type-mismatch"
    severity = Severity.WARNING
    summary = "the column is cast in ORDER BY, or the query does not repeat an expression index"
    kind = "query"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None or ctx.plan is None:
            return
        for hit in plan_walk.sorted_scans(ctx, plan_walk.relation_scan_types(ctx.plan)):
            term, t = hit.term, hit.table
            if term.column is None or term.wrapped or term.desc:
                continue
            col = inv.column(t.schema, t.table, term.column)
            if col is None:
                continue
            plain = catalog.serving(
                catalog.column_indexes(inv, t.schema, t.table, term.column), term.operator
            )
            exprs = catalog.serving(
                catalog.expression_indexes(inv, t.schema, t.table, term.column), term.operator
            )
            ctype = rewrite.column_type(col)
            if term.cast is not None and plain:
                idx = plain[0]
                evidence = (
                    f"{hit.sort.node_type} (Sort Key {term.expression}) over {hit.scan.label()}:"
                    f" the column {term.column} ({ctype}) is cast to {term.cast};"
                    f" {idx.qualified_name} indexes the plain column ({idx.opclass})"
                )
                yield self.finding(
                    f"{t.display}.{term.column} is {ctype} but the ORDER BY casts it to"
                    f" {term.cast}, so {idx.qualified_name} cannot be used: cast the query"
                    f" vector to {ctype} instead of casting the column",
                    evidence,
                    self._fix_cast(ctx, t, term.column, ctype, idx, term.cast),
                    object=f"{t.display}.{term.column}",
                    node_id=hit.sort.id,
                )
            elif term.cast is None and not plain and exprs:
                idx = exprs[0]
                evidence = (
                    f"{hit.sort.node_type} (Sort Key {term.expression}) over {hit.scan.label()};"
                    f" the only ANN index for {term.operator} is on the expression"
                    f" {idx.key_expression} ({idx.qualified_name}, {idx.opclass})"
                )
                yield self.finding(
                    f"{idx.qualified_name} indexes {idx.key_expression}, but the query orders by"
                    f" the plain column {term.column}: repeat the indexed expression in ORDER BY",
                    evidence,
                    self._fix_expression(ctx, t, term.column, idx),
                    object=f"{t.display}.{term.column}",
                    node_id=hit.sort.id,
                )

    @staticmethod
    def _use(ctx: RuleContext, column: str) -> rewrite.Knn | None:
        return next((k for _shape, _item, k in rewrite.knn_uses_on(ctx, column)), None)

    def _fix_cast(
        self,
        ctx: RuleContext,
        t: catalog.TableRef,
        column: str,
        ctype: str,
        idx: IndexInfo,
        cast: str,
    ) -> str:
        k = self._use(ctx, column)
        lines: list[str] = []
        if k is not None and ctx.sql is not None and k.use.span is not None:
            qual = k.use.column.qualifier
            col_text = (wording.ident(qual) + "." if qual else "") + wording.ident(column)
            new_use = f"{col_text} {k.use.operator} {rewrite.query_side_for(k.use, ctype)}"
            lines.append(f"-- cast the query vector to the column's type ({ctype}):")
            lines.append(rewrite.display_sql(rewrite.splice(ctx.sql, [(*k.use.span, new_use)])))
        lines.append(f"-- or, to search in {cast}, index that expression:")
        opclass = (
            pgvector_facts.opclass_for(
                pgvector_facts.base_type(cast), k.use.operator if k else "<->", idx.method
            )
            or idx.opclass
        )
        key = f"({wording.ident(column)}::{cast})"
        lines.append(
            f"CREATE INDEX CONCURRENTLY ON {t.quoted} USING {idx.method} ({key} {opclass});"
        )
        return "\n".join(lines)

    def _fix_expression(
        self, ctx: RuleContext, t: catalog.TableRef, column: str, idx: IndexInfo
    ) -> str:
        k = self._use(ctx, column)
        key_type = idx.key_type or "vector"
        typed = f"{key_type}({idx.key_dims})" if idx.key_dims else key_type
        expr = idx.key_expression or ""
        if not expr.startswith("("):
            expr = f"({expr})"
        if k is not None and ctx.sql is not None and k.use.span is not None:
            new_use = f"{expr} {k.use.operator} {rewrite.query_side_for(k.use, typed)}"
            return (
                f"-- repeat the indexed expression of {wording.ident(idx.schema, idx.name)}:\n"
                + rewrite.display_sql(rewrite.splice(ctx.sql, [(*k.use.span, new_use)]))
            )
        return (
            f"-- ORDER BY {expr} {idx.operator} <query vector>::{typed} LIMIT k\n"
            f"-- (the expression of {wording.ident(idx.schema, idx.name)} on {t.display})"
        )
