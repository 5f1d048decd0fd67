"""Catalog look-ups for the rules: the ANN indexes on a column (plain or on an expression of
it), table sizes and row counts, and which catalog table a plan node's relation is. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pglast import ast

from pgvtui.core import sizing
from pgvtui.core.models import IndexInfo, Inventory
from pgvtui.core.plan import PlanNode
from pgvtui.core.query import parser
from pgvtui.core.rules.base import RuleContext
from pgvtui.core.rules.pgvector_facts import (
    FIXED_SIZE_TYPES,
    SMALL_TABLE_BYTES,
    SMALL_TABLE_ROWS,
    base_type,
)
from pgvtui.core.rules.wording import display, ident


def ann_indexes_on(inv: Inventory, schema: str, table: str) -> list[IndexInfo]:
    return [i for i in inv.indexes_on(schema, table) if i.method in ("hnsw", "ivfflat")]


def index_named(inv: Inventory, name: str, table: str | None = None) -> list[IndexInfo]:
    return [i for i in inv.indexes if i.name == name and (table is None or i.table == table)]


def expression_mentions(expression: str | None, column: str) -> bool:
    """Does an index expression (``pg_get_indexdef`` text, e.g. ``((emb)::halfvec(3))``)
    reference ``column``? Read with PostgreSQL's parser; text it rejects mentions nothing."""
    if not expression:
        return False
    try:
        tree = parser.parse_expression(expression)
    except parser.SqlError:
        return False
    return any(
        isinstance(n, ast.ColumnRef) and parser.names(n.fields)[-1:] == (column,)
        for n in parser.walk(tree)
    )


def column_indexes(inv: Inventory, schema: str, table: str, column: str) -> list[IndexInfo]:
    """ANN indexes whose key is the plain column."""
    return [i for i in ann_indexes_on(inv, schema, table) if i.key_column == column]


def serving(indexes: Iterable[IndexInfo], operator: str) -> list[IndexInfo]:
    """The valid ones among ``indexes`` whose opclass serves ``operator``."""
    return [i for i in indexes if i.valid and i.operator == operator]


def expression_indexes(inv: Inventory, schema: str, table: str, column: str) -> list[IndexInfo]:
    """ANN indexes whose key is an expression of the column (casts, binary_quantize, ...)."""
    return [
        i
        for i in ann_indexes_on(inv, schema, table)
        if i.key_column is None and expression_mentions(i.key_expression, column)
    ]


def table_rows(inv: Inventory, schema: str, table: str) -> int | None:
    """reltuples of the table (columns or indexes), falling back to n_live_tup."""
    for c in inv.columns:
        if c.schema == schema and c.table == table:
            if c.rows_estimate is not None:
                return c.rows_estimate
            return c.n_live_tup
    for i in inv.indexes:
        if i.schema == schema and i.table == table and i.table_rows_estimate is not None:
            return i.table_rows_estimate
    return None


def table_bytes(inv: Inventory, schema: str, table: str) -> int | None:
    """Heap + TOAST bytes of the table (what an exact scan reads; indexes excluded)."""
    for c in inv.columns:
        if c.schema == schema and c.table == table:
            return c.table_bytes + c.toast_bytes
    return None


def _smaller_than(inv: Inventory, schema: str, table: str, max_rows: int) -> bool:
    """Fewer than ``max_rows`` rows or under SMALL_TABLE_BYTES of heap + TOAST."""
    rows = table_rows(inv, schema, table)
    if rows is not None and rows < max_rows:
        return True
    size = table_bytes(inv, schema, table)
    return size is not None and size < SMALL_TABLE_BYTES


def is_small_table(inv: Inventory, schema: str, table: str) -> bool:
    """Too small to matter: fewer than SMALL_TABLE_ROWS rows or under SMALL_TABLE_BYTES of heap
    + TOAST. Unknown row counts (never analyzed) are judged by size alone."""
    return _smaller_than(inv, schema, table, SMALL_TABLE_ROWS)


def scan_is_cheap(inv: Inventory, schema: str, table: str) -> bool:
    """An exact scan of the table is too cheap to matter: under SMALL_TABLE_BYTES of heap +
    TOAST, or under 1,000 rows. Unlike :func:`is_small_table` a table of a few thousand large
    vectors counts: every k-NN query reads all of it."""
    return _smaller_than(inv, schema, table, 1_000)


@dataclass(frozen=True)
class TableRef:
    schema: str
    table: str

    @property
    def display(self) -> str:
        return display(self.schema, self.table)

    @property
    def quoted(self) -> str:
        return ident(self.schema, self.table)


def _query_schemas(ctx: RuleContext, table: str) -> set[str]:
    """Schemas the parsed query qualifies ``table`` with (FROM items at any level)."""
    if ctx.query is None:
        return set()
    out: set[str] = set()
    for _scope, shape in ctx.query.walk():
        for item in shape.from_items:
            if item.kind == "table" and item.name == table and item.schema:
                out.add(item.schema)
    return out


def resolve_relation(
    ctx: RuleContext, relation: str | None, schema: str | None = None, index: str | None = None
) -> TableRef | None:
    """Map a plan node's relation (EXPLAIN omits the schema unless VERBOSE) to a catalog table.

    Uses the node's "Schema" when present, then the index name, then the parsed query's
    qualification; stays None when the name is ambiguous across schemas."""
    inv = ctx.inventory
    if inv is None or relation is None:
        return None
    if schema:
        return TableRef(schema, relation)
    cands = {c.schema for c in inv.columns if c.table == relation}
    cands |= {i.schema for i in inv.indexes if i.table == relation}
    if index:
        by_index = {i.schema for i in index_named(inv, index, relation)}
        if by_index:
            cands &= by_index
    if len(cands) > 1:
        cands &= _query_schemas(ctx, relation) or cands
    if len(cands) == 1:
        return TableRef(next(iter(cands)), relation)
    return None


def node_index(ctx: RuleContext, node: PlanNode) -> IndexInfo | None:
    """The catalog row of the index an Index Scan node uses."""
    inv = ctx.inventory
    if inv is None or not node.index_name:
        return None
    ref = resolve_relation(ctx, node.relation, node.schema, node.index_name)
    for i in index_named(inv, node.index_name, node.relation):
        if ref is None or i.schema == ref.schema:
            return i
    return None


def indexed_rows(inv: Inventory, index: IndexInfo) -> int | None:
    """Rows an index holds, estimated: table reltuples × (1 − null_frac) of a plain key column."""
    rows = index.table_rows_estimate
    if rows is None:
        rows = table_rows(inv, index.schema, index.table)
    if rows is None:
        return None
    if index.key_column is not None:
        col = inv.column(index.schema, index.table, index.key_column)
        if col is not None and col.null_frac:
            rows = round(rows * (1 - col.null_frac))
    return rows


def rebuild_memory(
    index: IndexInfo, rows: int, mwm: int | None, *, parallel_workers: int = 0, **options: int
) -> sizing.BuildMemory | None:
    """What rebuilding ``index`` over ``rows`` with build ``options`` (m, ef_construction,
    lists) needs of maintenance_work_mem ``mwm`` (:func:`sizing.build_memory`); None when ``mwm``
    is unknown or the key is not vector/halfvec/bit of known dimensions."""
    base = base_type(index.key_type or "")
    if mwm is None or not index.key_dims or base not in FIXED_SIZE_TYPES:
        return None
    spec = sizing.IndexSpec(
        method=index.method, type=base, dims=index.key_dims, rows=rows, **options
    )
    return sizing.build_memory(spec, mwm, parallel_workers=parallel_workers)
