"""no-ann-index: a distance ORDER BY sorted over a Seq Scan of a table with no ANN index on it.

Plan shape: Sort (Sort Key ``<col> <op> …``) over a Seq Scan of the column's table, and the
catalog has no HNSW/IVFFlat index on the column nor on any expression of it.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.rules import catalog, pgvector_facts, plan_walk, rewrite, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


@register
class NoAnnIndex(Rule):
    id = "no-ann-index"
    severity = Severity.WARNING
    summary = "k-NN query sorts every row: the vector column has no HNSW/IVFFlat index"
    kind = "query"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None or ctx.plan is None:
            return
        for hit in plan_walk.sorted_scans(ctx):
            t, term = hit.table, hit.term
            column = term.column
            assert column is not None
            if catalog.column_indexes(inv, t.schema, t.table, column) or catalog.expression_indexes(
                inv, t.schema, t.table, column
            ):
                continue
            if catalog.scan_is_cheap(inv, t.schema, t.table):
                continue
            col = inv.column(t.schema, t.table, column)
            assert col is not None
            rows = plan_walk.scan_rows(hit.scan)
            typ = rewrite.column_type(col)
            table_rows = wording.num(catalog.table_rows(inv, t.schema, t.table))
            evidence = (
                f"{hit.sort.node_type} (Sort Key {term.expression}) over {hit.scan.label()}"
                f" reading {wording.num(rows)} rows; no HNSW/IVFFlat index on"
                f" {t.display}.{column} ({typ}, ~{table_rows} rows)"
            )
            fix, fix_is_sql = _fix(col.type, col.dims, term.operator, t, column)
            yield self.finding(
                f"ORDER BY {wording.name(column)} {term.operator} … on {t.display} scans and sorts"
                " the whole table: there is no ANN index on the column",
                evidence,
                fix,
                fix_is_sql=fix_is_sql,
                object=f"{t.display}.{column}",
                node_id=hit.scan.id,
            )


def _fix(
    type_name: str, dims: int | None, operator: str, t: catalog.TableRef, column: str
) -> tuple[str, bool]:
    base = pgvector_facts.base_type(type_name)
    opclass = pgvector_facts.opclass_for(base, operator, "hnsw")
    if opclass is None:
        return (
            f"No HNSW operator class serves {operator} on {base}; use an operator the type"
            " supports (see docs/rules.md).",
            False,
        )
    if dims is None:
        return (
            f"The column has no fixed dimension, so it cannot be indexed: give it one"
            f" (ALTER TABLE {t.quoted} ALTER COLUMN {wording.ident(column)} TYPE {base}(<d>)),"
            f" then CREATE INDEX CONCURRENTLY ON {t.quoted} USING hnsw"
            f" ({wording.ident(column)} {opclass});",
            False,
        )
    limit = pgvector_facts.INDEX_DIM_LIMITS.get(base)
    if limit is not None and dims > limit:
        if base == "vector" and dims <= pgvector_facts.INDEX_DIM_LIMITS["halfvec"]:
            half = pgvector_facts.opclass_for("halfvec", operator, "hnsw")
            return (
                f"-- {base}({dims}) is over the {limit}-dimension index limit: index a halfvec"
                " cast and repeat the cast in the query\n"
                f"CREATE INDEX CONCURRENTLY ON {t.quoted} USING hnsw"
                f" (({wording.ident(column)}::halfvec({dims})) {half});",
                True,
            )
        return (
            f"{base}({dims}) is over the {limit}-dimension index limit: index a"
            " binary_quantize() expression and re-rank, or reduce the dimensions.",
            False,
        )
    return (
        f"CREATE INDEX CONCURRENTLY ON {t.quoted} USING hnsw ({wording.ident(column)} {opclass});",
        True,
    )
