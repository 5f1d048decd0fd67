"""Helpers for the query-shape rules: find the k-NN the query runs and rewrite the query text.

Not a rule module (excluded from discovery in :func:`base.all_rules`). Pure.

Fixes rewrite the user's statement by splicing at the offsets :mod:`pgvtui.core.query` records
(``span``, ``expr_span``, ``keyword_span`` …) in the text the rules see (``RuleContext.sql``,
the guard-normalised statement), so the rewritten query is the user's query with one change.
Long vector literals are shortened for display only when the result would be unreadable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pgvtui.core.models import ColumnInfo, IndexInfo
from pgvtui.core.plan import PlanNode
from pgvtui.core.query import Cte, DistanceUse, OrderItem, QueryShape
from pgvtui.core.rules import catalog, plan_walk
from pgvtui.core.rules.base import RuleContext

DEFAULT_K = 10


def splice(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """Apply non-overlapping (start, end, replacement) edits to ``text``."""
    out = text
    for start, end, repl in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        out = out[:start] + repl + out[end:]
    return out


def display_sql(text: str) -> str:
    """The rewritten query as a runnable statement (vector literals kept in full: the text and
    markdown renderers shorten them for display; JSON keeps them)."""
    return text.strip() + ";"


def column_type(col: ColumnInfo) -> str:
    return f"{col.type}({col.dims})" if col.dims else col.type


@dataclass(frozen=True)
class Knn:
    """A distance use resolved against the catalog."""

    use: DistanceUse
    table: catalog.TableRef
    column: ColumnInfo
    indexes: tuple[IndexInfo, ...]  # valid ANN indexes on the plain column
    expr_indexes: tuple[IndexInfo, ...]  # valid ANN indexes on an expression of the column

    @property
    def serving(self) -> tuple[IndexInfo, ...]:
        """Plain-column indexes whose opclass serves the query's operator."""
        return tuple(catalog.serving(self.indexes, self.use.operator))


def resolve_use(ctx: RuleContext, use: DistanceUse) -> Knn | None:
    """The catalog table/column of a distance use (through CTEs and subqueries)."""
    inv = ctx.inventory
    if inv is None or use.table is None or use.column.name is None:
        return None
    ref = catalog.resolve_relation(ctx, use.table.name, use.table.schema)
    if ref is None:
        return None
    col = inv.column(ref.schema, ref.table, use.column.name)
    if col is None:
        return None
    idx = tuple(
        i for i in catalog.column_indexes(inv, ref.schema, ref.table, col.column) if i.valid
    )
    expr = tuple(
        i for i in catalog.expression_indexes(inv, ref.schema, ref.table, col.column) if i.valid
    )
    return Knn(use=use, table=ref, column=col, indexes=idx, expr_indexes=expr)


def knn_uses(ctx: RuleContext) -> Iterator[tuple[str, QueryShape, OrderItem, Knn]]:
    """Every ORDER BY item (at any level) that sorts by a distance on a catalog column."""
    if ctx.query is None:
        return
    for scope, shape in ctx.query.walk():
        for item in shape.order_by:
            for use in item.distances:
                k = resolve_use(ctx, use)
                if k is not None:
                    yield scope, shape, item, k


def knn_uses_on(
    ctx: RuleContext, column: str, operator: str | None = None
) -> Iterator[tuple[QueryShape, OrderItem, Knn]]:
    """The :func:`knn_uses` on catalog column ``column`` (with ``operator`` when given): the
    ORDER BY items a plan's sort on that column came from."""
    for _scope, shape, item, k in knn_uses(ctx):
        if k.column.column == column and (operator is None or k.use.operator == operator):
            yield shape, item, k


def find_cte(shape: QueryShape, name: str) -> Cte | None:
    """The CTE ``name`` defined at any level of ``shape``."""
    for _scope, sub in shape.walk():
        c = sub.cte(name)
        if c is not None:
            return c
    return None


def ann_scan_on(ctx: RuleContext, table: catalog.TableRef) -> PlanNode | None:
    """An ANN-ordered index scan of ``table`` in the plan, if any."""
    if ctx.plan is None:
        return None
    for node in ctx.plan.ann_scans():
        ref = catalog.resolve_relation(ctx, node.relation, node.schema, node.index_name)
        if ref == table:
            return node
    return None


def scans_of(ctx: RuleContext, table: catalog.TableRef) -> list[PlanNode]:
    """Every plan node that scans ``table``."""
    if ctx.plan is None:
        return []
    return [
        n
        for n in ctx.plan.nodes()
        if n.relation and catalog.resolve_relation(ctx, n.relation, n.schema) == table
    ]


def sorts_above(ctx: RuleContext, node: PlanNode) -> list[PlanNode]:
    """Sort nodes on the path from the root to ``node``."""
    if ctx.plan is None:
        return []
    return [n for n in plan_walk.ancestors(ctx.plan, node) if n.node_type in plan_walk.SORT_NODES]


def query_side_for(use: DistanceUse, type_text: str) -> str:
    """The query side re-cast to ``type_text`` (e.g. ``'[…]'::vector(64)``): the value without
    the casts written on it (``('[…]'::vector)::sparsevec`` → ``'[…]'``), cast anew."""
    q = use.query
    base = q.uncast_text.strip() or q.text.strip()
    if q.kind not in ("literal", "param") and not (base.startswith("(") and base.endswith(")")):
        base = f"({base})"
    return f"{base}::{type_text}"


def query_int(ctx: RuleContext, attr: str) -> int | None:
    """LIMIT / OFFSET of the query level that runs the k-NN (parsed query), when constant."""
    if ctx.query is None:
        return None
    knn = ctx.query.knn()
    shape = knn.shape if knn is not None else ctx.query
    value = shape.limit if attr == "limit" else shape.offset if attr == "offset" else None
    return value if isinstance(value, int) else None
