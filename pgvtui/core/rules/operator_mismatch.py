"""operator-mismatch: the column has an ANN index, but its opclass serves another operator.

Plan shape: Sort (Sort Key ``<col> <op> …``) over a scan of the table; the catalog's indexes on
that column (or on the same cast of it) all serve other operators (pg_amop via IndexInfo.operator).
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.models import IndexInfo
from pgvtui.core.rules import catalog, pgvector_facts, plan_walk, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

_UNIT_EQUIVALENT = {"<->", "<=>", "<#>"}


@register
class OperatorMismatch(Rule):
    id = "operator-mismatch"
    severity = Severity.WARNING
    summary = "the query's distance operator is not the one the column's ANN index serves"
    kind = "query"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None or ctx.plan is None:
            return
        for hit in plan_walk.sorted_scans(ctx, plan_walk.relation_scan_types(ctx.plan)):
            t, term = hit.table, hit.term
            column = term.column
            assert column is not None
            col = inv.column(t.schema, t.table, column)
            assert col is not None
            if term.cast is None:
                key_type = pgvector_facts.base_type(col.type)
                candidates = catalog.column_indexes(inv, t.schema, t.table, column)
            else:
                key_type = pgvector_facts.base_type(term.cast)
                candidates = catalog.expression_indexes(inv, t.schema, t.table, column)
            indexes = [
                i
                for i in candidates
                if i.valid and pgvector_facts.base_type(i.key_type or col.type) == key_type
            ]
            if not indexes or any(i.operator == term.operator for i in indexes):
                continue
            served = ", ".join(
                f"{i.qualified_name} ({i.method} {i.opclass}: {i.operator})" for i in indexes
            )
            evidence = (
                f"{hit.sort.node_type} (Sort Key {term.expression}) over {hit.scan.label()};"
                f" the index(es) on {t.display}.{column}: {served}"
            )
            first = indexes[0]
            served_op = first.operator or "?"
            yield self.finding(
                f"ORDER BY {wording.name(column)} {term.operator} … cannot use"
                f" {first.qualified_name}:"
                f" it serves {served_op} ({pgvector_facts.OPERATOR_NAME.get(served_op, '?')}),"
                f" the query uses {term.operator}"
                f" ({pgvector_facts.OPERATOR_NAME.get(term.operator, '?')})",
                evidence,
                _fix(first, key_type, term.operator, t, column, term.cast),
                object=f"{t.display}.{column}",
                node_id=hit.sort.id,
            )


def _fix(
    index: IndexInfo,
    key_type: str,
    operator: str,
    t: catalog.TableRef,
    column: str,
    cast: str | None,
) -> str:
    method = index.method
    opclass = pgvector_facts.opclass_for(key_type, operator, method)
    if opclass is None:
        method = "hnsw"
        opclass = pgvector_facts.opclass_for(key_type, operator, method)
    key = wording.ident(column) if cast is None else f"({wording.ident(column)}::{cast})"
    lines: list[str] = []
    if opclass is not None:
        with_ = ""
        if method == "ivfflat" and index.lists is not None:
            with_ = f" WITH (lists = {index.lists})"
        lines.append(
            f"-- an index for {operator} ({pgvector_facts.OPERATOR_NAME.get(operator, '?')}):"
        )
        lines.append(
            f"CREATE INDEX CONCURRENTLY ON {t.quoted} USING {method} ({key} {opclass}){with_};"
        )
    else:
        lines.append(f"-- no {key_type} operator class serves {operator}")
    served = index.operator or "?"
    if {operator, served} <= _UNIT_EQUIVALENT:
        lines.append(
            f"-- or rewrite the query to ORDER BY {key} {served} <query>: equivalent only when"
            " every stored and query vector has unit length (normalized embeddings);"
            " otherwise the order differs"
        )
    else:
        lines.append(
            f"-- rewriting to {served} is NOT equivalent:"
            f" {pgvector_facts.OPERATOR_NAME.get(served, served)}"
            f" and {pgvector_facts.OPERATOR_NAME.get(operator, operator)}"
            " rank neighbours differently"
        )
    return "\n".join(lines)
