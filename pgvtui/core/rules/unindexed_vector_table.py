"""unindexed-vector-table: a large table with a vector column and no ANN index on it at all.

The query rule ``no-ann-index`` needs a query; this catalog rule says it from the catalog alone,
with the same threshold (quiet while an exact scan is cheap: under 1,000 rows or 1 MB of heap +
TOAST). A column with no dimensions is left to ``untyped-vector-column`` (it cannot be indexed
as it is).
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.rules import catalog, pgvector_facts, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


@register
class UnindexedVectorTable(Rule):
    id = "unindexed-vector-table"
    severity = Severity.WARNING
    summary = "a large table's vector column has no HNSW/IVFFlat index at all"
    kind = "catalog"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None:
            return
        for col in inv.columns:
            if col.dims is None:
                continue  # untyped-vector-column
            if catalog.scan_is_cheap(inv, col.schema, col.table):
                continue
            if catalog.column_indexes(inv, col.schema, col.table, col.column):
                continue
            if catalog.expression_indexes(inv, col.schema, col.table, col.column):
                continue
            base = pgvector_facts.base_type(col.type)
            opclass = pgvector_facts.opclass_for(base, "<=>", "hnsw") or pgvector_facts.opclass_for(
                base, "<~>", "hnsw"
            )
            table, column = wording.ident(col.schema, col.table), wording.ident(col.column)
            rows = wording.num(catalog.table_rows(inv, col.schema, col.table))
            limit = pgvector_facts.INDEX_DIM_LIMITS.get(base)
            if opclass is None or (limit is not None and col.dims > limit):
                fix = (
                    f"{col.type}({col.dims}) cannot be indexed by HNSW/IVFFlat as it is (see"
                    " dims-over-index-limit): index a halfvec or binary_quantize expression."
                )
                fix_is_sql = False
            else:
                fix = (
                    f"CREATE INDEX CONCURRENTLY ON {table} USING hnsw ({column} {opclass});\n"
                    "-- the operator class must match the distance your queries use"
                    " (_l2_ops for <->, _cosine_ops for <=>, _ip_ops for <#>)"
                )
                fix_is_sql = True
            yield self.finding(
                f"{col.qualified_name} ({col.type}({col.dims}), ~{rows} rows) has no HNSW or"
                " IVFFlat index: every k-NN query on it scans and sorts the whole table",
                f"~{rows} rows, {wording.human_bytes(col.total_bytes)} (heap + TOAST + indexes);"
                f" no ANN index on {col.qualified_name} nor on an expression of it",
                fix,
                object=col.qualified_name,
                fix_is_sql=fix_is_sql,
            )
