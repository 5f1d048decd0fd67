"""Helpers shared by the rules: identifier quoting, pgvector facts, settings, plan/catalog lookups.

Not a rule module (excluded from discovery in :func:`base.all_rules`). Pure: no database, no I/O.

The distance-expression parser reads what PostgreSQL prints in "Sort Key" and "Order By":
``(emb <-> '[...]'::vector)``, ``(((emb)::halfvec <-> '[...]'::halfvec))``,
``((i.emb <-> queries.q))``, ``(('1'::double precision - (emb <=> '[...]'::vector))) DESC``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pgvtui.core import sizing, sqltext, units
from pgvtui.core.models import IndexInfo, Inventory
from pgvtui.core.plan import VECTOR_OPERATORS, Plan, PlanNode
from pgvtui.core.rules.base import RuleContext
from pgvtui.core.session import version_tuple as session_version_tuple

# -- thresholds shared by several rules (documented in docs/rules.md) -------------------------

SMALL_TABLE_ROWS = 10_000
"""Below this many rows (or below SMALL_TABLE_BYTES of heap + TOAST) an exact scan is cheap."""
SMALL_TABLE_BYTES = 1024 * 1024

TOAST_THRESHOLD_BYTES = 2032
"""TOAST_TUPLE_THRESHOLD for 8 kB blocks: rows wider than this get values moved out of line."""

# -- pgvector facts (reference §1, §5) ---------------------------------------------------------

PGVECTOR_DEFAULTS: dict[str, str] = {
    "hnsw.ef_search": "40",
    "hnsw.iterative_scan": "off",
    "hnsw.max_scan_tuples": "20000",
    "hnsw.scan_mem_multiplier": "1",
    "ivfflat.probes": "1",
    "ivfflat.iterative_scan": "off",
    "ivfflat.max_probes": "32768",
}

HNSW_EF_SEARCH_MAX = 1000

OPERATOR_METRIC: dict[str, str] = {
    "<->": "l2",
    "<#>": "ip",
    "<=>": "cosine",
    "<+>": "l1",
    "<~>": "hamming",
    "<%>": "jaccard",
}
OPERATOR_NAME: dict[str, str] = {
    "<->": "L2 distance",
    "<#>": "negative inner product",
    "<=>": "cosine distance",
    "<+>": "L1 distance",
    "<~>": "Hamming distance",
    "<%>": "Jaccard distance",
}

INDEX_DIM_LIMITS = sizing.MAX_INDEX_DIMS
SPARSEVEC_NNZ_LIMIT = sizing.SPARSEVEC_MAX_INDEX_NNZ
FIXED_SIZE_TYPES = ("vector", "halfvec", "bit")  # a value's size follows from its dims

_HNSW_METRICS = {
    "vector": ("l2", "ip", "cosine", "l1"),
    "halfvec": ("l2", "ip", "cosine", "l1"),
    "sparsevec": ("l2", "ip", "cosine", "l1"),
    "bit": ("hamming", "jaccard"),
}
_IVFFLAT_METRICS = {
    "vector": ("l2", "ip", "cosine"),
    "halfvec": ("l2", "ip", "cosine"),
    "bit": ("hamming",),
}


def opclass_for(type_name: str, operator: str, method: str = "hnsw") -> str | None:
    """The operator class serving ``operator`` on ``type_name`` for ``method`` (None: none)."""
    metric = OPERATOR_METRIC.get(operator)
    base = base_type(type_name)
    table = _HNSW_METRICS if method == "hnsw" else _IVFFLAT_METRICS
    if metric is None or metric not in table.get(base, ()):
        return None
    return f"{base}_{metric}_ops"


def base_type(type_name: str) -> str:
    """``halfvec(64)`` → ``halfvec``; ``public.vector`` → ``vector``; ``bit varying`` kept."""
    name = type_name.strip().strip('"')
    name = name.split("(", 1)[0].strip()
    return name.rsplit(".", 1)[-1].strip('"')


def value_bytes(type_name: str, dims: int | None) -> int | None:
    """Stored size V of one value (reference §1, :func:`sizing.value_size`); None when dims
    are unknown or the type is sparsevec (size depends on the non-zeros)."""
    base = base_type(type_name)
    if dims is None or base not in FIXED_SIZE_TYPES:
        return None
    return sizing.value_size(base, dims)


version_tuple = session_version_tuple  # one parser for extension versions


# -- quoting and formatting ---------------------------------------------------------------------


ident = sqltext.ident  # always quoted: fix SQL
name = sqltext.display_ident  # bare when it can be: messages
literal = sqltext.literal


def human_bytes(n: int | float | None) -> str:
    """The CLI/UI format (core.units), spelled out when unknown since it sits in a sentence."""
    return "unknown size" if n is None else units.human_bytes(n)


def num(n: int | float | None) -> str:
    """12,345 style; floats with a fraction keep one decimal."""
    if n is None:
        return "?"
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.1f}"
    return f"{int(n):,}"


def display(schema: str, name: str) -> str:
    """Unquoted schema.name for messages and ``Finding.object``."""
    return f"{schema}.{name}"


# -- settings ----------------------------------------------------------------------------------


def setting(ctx: RuleContext, name: str) -> str | None:
    """Effective value: EXPLAIN (SETTINGS) of the plan > ctx.settings > inventory > default."""
    if ctx.plan is not None and name in ctx.plan.settings:
        return ctx.plan.settings[name]
    value = ctx.settings.get(name)
    if value is None and ctx.inventory is not None:
        value = ctx.inventory.settings.get(name)
    if value is None:
        value = PGVECTOR_DEFAULTS.get(name)
    return value


def setting_int(ctx: RuleContext, name: str) -> int | None:
    raw = setting(ctx, name)
    if raw is None:
        return None
    try:
        return int(float(raw.strip()))
    except (ValueError, OverflowError):  # OverflowError: "inf"
        return None


def setting_bytes(ctx: RuleContext, name: str) -> int | None:
    """A memory setting (``maintenance_work_mem``, ``shared_buffers`` …) in bytes."""
    return sizing.parse_pg_size(setting(ctx, name))


def iterative_mode(ctx: RuleContext, method: str) -> str:
    """``off`` / ``relaxed_order`` / ``strict_order`` for ``hnsw`` or ``ivfflat``."""
    raw = setting(ctx, f"{method}.iterative_scan") or "off"
    return raw.strip().lower()


# -- catalog lookups ---------------------------------------------------------------------------


def ann_indexes_on(inv: Inventory, schema: str, table: str) -> list[IndexInfo]:
    return [i for i in inv.indexes_on(schema, table) if i.method in ("hnsw", "ivfflat")]


def index_named(inv: Inventory, name: str, table: str | None = None) -> list[IndexInfo]:
    return [i for i in inv.indexes if i.name == name and (table is None or i.table == table)]


_IDENT_RE = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'


def expression_mentions(expression: str | None, column: str) -> bool:
    """Does an index expression reference ``column`` (quoted or bare)?"""
    if not expression:
        return False
    quoted = re.escape(ident(column))
    if re.search(quoted, expression):
        return True
    if re.fullmatch(r"[a-z_][a-z0-9_$]*", column):
        return re.search(rf'(?<![\w$"]){re.escape(column)}(?![\w$"])', expression) is not None
    return False


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


# -- plan lookups ------------------------------------------------------------------------------


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


_TRANSPARENT = {"Result", "Subquery Scan", "Materialize", "Memoize"}


def limit_above(plan: Plan, node: PlanNode) -> PlanNode | None:
    """The Limit node directly above ``node`` (through row-preserving nodes), if any."""
    parent = plan.parent_of(node)
    while parent is not None and parent.node_type in _TRANSPARENT and len(parent.children) == 1:
        parent = plan.parent_of(parent)
    if parent is not None and parent.node_type == "Limit":
        return parent
    return None


def descendants(node: PlanNode) -> Iterator[PlanNode]:
    """Every node below ``node`` (pre-order, as :meth:`PlanNode.walk`)."""
    return itertools.islice(node.walk(), 1, None)


def ancestors(plan: Plan, node: PlanNode) -> Iterator[PlanNode]:
    """Every node above ``node``, from its parent up to the root."""
    parent = plan.parent_of(node)
    while parent is not None:
        yield parent
        parent = plan.parent_of(parent)


def source_scan(nodes: Iterable[PlanNode], kind: str, name: str) -> PlanNode | None:
    """The first of ``nodes`` that reads a query's row source: the CTE Scan of CTE ``name``
    (``kind`` "cte") or a Subquery Scan (``kind`` "subquery")."""
    for n in nodes:
        if kind == "cte" and n.node_type == "CTE Scan" and n.cte_name == name:
            return n
        if kind == "subquery" and n.node_type == "Subquery Scan":
            return n
    return None


def scan_rows(node: PlanNode) -> float | int | None:
    """Rows a scan read (over all loops), or the planner's estimate when not executed."""
    return node.rows_total if node.rows_total is not None else node.plan_rows


def alias_map(plan: Plan) -> dict[str, PlanNode]:
    """Scan nodes by alias (and by relation name when no alias), for qualified sort keys."""
    out: dict[str, PlanNode] = {}
    nodes = [n for n in plan.nodes() if n.relation]
    # Aliases first: a self-join or an InitPlan over the same table (``documents documents_1``)
    # must not shadow the scan whose alias is the bare table name.
    for n in nodes:
        out.setdefault(n.alias or n.relation or "", n)
    for n in nodes:
        out.setdefault(n.relation or "", n)
    return out


# -- distance expressions ----------------------------------------------------------------------

_STRING = re.compile(r"'(?:[^']|'')*'")
_SUFFIX = re.compile(
    r"(?:\s+USING\s+\S+)?(?:\s+(?P<dir>ASC|DESC))?(?:\s+NULLS\s+(?:FIRST|LAST))?\s*$", re.I
)
_CAST_TAIL = re.compile(
    r"::\s*(?P<type>(?:"
    + _IDENT_RE
    + r"\.)?"
    + _IDENT_RE
    + r"(?:\s+precision|\s+varying)?(?:\s*\(\s*\d+(?:\s*,\s*\d+)*\s*\))?(?:\[\])?)\s*$"
)
_COLREF_TAIL = re.compile(
    r"(?:(?P<q1>"
    + _IDENT_RE
    + r")\.)?(?:(?P<q2>"
    + _IDENT_RE
    + r")\.)?(?P<col>"
    + _IDENT_RE
    + r")\s*$"
)
_KEYWORDS = {"null", "true", "false", "and", "or", "not", "case", "when", "then", "else", "end"}


@dataclass(frozen=True)
class DistanceTerm:
    """One ``<lhs> <op> <rhs>`` found in a sort key or index Order By."""

    operator: str
    column: str | None  # plain column on the left, unquoted; None if the left is an expression
    qualifier: str | None  # table alias/name before the column, unquoted
    cast: str | None  # type the column is cast to on the left (``halfvec(64)``), if any
    wrapped: bool  # the distance sits inside a larger expression (1 - d, d + 0, ...)
    desc: bool  # the sort key is DESC
    expression: str  # the whole sort-key item without ASC/DESC (literals shortened)

    @property
    def plain(self) -> bool:
        """ORDER BY <column> <op> <query> ASC, as an index can serve it."""
        return self.column is not None and self.cast is None and not self.wrapped and not self.desc


def unquote(name: str) -> str:
    if len(name) >= 2 and name.startswith('"') and name.endswith('"'):
        return name[1:-1].replace('""', '"')
    return name


def shorten_literals(text: str, keep: int = 40) -> str:
    """Replace string literals longer than ``keep`` (vector literals can be kilobytes) with
    ``'…'``; short ones (``'100'::bigint``) stay, so filter text remains valid SQL."""
    return _STRING.sub(lambda m: m.group(0) if len(m.group(0)) <= keep else "'…'", text)


def _depths(text: str) -> list[int]:
    """Paren depth at each character, ignoring parens inside double-quoted identifiers."""
    out: list[int] = []
    depth = 0
    in_quote = False
    for ch in text:
        if ch == '"':
            in_quote = not in_quote
        if not in_quote and ch == ")":
            depth -= 1
        out.append(depth)
        if not in_quote and ch == "(":
            depth += 1
    return out


def _strip_outer_parens(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        depths = _depths(text)
        # the opening paren must close at the very end
        inner_min = min(depths[1:-1], default=1)
        if inner_min < 1:
            break
        text = text[1:-1].strip()
    return text


def _matching_open(text: str) -> int | None:
    """Index of the "(" matching the final ")" of ``text``."""
    depth = 0
    in_quote = False
    for pos in range(len(text) - 1, -1, -1):
        ch = text[pos]
        if ch == '"':
            in_quote = not in_quote
        elif not in_quote and ch == ")":
            depth += 1
        elif not in_quote and ch == "(":
            depth -= 1
            if depth == 0:
                return pos
    return None


def _left_operand(prefix: str) -> tuple[str | None, str | None, str | None]:
    """(column, qualifier, cast) of the operand that ends ``prefix``."""
    text = prefix.rstrip()
    cast: str | None = None
    while True:
        m = _CAST_TAIL.search(text)
        if m is None:
            break
        if cast is None:
            cast = m.group("type").strip()
        text = text[: m.start()].rstrip()
    if text.endswith(")"):
        start = _matching_open(text)
        if start is None:
            return None, None, cast
        before = text[:start].rstrip()
        if before and re.search(r'[\w$"]$', before):
            return None, None, cast  # a function call: an expression, not a column
        col, qual, inner_cast = _left_operand(text[start + 1 : -1])
        return col, qual, cast or inner_cast
    m = _COLREF_TAIL.search(text)
    if m is None:
        return None, None, cast
    before = text[: m.start()].rstrip()
    if before.endswith(("'", "$")) or re.search(r"[\w$]$", before):
        return None, None, cast
    col = m.group("col")
    if unquote(col).lower() in _KEYWORDS and not col.startswith('"'):
        return None, None, cast
    if re.fullmatch(r"\d+", col):
        return None, None, cast
    qual = m.group("q2") or m.group("q1")
    return unquote(col), (unquote(qual) if qual else None), cast


def distance_terms(item: str) -> list[DistanceTerm]:
    """Every vector-distance operator in one sort-key item or Order By expression."""
    text = _STRING.sub("''", item)
    m = _SUFFIX.search(text)
    desc = bool(m and (m.group("dir") or "").upper() == "DESC")
    body = text[: m.start()] if m else text
    body = _strip_outer_parens(body)
    depths = _depths(body)
    short = shorten_literals(item)
    sm = _SUFFIX.search(short)
    expression = _strip_outer_parens(short[: sm.start()] if sm else short)
    out: list[DistanceTerm] = []
    for op in VECTOR_OPERATORS:
        for om in re.finditer(re.escape(op), body):
            column, qualifier, cast = _left_operand(body[: om.start()])
            out.append(
                DistanceTerm(
                    operator=op,
                    column=column,
                    qualifier=qualifier,
                    cast=cast,
                    wrapped=depths[om.start()] > 0,
                    desc=desc,
                    expression=expression,
                )
            )
    return out


def sort_terms(node: PlanNode) -> list[DistanceTerm]:
    out: list[DistanceTerm] = []
    for key in node.sort_key:
        out.extend(distance_terms(key))
    return out


SORT_NODES = ("Sort", "Incremental Sort")
SEQ_SCANS = ("Seq Scan", "Parallel Seq Scan")


@dataclass(frozen=True)
class SortedScan:
    """A Sort on a distance over an exact scan of one table: the shape of "no index used"."""

    sort: PlanNode
    scan: PlanNode
    term: DistanceTerm
    table: TableRef


def relation_scan_types(plan: Plan) -> tuple[str, ...]:
    """Every node type in the plan that scans a relation (for ``sorted_scans`` of any scan)."""
    return tuple({n.node_type for n in plan.nodes() if n.relation})


def sorted_scans(ctx: RuleContext, scan_types: tuple[str, ...] = SEQ_SCANS) -> list[SortedScan]:
    """Sort nodes ordering by ``<column> <op> …`` over a scan (of ``scan_types``) of the
    column's table, with the table resolved in the catalog."""
    plan = ctx.plan
    if plan is None or ctx.inventory is None:
        return []
    aliases = alias_map(plan)
    out: list[SortedScan] = []
    for node in plan.nodes():
        if node.node_type not in SORT_NODES:
            continue
        below = [d for d in descendants(node) if d.relation]
        for term in sort_terms(node):
            if term.column is None:
                continue
            scan: PlanNode | None = None
            if term.qualifier is not None:
                cand = aliases.get(term.qualifier)
                if cand is not None and any(cand is d for d in below):
                    scan = cand
            elif len(below) == 1:
                scan = below[0]
            else:
                scans = [d for d in below if d.node_type in scan_types]
                scan = scans[0] if len(scans) == 1 else None
            if scan is None or scan.node_type not in scan_types:
                continue
            ref = resolve_relation(ctx, scan.relation, scan.schema)
            if ref is None or ctx.inventory.column(ref.schema, ref.table, term.column) is None:
                continue
            out.append(SortedScan(sort=node, scan=scan, term=term, table=ref))
    return out


def served_sorted_scans(ctx: RuleContext) -> Iterator[tuple[SortedScan, IndexInfo]]:
    """Sorted scans (:func:`sorted_scans`) of an uncast column that an ANN index on it serves
    with the sort's operator, each with the first such index: sorts that index could have
    replaced, had the ORDER BY been written its way."""
    inv = ctx.inventory
    if inv is None:
        return
    for hit in sorted_scans(ctx):
        term, t = hit.term, hit.table
        if term.cast is not None or term.column is None:
            continue
        found = serving(column_indexes(inv, t.schema, t.table, term.column), term.operator)
        if found:
            yield hit, found[0]


def query_int(ctx: RuleContext, attr: str) -> int | None:
    """LIMIT / OFFSET of the query level that runs the k-NN (parsed query), when constant."""
    if ctx.query is None:
        return None
    knn = ctx.query.knn()
    shape = knn.shape if knn is not None else ctx.query
    value = shape.limit if attr == "limit" else shape.offset if attr == "offset" else None
    return value if isinstance(value, int) else None


def pgvector_at_least(ctx: RuleContext, version: tuple[int, ...]) -> bool:
    """True when the installed pgvector is at least ``version`` (or unknown)."""
    if ctx.inventory is None:
        return True
    have = version_tuple(ctx.inventory.server.pgvector_version)
    return not have or have >= version


@dataclass(frozen=True)
class AnnScan:
    """An ANN Index Scan with its catalog index and the Limit above it."""

    node: PlanNode
    index: IndexInfo
    table: TableRef
    limit: PlanNode | None


def ann_scans(ctx: RuleContext) -> list[AnnScan]:
    plan = ctx.plan
    if plan is None or ctx.inventory is None:
        return []
    out: list[AnnScan] = []
    for node in plan.ann_scans():
        index = node_index(ctx, node)
        if index is None:
            continue
        out.append(
            AnnScan(node, index, TableRef(index.schema, index.table), limit_above(plan, node))
        )
    return out


def short_ann_scans(ctx: RuleContext) -> Iterator[tuple[AnnScan, int, float]]:
    """ANN scans under a Limit that returned fewer rows than the Limit planned:
    ``(scan, limit rows, actual rows of the scan)``."""
    for scan in ann_scans(ctx):
        lim, got = scan.limit, scan.node.actual_rows
        if lim is None or lim.plan_rows is None or got is None or got >= lim.plan_rows:
            continue
        yield scan, lim.plan_rows, got


def scan_io(node: PlanNode) -> str:
    return f"shared hit {num(node.shared_hit)}, read {num(node.shared_read)} blocks"


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
