"""dims-over-index-limit: a vector column wider than HNSW/IVFFlat can index.

Limits (reference §1): vector 2,000 dims, halfvec 4,000, bit 64,000; sparsevec 1,000 non-zero
elements (estimated from pg_stats.avg_width = 16 + 8·nnz). Silent when an expression index on
the column exists already (halfvec cast or binary quantization).
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.models import ColumnInfo
from pgvtui.core.rules import catalog, pgvector_facts, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


@register
class DimsOverIndexLimit(Rule):
    id = "dims-over-index-limit"
    severity = Severity.WARNING
    summary = "vector column has more dimensions than an ANN index accepts"
    kind = "catalog"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None:
            return
        for col in inv.columns:
            if catalog.expression_indexes(inv, col.schema, col.table, col.column):
                continue
            if col.type == "sparsevec":
                if col.avg_width is None:
                    continue
                nnz = (col.avg_width - 16) // 8
                if nnz <= pgvector_facts.SPARSEVEC_NNZ_LIMIT:
                    continue
                yield self.finding(
                    f"{col.qualified_name} holds ~{nnz} non-zero elements per"
                    f" sparsevec: HNSW indexes at most {pgvector_facts.SPARSEVEC_NNZ_LIMIT}",
                    f"pg_stats.avg_width {col.avg_width} B ≈ 16 + 8·{nnz};"
                    f" sparsevec HNSW limit {pgvector_facts.SPARSEVEC_NNZ_LIMIT} non-zeros",
                    "Keep fewer non-zero elements (prune small weights) or store a dense"
                    " halfvec embedding for the index.",
                    object=col.qualified_name,
                    fix_is_sql=False,
                )
                continue
            limit = pgvector_facts.INDEX_DIM_LIMITS.get(col.type)
            if limit is None or col.dims is None or col.dims <= limit:
                continue
            fix, is_sql = _fix(col)
            yield self.finding(
                f"{col.qualified_name} is {col.type}({col.dims}): HNSW and IVFFlat"
                f" index at most {wording.num(limit)} dimensions of {col.type}",
                f"pg_attribute: {col.column} {col.type}({col.dims}) (atttypmod);"
                f" index limit for {col.type} is {wording.num(limit)}",
                fix,
                object=col.qualified_name,
                fix_is_sql=is_sql,
            )


def _fix(col: ColumnInfo) -> tuple[str, bool]:
    table = wording.ident(col.schema, col.table)
    column = wording.ident(col.column)
    d = col.dims
    assert d is not None
    if col.type == "vector" and d <= pgvector_facts.INDEX_DIM_LIMITS["halfvec"]:
        return (
            "-- index a halfvec cast (up to 4,000 dims); use the opclass of your operator:\n"
            f"CREATE INDEX CONCURRENTLY ON {table} USING hnsw"
            f" (({column}::halfvec({d})) halfvec_cosine_ops);\n"
            f"-- and query with the same expression: ORDER BY {column}::halfvec({d}) <=>"
            f" $1::halfvec({d}) LIMIT k",
            True,
        )
    if col.type in ("vector", "halfvec"):
        rerank = (
            f"-- re-rank the candidates: ORDER BY binary_quantize({column})::bit({d})"
            f" <~> binary_quantize($1) LIMIT 100 in a subquery, then ORDER BY {column} <=> $1"
            " LIMIT 10 outside"
        )
        return (
            "-- binary quantization: index bits, re-rank the candidates exactly:\n"
            f"CREATE INDEX CONCURRENTLY ON {table} USING hnsw"
            f" ((binary_quantize({column})::bit({d})) bit_hamming_ops);\n" + rerank,
            True,
        )
    return (f"bit({d}) exceeds the 64,000-bit index limit: reduce the dimensions.", False)
