"""The shape of a vector query: the frozen model the rules import. Pure: no parsing here.

:func:`pgvtui.core.query.analyze_query` builds it from PostgreSQL's parse tree. Every ``text``
is the source text as written; every ``span`` is a ``(start, end)`` character offset pair into
the analysed text (``end`` exclusive), so a fix can splice the user's statement
(:mod:`pgvtui.core.rules.rewrite`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

Span = tuple[int, int]


@dataclass(frozen=True)
class Cast:
    type: str  # lower-case type name, e.g. "halfvec" (schema dropped)
    dims: int | None  # typmod, e.g. 64 in halfvec(64)
    text: str  # as written, e.g. "halfvec(64)"


@dataclass(frozen=True)
class ColumnSide:
    """The table side of ``lhs OP rhs``."""

    text: str  # the operand as written
    name: str | None  # column name when the operand is a (possibly cast) column reference
    qualifier: str | None  # "i" in i.emb (table alias or name, case-folded as PostgreSQL does)
    schema: str | None = None  # when written schema.table.column
    casts: tuple[Cast, ...] = ()  # casts applied to the column, innermost first
    function: str | None = None  # e.g. "binary_quantize" when the column is wrapped in a call

    @property
    def cast(self) -> Cast | None:
        return self.casts[-1] if self.casts else None


@dataclass(frozen=True)
class QuerySide:
    """The query-vector side of ``lhs OP rhs``."""

    text: str
    # literal | param | subquery | column | cte_ref | function | other
    kind: str
    uncast_text: str = ""  # the value without the casts/COLLATE written on it
    casts: tuple[Cast, ...] = ()
    literal_dims: int | None = None  # element count of a '[…]' / ARRAY[…] literal
    param: str | None = None  # as written: "$1", "%(q)s", "%s"
    name: str | None = None  # column name for column / cte_ref
    qualifier: str | None = None
    function: str | None = None
    # For column / cte_ref: the FROM item the value comes from — its kind (table | cte |
    # subquery | values | function) and name/alias; "outer" when it is a correlated/LATERAL ref.
    from_kind: str | None = None
    from_name: str | None = None

    @property
    def cast(self) -> Cast | None:
        return self.casts[-1] if self.casts else None

    @property
    def dims(self) -> int | None:
        """Dimensions the query side declares: a typmod cast wins, else the literal's count."""
        for c in reversed(self.casts):
            if c.dims is not None:
                return c.dims
        return self.literal_dims


@dataclass(frozen=True)
class TableRef:
    schema: str | None
    name: str


@dataclass(frozen=True)
class DistanceUse:
    operator: str  # "<->" also for OPERATOR(public.<->)
    column: ColumnSide
    query: QuerySide
    clause: str  # order_by | select | where | join | having | group_by | other
    text: str  # "lhs OP rhs" as written
    table: TableRef | None = None  # resolved base table of the column side (None if unknown)
    swapped: bool = False  # written as ``query OP column``
    # The column comes through a CTE or a FROM subquery: "cte:<name>" / "subquery:<alias>";
    # ``table`` is then the base table inside it when that is unambiguous.
    via: str | None = None
    span: Span | None = None  # ``lhs OP rhs`` in the analysed text


@dataclass(frozen=True)
class OrderItem:
    text: str  # the sort expression as written (without ASC/DESC/NULLS)
    descending: bool
    ordinal: int | None = None  # ORDER BY 2
    alias: str | None = None  # the select-list alias this item names (ORDER BY dist)
    distances: tuple[DistanceUse, ...] = ()  # distance uses in it (through the alias too)
    # The distance is inside a larger expression, e.g. 1 - (a <=> b); False for a bare distance
    # or a bare alias of one.
    wrapped: bool = False
    references: tuple[str, ...] = ()  # the column names it refers to (e.g. ("distance",))
    span: Span | None = None  # the whole item incl. ASC/DESC/NULLS
    expr_span: Span | None = None  # the sort expression only

    @property
    def is_bare_reference(self) -> bool:
        """ORDER BY <one name>, nothing else."""
        return len(self.references) == 1 and self.text.strip().strip('"').lower() == (
            self.references[0].lower()
        )


@dataclass(frozen=True)
class SelectItem:
    text: str  # the expression as written, without its alias
    alias: str | None
    distances: tuple[DistanceUse, ...] = ()


@dataclass(frozen=True)
class FromItem:
    kind: str  # table | subquery | function | values | cte | other
    text: str
    schema: str | None = None
    name: str | None = None  # table / CTE / function name
    alias: str | None = None
    join_type: str | None = None  # inner | left | right | full | cross | natural … (None: ",")
    lateral: bool = False
    subquery: QueryShape | None = None
    span: Span | None = None  # the item (with alias and ON …)
    # where its separator starts (the "," or the first JOIN keyword before it); deleting
    # [sep_start, span[1]) removes the item from the FROM list
    sep_start: int | None = None

    @property
    def ref_name(self) -> str | None:
        """The name other clauses use to qualify its columns."""
        return self.alias or self.name


@dataclass(frozen=True)
class Cte:
    name: str
    materialized: bool | None  # True MATERIALIZED, False NOT MATERIALIZED, None unspecified
    shape: QueryShape
    # "MATERIALIZED" / "NOT MATERIALIZED" when written; else an empty span at the end of "AS"
    # (where such a keyword would go)
    keyword_span: Span | None = None

    @property
    def data_modifying(self) -> bool:
        return self.shape.statement_type in ("INSERT", "UPDATE", "DELETE", "MERGE")


@dataclass(frozen=True)
class QueryShape:
    statement_type: str  # SELECT | VALUES | TABLE | INSERT | UPDATE | DELETE | MERGE | EXECUTE | …
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None  # a constant LIMIT / FETCH FIRST (None: none, or not a constant)
    limit_text: str | None = None  # as written ("10", "$2"); None when there is no limit
    offset: int | None = None
    distances: tuple[DistanceUse, ...] = ()  # at this level (not in CTEs/subqueries)
    where_text: str | None = None
    ctes: tuple[Cte, ...] = ()
    from_items: tuple[FromItem, ...] = ()
    select_items: tuple[SelectItem, ...] = ()
    subqueries: tuple[QueryShape, ...] = ()  # scalar/IN/EXISTS subqueries, set-op branches
    # Offsets in the analysed text (for rewriting a query in a fix): this level, its WHERE
    # condition, its ORDER BY clause (from the ORDER keyword) and its LIMIT/OFFSET/FETCH
    # clauses (from the first keyword to the end of the last).
    span: Span | None = None
    where_span: Span | None = None
    order_by_span: Span | None = None
    limit_span: Span | None = None

    @property
    def select_aliases(self) -> dict[str, str]:
        return {s.alias: s.text for s in self.select_items if s.alias}

    def cte(self, name: str) -> Cte | None:
        for c in self.ctes:
            if c.name == name:
                return c
        return None

    def walk(self, scope: str = "main") -> Iterator[tuple[str, QueryShape]]:
        """This shape and every nested one: (scope, shape); scope is "main", "cte:<name>",
        "from:<alias>" or "subquery", joined with "/" for deeper levels. Iterative."""
        stack: list[tuple[str, QueryShape]] = [(scope, self)]
        while stack:
            where, shape = stack.pop()
            yield where, shape
            nested: list[tuple[str, QueryShape]] = []
            for c in shape.ctes:
                nested.append((_scope(where, f"cte:{c.name}"), c.shape))
            for f in shape.from_items:
                if f.subquery is not None:
                    nested.append((_scope(where, f"from:{f.ref_name or '?'}"), f.subquery))
            for s in shape.subqueries:
                nested.append((_scope(where, "subquery"), s))
            stack.extend(reversed(nested))

    def all_distances(self) -> list[tuple[str, DistanceUse]]:
        return [(scope, d) for scope, shape in self.walk() for d in shape.distances]

    def order_distance(self) -> tuple[OrderItem, DistanceUse] | None:
        """The first ORDER BY item at this level that sorts by a distance."""
        for item in self.order_by:
            if item.distances:
                return item, item.distances[0]
        return None

    def knn(self) -> KnnTarget | None:
        """The k-NN this query runs: the outermost ORDER BY on a distance (main level first,
        then CTEs, FROM subqueries, other subqueries), with the LIMIT of that level."""
        for scope, shape in self.walk():
            od = shape.order_distance()
            if od is not None:
                item, use = od
                return KnnTarget(scope=scope, shape=shape, order_item=item, distance=use)
        return None

    @property
    def uses_vector_operator(self) -> bool:
        return bool(self.all_distances())


def _scope(parent: str, tag: str) -> str:
    return tag if parent == "main" else f"{parent}/{tag}"


@dataclass(frozen=True)
class KnnTarget:
    scope: str
    shape: QueryShape
    order_item: OrderItem
    distance: DistanceUse

    @property
    def table(self) -> TableRef | None:
        return self.distance.table

    @property
    def column(self) -> str | None:
        return self.distance.column.name

    @property
    def limit(self) -> int | None:
        return self.shape.limit
