"""What one statement's parse tree says about vector search: its pgvector distances, and its
``$n`` parameters — which of them is a query vector and what every other one is compared with.

Read with PostgreSQL's own parser (:mod:`pglast`). Pure: nothing is sent anywhere.

- A **distance** is a pgvector distance operator (``<->``, ``<=>``, ``<#>``, ``<+>``, ``<~>``,
  ``<%>``, also written ``OPERATOR(schema.<=>)``) or distance function (``cosine_distance`` …)
  with a column on one side. The column is resolved to its table through the FROM clause of the
  SELECT it is in (aliases, joins; an unqualified name when the SELECT reads one table).
- A **parameter** ``$n`` is a *vector* parameter when it is the other side of a distance (in
  any position, through casts and ``binary_quantize``-style wrappers); otherwise it may be
  *compared* with a column (``col = $2``, ``col IN ($3, $4)``, ``col BETWEEN …``, ``col =
  ANY($5)``), be the LIMIT/OFFSET, an argument of a function call in FROM (``match_documents(
  $1, $2)``), or none of these (``meta->>$4``: nothing says what it should be).
- Casts written on a parameter (``$2::UUID``, ``$3::INTEGER``) are kept: the server applies
  them, so values are sent as text and the statement's own casts decide their types.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pglast import ast
from pglast.enums import A_Expr_Kind

from pgvtui.core.query import parser as qparser

DISTANCE_OPERATORS = {
    "<->": "L2",
    "<=>": "cosine",
    "<#>": "negative inner product",
    "<+>": "L1",
    "<~>": "Hamming",
    "<%>": "Jaccard",
}
DISTANCE_FUNCTIONS = frozenset(
    {
        "l2_distance",
        "cosine_distance",
        "inner_product",
        "l1_distance",
        "hamming_distance",
        "jaccard_distance",
    }
)
# the operator a distance function stands for (what an index on the column must serve)
FUNCTION_OPERATOR = {
    "l2_distance": "<->",
    "cosine_distance": "<=>",
    "inner_product": "<#>",
    "l1_distance": "<+>",
    "hamming_distance": "<~>",
    "jaccard_distance": "<%>",
}
_COMPARISONS = frozenset({"=", "<>", "!=", "<", ">", "<=", ">=", "~~", "~~*", "!~~", "!~~*"})


class StatementError(ValueError):
    """The text is not one statement PostgreSQL's parser reads."""


@dataclass(frozen=True)
class ColumnUse:
    column: str
    table: str | None = None  # None: the column's table could not be told
    schema: str | None = None

    @property
    def display(self) -> str:
        parts = [p for p in (self.schema, self.table, self.column) if p]
        return ".".join(parts)


@dataclass(frozen=True)
class Distance:
    operator: str  # "<=>" …, or the distance function's name
    column: ColumnUse | None  # the vector column measured (None: not a plain column)
    params: tuple[int, ...]  # the $n on the other side
    clause: str  # "order by" | "select" | "where" | "from" | "other"

    @property
    def sql_operator(self) -> str:
        return FUNCTION_OPERATOR.get(self.operator, self.operator)


@dataclass(frozen=True)
class FunctionArg:
    function: str  # as written (schema-qualified when it was)
    position: int  # 1-based position in the call (named arguments keep their position too)
    name: str | None  # the parameter name for a named argument (name := $1)


@dataclass
class Param:
    number: int
    casts: list[str] = field(default_factory=list)  # type names written on it, lower case
    vector_of: list[ColumnUse] = field(default_factory=list)  # distance partners
    compared_with: list[ColumnUse] = field(default_factory=list)
    limit: bool = False
    offset: bool = False
    function_args: list[FunctionArg] = field(default_factory=list)

    @property
    def is_vector(self) -> bool:
        return bool(self.vector_of)

    @property
    def role(self) -> str:
        if self.vector_of:
            return "vector"
        if self.limit:
            return "limit"
        if self.offset:
            return "offset"
        if self.compared_with:
            return "compared"
        if self.function_args:
            return "function argument"
        return "unknown"

    @property
    def column(self) -> ColumnUse | None:
        """The column a value should be taken from (vector partner first)."""
        found = self.vector_of or self.compared_with
        return found[0] if found else None


@dataclass(frozen=True)
class FunctionCall:
    name: str  # as written, lower case unless quoted
    schema: str | None
    args: tuple[Any, ...]  # pglast nodes
    names: tuple[str | None, ...]  # named-argument names (None for positional)


@dataclass(frozen=True)
class StatementInfo:
    text: str
    kind: str  # "select" | "explain" | "other" (node type name, lower case)
    distances: tuple[Distance, ...]
    params: dict[int, Param]
    calls: tuple[FunctionCall, ...]  # function calls in FROM (set-returning functions)
    tables: tuple[ColumnUse, ...] = ()  # tables read (column ""), for display

    @property
    def uses_distance(self) -> bool:
        return bool(self.distances)

    def targets(self) -> list[ColumnUse]:
        """The vector columns searched, once each, in order of appearance."""
        seen: dict[ColumnUse, None] = {}
        for d in self.distances:
            if d.column is not None:
                seen.setdefault(d.column, None)
        return list(seen)

    def vector_params(self) -> list[int]:
        return sorted(n for n, p in self.params.items() if p.is_vector)

    def max_param(self) -> int:
        return max(self.params, default=0)


# --------------------------------------------------------------------------------------------


def read(text: str) -> StatementInfo:
    """Read one statement. Raises :class:`StatementError` when the parser refuses the text or it
    holds more than one statement."""
    try:
        stmts = qparser.parse(text)  # PostgreSQL's parser, with pgvtui's size limits
    except qparser.SqlError as exc:
        raise StatementError(exc.message.splitlines()[0] or "syntax error") from None
    if len(stmts) != 1:
        raise StatementError(f"expected one statement, found {len(stmts)}")
    root = stmts[0].stmt
    reader = _Reader()
    try:
        reader.statement(root, None)
    except RecursionError:
        raise StatementError("the statement is nested too deeply to read") from None
    return StatementInfo(
        text=text,
        kind=type(root).__name__.removesuffix("Stmt").lower(),
        distances=tuple(reader.distances),
        params=dict(sorted(reader.params.items())),
        calls=tuple(reader.calls),
        tables=tuple(reader.tables),
    )


def type_name(tn: ast.TypeName) -> str:
    """``vector(3)``, ``uuid``, ``int4`` (pg_catalog dropped)."""
    names = _strings(tn.names)
    if names and names[0] == "pg_catalog":
        names = names[1:]
    base = ".".join(names).lower()
    mods = []
    for m in tn.typmods or ():
        if isinstance(m, ast.A_Const) and isinstance(m.val, ast.Integer):
            mods.append(str(m.val.ival))
    out = f"{base}({','.join(mods)})" if mods else base
    return out + ("[]" if tn.arrayBounds else "")


def _strings(nodes: Any) -> list[str]:
    return [str(n.sval) for n in (nodes or ()) if isinstance(n, ast.String)]


def _children(node: Any) -> Iterator[Any]:
    if isinstance(node, tuple | list):
        for x in node:
            yield from _children(x)
    elif isinstance(node, ast.Node):
        yield node


def _subnodes(node: ast.Node) -> Iterator[Any]:
    for name in node:
        value = getattr(node, name)
        if isinstance(value, ast.Node | tuple | list):
            yield from _children(value)


class _Scope:
    def __init__(self, parent: _Scope | None) -> None:
        self.parent = parent
        self.tables: dict[str, ColumnUse] = {}  # alias/name → table (column "")
        self.opaque: set[str] = set()  # subqueries, CTEs, functions: known names, no table
        self.aliases: dict[str, Any] = {}  # select-list alias → expression

    def resolve(self, fields: list[str]) -> ColumnUse:
        column = fields[-1]
        if len(fields) >= 2:
            qual = fields[-2]
            scope: _Scope | None = self
            while scope is not None:
                if qual in scope.tables:
                    t = scope.tables[qual]
                    return ColumnUse(column, t.table, t.schema)
                if qual in scope.opaque:
                    return ColumnUse(column)
                scope = scope.parent
            if len(fields) >= 3:
                return ColumnUse(column, qual, fields[-3])
            return ColumnUse(column, qual)
        distinct = set(self.tables.values())
        if len(distinct) == 1 and not self.opaque:
            t = next(iter(distinct))
            return ColumnUse(column, t.table, t.schema)
        return ColumnUse(column)


class _Reader:
    def __init__(self) -> None:
        self.distances: list[Distance] = []
        self.params: dict[int, Param] = {}
        self.calls: list[FunctionCall] = []
        self.tables: list[ColumnUse] = []
        self.ctes: set[str] = set()

    def param(self, number: int) -> Param:
        return self.params.setdefault(number, Param(number))

    # -- statements ------------------------------------------------------------------------

    def statement(self, node: Any, parent: _Scope | None) -> None:
        if isinstance(node, ast.SelectStmt):
            self.select(node, parent)
        elif isinstance(node, ast.ExplainStmt):
            self.statement(node.query, parent)
        else:
            self.expr(node, _Scope(parent), "other")

    def select(self, node: ast.SelectStmt, parent: _Scope | None) -> None:
        if node.withClause is not None:
            for cte in node.withClause.ctes or ():
                self.ctes.add(cte.ctename)
                self.statement(cte.ctequery, parent)
        if node.larg is not None or node.rarg is not None:
            for part in (node.larg, node.rarg):
                if part is not None:
                    self.select(part, parent)
            self.limits(node, _Scope(parent))
            return
        scope = _Scope(parent)
        for item in node.fromClause or ():
            self.from_item(item, scope)
        for target in node.targetList or ():
            if isinstance(target, ast.ResTarget) and target.name and target.val is not None:
                scope.aliases[target.name] = target.val
        for lst in node.valuesLists or ():
            self.expr(lst, scope, "select")
        for target in node.targetList or ():
            self.expr(target, scope, "select")
        self.expr(node.whereClause, scope, "where")
        self.expr(node.groupClause, scope, "other")
        self.expr(node.havingClause, scope, "other")
        for sort in node.sortClause or ():
            inner = sort.node if isinstance(sort, ast.SortBy) else sort
            # ORDER BY distance — a select-list alias: the distance is what is ordered by
            if (
                isinstance(inner, ast.ColumnRef)
                and len(inner.fields or ()) == 1
                and _strings(inner.fields)
                and _strings(inner.fields)[0] in scope.aliases
            ):
                # the select list already recorded its parameters
                alias_expr = scope.aliases[_strings(inner.fields)[0]]
                self.expr(alias_expr, scope, "order by", record_params=False)
                continue
            self.expr(inner, scope, "order by")
        self.limits(node, scope)

    def limits(self, node: ast.SelectStmt, scope: _Scope) -> None:
        for attr, flag in (("limitCount", "limit"), ("limitOffset", "offset")):
            value = getattr(node, attr)
            if value is None:
                continue
            for p, casts in _params_in(value):
                par = self.param(p)
                setattr(par, flag, True)
                _add_casts(par, casts)
            self.expr(value, scope, "other", record_params=False)

    def from_item(self, item: Any, scope: _Scope) -> None:
        if isinstance(item, ast.RangeVar):
            relname = str(item.relname)
            t = ColumnUse("", relname, item.schemaname)
            name = str(item.alias.aliasname) if item.alias is not None else relname
            if item.schemaname is None and relname in self.ctes:
                scope.opaque.add(name)
                return
            scope.tables[name] = t
            if item.alias is None and item.schemaname:
                scope.tables.setdefault(relname, t)
            self.tables.append(t)
        elif isinstance(item, ast.JoinExpr):
            self.from_item(item.larg, scope)
            self.from_item(item.rarg, scope)
            self.expr(item.quals, scope, "where")
        elif isinstance(item, ast.RangeSubselect):
            if item.alias is not None:
                scope.opaque.add(str(item.alias.aliasname))
            self.statement(item.subquery, scope if item.lateral else scope.parent)
        elif isinstance(item, ast.RangeFunction):
            if item.alias is not None:
                scope.opaque.add(str(item.alias.aliasname))
            for entry in item.functions or ():
                call = entry[0] if isinstance(entry, tuple | list) else entry
                if isinstance(call, ast.FuncCall):
                    self.function_call(call)
                    if item.alias is None:
                        scope.opaque.add(_strings(call.funcname)[-1])
                self.expr(call, scope, "from")
        else:
            self.expr(item, scope, "other")

    def function_call(self, call: ast.FuncCall) -> None:
        names = _strings(call.funcname)
        args: list[Any] = []
        arg_names: list[str | None] = []
        for position, arg in enumerate(call.args or (), start=1):
            name = None
            if isinstance(arg, ast.NamedArgExpr):
                name, arg = arg.name, arg.arg
            args.append(arg)
            arg_names.append(name)
            for p, casts in _params_in(arg, direct=True):
                par = self.param(p)
                par.function_args.append(FunctionArg(".".join(names), position, name))
                _add_casts(par, casts)
        self.calls.append(
            FunctionCall(
                name=names[-1],
                schema=names[0] if len(names) > 1 else None,
                args=tuple(args),
                names=tuple(arg_names),
            )
        )

    # -- expressions ---------------------------------------------------------------------------

    def expr(self, node: Any, scope: _Scope, clause: str, *, record_params: bool = True) -> None:
        if node is None:
            return
        if isinstance(node, tuple | list):
            for x in node:
                self.expr(x, scope, clause, record_params=record_params)
            return
        if not isinstance(node, ast.Node):
            return
        if isinstance(node, ast.SelectStmt):
            self.select(node, scope)
            return
        if isinstance(node, ast.SubLink):
            self.expr(node.testexpr, scope, clause, record_params=record_params)
            self.statement(node.subselect, scope)
            return
        if isinstance(node, ast.ParamRef):
            if record_params:
                self.param(int(node.number or 0))
            return
        if (
            isinstance(node, ast.TypeCast)
            and isinstance(node.arg, ast.ParamRef)
            and node.typeName is not None
        ):
            if record_params:
                _add_casts(self.param(int(node.arg.number or 0)), [type_name(node.typeName)])
            return
        if isinstance(node, ast.A_Expr):
            self.a_expr(node, scope, clause, record_params)
        elif isinstance(node, ast.FuncCall):
            name = (_strings(node.funcname) or [""])[-1].lower()
            args = node.args or ()
            if name in DISTANCE_FUNCTIONS and len(args) == 2:
                self.distance(name, args[0], args[1], scope, clause, record_params)
        for child in _subnodes(node):
            self.expr(child, scope, clause, record_params=record_params)

    def a_expr(self, node: ast.A_Expr, scope: _Scope, clause: str, record: bool) -> None:
        op = (_strings(node.name) or [""])[-1]
        kind = node.kind
        if kind is None:
            return
        if kind == A_Expr_Kind.AEXPR_OP and op in DISTANCE_OPERATORS:
            self.distance(op, node.lexpr, node.rexpr, scope, clause, record)
            return
        comparison = (
            kind in (A_Expr_Kind.AEXPR_OP_ANY, A_Expr_Kind.AEXPR_OP_ALL)
            or kind == A_Expr_Kind.AEXPR_IN
            or kind.name.startswith("AEXPR_BETWEEN")
            or kind.name.startswith("AEXPR_NOT_BETWEEN")
            or kind in (A_Expr_Kind.AEXPR_LIKE, A_Expr_Kind.AEXPR_ILIKE)
            or kind == A_Expr_Kind.AEXPR_DISTINCT
            or kind == A_Expr_Kind.AEXPR_NOT_DISTINCT
            or (kind == A_Expr_Kind.AEXPR_OP and op in _COMPARISONS)
        )
        if not comparison or not record:
            return
        for col_side, other in ((node.lexpr, node.rexpr), (node.rexpr, node.lexpr)):
            col = _column(col_side)
            if col is None:
                continue
            use = scope.resolve(col)
            for p, casts in _params_in(other, direct=True):
                par = self.param(p)
                if use not in par.compared_with:
                    par.compared_with.append(use)
                _add_casts(par, casts)

    def distance(
        self, op: str, left: Any, right: Any, scope: _Scope, clause: str, record: bool
    ) -> None:
        lcol, rcol = _column(left, through_calls=True), _column(right, through_calls=True)
        col_fields, other = (lcol, right) if lcol is not None else (rcol, left)
        use = scope.resolve(col_fields) if col_fields is not None else None
        numbers: list[int] = []
        for p, casts in _params_in(other, direct=True, through_calls=True):
            numbers.append(p)
            if record:
                par = self.param(p)
                if use is not None and use not in par.vector_of:
                    par.vector_of.append(use)
                elif use is None and not par.vector_of:
                    par.vector_of.append(ColumnUse(""))
                _add_casts(par, casts)
        self.distances.append(Distance(op, use, tuple(numbers), clause))


def _add_casts(par: Param, casts: list[str]) -> None:
    for c in casts:
        if c not in par.casts:
            par.casts.append(c)


def _column(node: Any, *, through_calls: bool = False) -> list[str] | None:
    """The ColumnRef's names when ``node`` is a column (through casts and, for distances,
    one-argument wrappers such as ``binary_quantize(col)``), else None."""
    while True:
        if isinstance(node, ast.TypeCast):
            node = node.arg
        elif (
            through_calls
            and isinstance(node, ast.FuncCall)
            and len(node.args or ()) >= 1
            and (_strings(node.funcname) or [""])[-1].lower()
            in ("binary_quantize", "subvector", "l2_normalize")
        ):
            node = (node.args or (None,))[0]
        else:
            break
    if isinstance(node, ast.ColumnRef):
        names = _strings(node.fields)
        if names and len(names) == len(node.fields or ()):
            return names
    return None


def _params_in(
    node: Any, *, direct: bool = False, through_calls: bool = False
) -> Iterator[tuple[int, list[str]]]:
    """``(n, casts)`` for each ``$n`` in ``node``. ``direct``: only a parameter that *is* the
    value (through casts, lists and — with ``through_calls`` — wrapper calls), not one used
    inside a larger expression (``meta->>$4``)."""
    if isinstance(node, tuple | list):
        for x in node:
            yield from _params_in(x, direct=direct, through_calls=through_calls)
        return
    casts: list[str] = []
    while isinstance(node, ast.TypeCast):
        if node.typeName is not None:
            casts.append(type_name(node.typeName))
        node = node.arg
    if isinstance(node, ast.ParamRef):
        yield int(node.number or 0), casts
        return
    if isinstance(node, ast.A_ArrayExpr):
        yield from _params_in(node.elements, direct=direct, through_calls=through_calls)
        return
    if direct:
        if (
            through_calls
            and isinstance(node, ast.FuncCall)
            and (_strings(node.funcname) or [""])[-1].lower()
            in ("binary_quantize", "subvector", "l2_normalize")
            and node.args
        ):
            yield from _params_in(node.args[0], direct=True, through_calls=True)
        return
    if isinstance(node, ast.Node):
        for child in _subnodes(node):
            yield from _params_in(child)


def limit_kind(text: str) -> str:
    """The statement's own (outermost) LIMIT: ``"none"``, ``"null"`` (``LIMIT NULL`` or ``LIMIT
    ALL``, also cast: no limit at all) or ``"value"``; ``"unknown"`` when it cannot be read."""
    try:
        stmts = qparser.parse(text)
    except qparser.SqlError:
        return "unknown"
    if len(stmts) != 1 or not isinstance(stmts[0].stmt, ast.SelectStmt):
        return "unknown"
    count = stmts[0].stmt.limitCount
    while isinstance(count, ast.TypeCast):
        count = count.arg
    if count is None:
        return "none"
    if isinstance(count, ast.A_Const) and count.isnull:
        return "null"
    return "value"
