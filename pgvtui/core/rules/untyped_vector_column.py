"""untyped-vector-column: a vector column declared without dimensions on a table that matters.

``embedding vector`` (LangChain ``PGVector``'s default when no ``embedding_length`` is given)
accepts vectors of any length, and neither HNSW nor IVFFlat can index a column without a fixed
dimension (``column does not have dimensions``): every k-NN query scans and sorts the table.

Catalog: the column's ``atttypmod`` (no dimensions), the table's size (quiet when an exact scan
is cheap, as ``no-ann-index`` judges). The fix reads the dimensions actually stored from
``RuleContext.extras["untyped_dims"]`` (``vector_dims`` of a sample, :mod:`pgvtui.core.
untyped_dims`): ``ALTER COLUMN … TYPE vector(N)`` (rewrites the table under an ACCESS EXCLUSIVE
lock) or, without a rewrite, an expression index on ``(col::vector(N))`` with the query
rewritten to use the same expression.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.rules import catalog, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

EXTRAS_KEY = "untyped_dims"  # pgvtui.core.untyped_dims.EXTRAS_KEY
TYPES = ("vector", "halfvec")


@register
class UntypedVectorColumn(Rule):
    id = "untyped-vector-column"
    severity = Severity.WARNING
    summary = "vector column without dimensions: no HNSW/IVFFlat index can be built on it"
    kind = "catalog"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None:
            return
        sampled: dict[str, list[tuple[int, int]]] = ctx.extras.get(EXTRAS_KEY) or {}
        for col in inv.columns:
            if col.dims is not None or col.type not in TYPES:
                continue
            if catalog.scan_is_cheap(inv, col.schema, col.table):
                continue
            if catalog.expression_indexes(inv, col.schema, col.table, col.column):
                continue  # already indexed through a typed expression
            table, column = wording.ident(col.schema, col.table), wording.ident(col.column)
            found = sampled.get(col.qualified_name, [])
            seen = ", ".join(f"{d} dims × {wording.num(n)}" for d, n in found) or "not sampled"
            evidence = (
                f"{col.qualified_name} is {col.type} with no dimensions (atttypmod -1);"
                f" ~{wording.num(catalog.table_rows(inv, col.schema, col.table))} rows,"
                f" {wording.human_bytes(col.total_bytes)}; stored dimensions in a sample: {seen}"
            )
            if len(found) == 1:
                d = found[0][0]
                typ = f"{col.type}({d})"
                opclass = f"{col.type}_cosine_ops"
                fix = (
                    f"-- every sampled value has {d} dimensions. Either type the column — a"
                    " table rewrite under an ACCESS EXCLUSIVE lock (reads and writes wait"
                    " until it ends):\n"
                    f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {typ};\n"
                    f"-- CREATE INDEX CONCURRENTLY ON {table} USING hnsw ({column} {opclass});\n"
                    "-- or, with no rewrite, index the typed expression; queries must then"
                    " order by the same expression:\n"
                    f"-- CREATE INDEX CONCURRENTLY ON {table} USING hnsw"
                    f" (({column}::{typ}) {opclass});\n"
                    f"-- … ORDER BY {column}::{typ} <=> $1::{typ} LIMIT k\n"
                    "-- (use the operator class of the distance your queries use:"
                    " _l2_ops for <->, _ip_ops for <#>)"
                )
                fix_is_sql = True
            elif found:
                dims = ", ".join(str(d) for d, _ in found)
                fix = (
                    f"The column holds vectors of several dimensions ({dims}): index each kind"
                    f" with a partial expression index, e.g. CREATE INDEX CONCURRENTLY ON {table}"
                    f" USING hnsw (({column}::{col.type}({found[0][0]})) {col.type}_cosine_ops)"
                    f" WHERE vector_dims({column}) = {found[0][0]}; — and filter queries the"
                    " same way — or store each embedding model in its own typed column."
                )
                fix_is_sql = False
            else:
                fix = (
                    "Find the stored dimension (SELECT DISTINCT vector_dims(col) … on a sample),"
                    f" then ALTER TABLE {table} ALTER COLUMN {column} TYPE {col.type}(<d>)"
                    " (a rewrite under an ACCESS EXCLUSIVE lock), or index the expression"
                    f" ({column}::{col.type}(<d>)) and order by the same expression."
                )
                fix_is_sql = False
            yield self.finding(
                f"{col.qualified_name} has no dimensions, so no HNSW/IVFFlat index can be built"
                " on it: every k-NN query scans and sorts the table",
                evidence,
                fix,
                object=col.qualified_name,
                fix_is_sql=fix_is_sql,
            )
