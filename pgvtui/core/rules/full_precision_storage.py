"""full-precision-storage: a wide vector column where halfvec would halve storage and index size.

Info only: vector(d) with d ≥ MIN_DIMS (and ≤ 2000, above that see dims-over-index-limit) on a
table of at least SMALL_TABLE_ROWS rows, with no halfvec expression index on it yet. A value is
8 + 4d bytes as vector, 8 + 2d as halfvec (reference §1); recall loss from half precision is
usually negligible for embeddings.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core import sizing
from pgvtui.core.rules import catalog, pgvector_facts, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

MIN_DIMS = 512


@register
class FullPrecisionStorage(Rule):
    id = "full-precision-storage"
    severity = Severity.INFO
    summary = "wide vector column: halfvec would halve the column and its index"
    kind = "catalog"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None:
            return
        for col in inv.columns:
            if col.type != "vector" or col.dims is None:
                continue
            if not MIN_DIMS <= col.dims <= pgvector_facts.INDEX_DIM_LIMITS["vector"]:
                continue
            rows = col.rows_estimate or 0
            if rows < pgvector_facts.SMALL_TABLE_ROWS:
                continue
            exprs = catalog.expression_indexes(inv, col.schema, col.table, col.column)
            if any(pgvector_facts.base_type(i.key_type or "") == "halfvec" for i in exprs):
                continue
            plain = catalog.column_indexes(inv, col.schema, col.table, col.column)
            d = col.dims
            full, half = sizing.value_size("vector", d), sizing.value_size("halfvec", d)
            saved = rows * (full - half)
            index_bytes = sum(i.size_bytes for i in plain)
            operator = plain[0].operator if plain and plain[0].operator else "<=>"
            method = plain[0].method if plain else "hnsw"
            opclass = (
                pgvector_facts.opclass_for("halfvec", operator, method) or "halfvec_cosine_ops"
            )
            table = wording.ident(col.schema, col.table)
            column = wording.ident(col.column)
            evidence = (
                f"{col.qualified_name} vector({d}): {full} B per value,"
                f" ~{wording.num(rows)} rows"
                + (
                    f"; ANN indexes on it: {', '.join(i.qualified_name for i in plain)}"
                    f" ({wording.human_bytes(index_bytes)})"
                    if plain
                    else ""
                )
            )
            fix = (
                f"-- index a half-precision copy ({half} B instead of {full} B per vector):\n"
                f"CREATE INDEX CONCURRENTLY ON {table} USING {method}"
                f" (({column}::halfvec({d})) {opclass});\n"
                f"-- queries must repeat the cast: ORDER BY {column}::halfvec({d})"
                f" {operator} $1::halfvec({d}) LIMIT k\n"
                f"-- or convert the column (rewrites the table under ACCESS EXCLUSIVE):\n"
                f"-- ALTER TABLE {table} ALTER COLUMN {column} TYPE halfvec({d});"
            )
            yield self.finding(
                f"{col.qualified_name} stores vector({d}) in full precision:"
                f" halfvec would save ~{wording.human_bytes(saved)} in the table"
                + (
                    f" and about half of {wording.human_bytes(index_bytes)} of index"
                    if plain
                    else ""
                ),
                evidence,
                fix,
                object=col.qualified_name,
            )
