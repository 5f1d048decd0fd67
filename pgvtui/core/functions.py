"""User functions that search vectors: their bodies read from pg_proc, never executed.

A Supabase-style ``match_documents(query_embedding, match_count)`` plans as one ``Function
Scan``; the search is inside. :func:`load_functions` reads the user functions (``LANGUAGE sql``
and ``plpgsql``; not extension members) with one catalog query; :meth:`FunctionInfo.queries`
gives the statements a call runs — a ``LANGUAGE sql`` body's statements, the ``RETURN QUERY``
statements of a plpgsql body (parsed with PostgreSQL's plpgsql parser via pglast) — and
:meth:`FunctionInfo.inline_blockers` why the planner cannot inline it into the calling query
(then the caller's LIMIT cannot reach the search inside).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pglast
from pglast import ast
from pglast.parser import ParseError
from pglast.stream import RawStream

from pgvtui.core import statement
from pgvtui.core.query import parser as qparser
from pgvtui.core.session import Session

VOLATILITY = {"i": "IMMUTABLE", "s": "STABLE", "v": "VOLATILE"}


@dataclass(frozen=True)
class FunctionInfo:
    oid: int
    schema: str
    name: str
    language: str
    volatility: str  # "i" | "s" | "v"
    security_definer: bool
    returns_set: bool
    nargs: int
    ndefaults: int
    arg_names: list[str]  # all arguments, OUT/TABLE columns included (proargnames)
    arg_modes: list[str]  # empty when all are IN
    arg_types: list[str]  # input arguments' types
    arg_defaults: str | None  # the trailing defaults, as pg_get_expr prints them
    body: str
    strict: bool
    config: list[str]  # SET clauses
    definition: str | None  # CREATE FUNCTION text (plpgsql, BEGIN ATOMIC)

    @property
    def display(self) -> str:
        return f"{self.schema}.{self.name}"

    def input_names(self) -> list[str | None]:
        """The input parameters' names in call order (None for an unnamed one)."""
        if not self.arg_modes:
            names: list[str | None] = [n or None for n in self.arg_names[: self.nargs]]
            return names + [None] * (self.nargs - len(names))
        out: list[str | None] = []
        for i, mode in enumerate(self.arg_modes):
            if mode in ("i", "b", "v"):
                out.append((self.arg_names[i] if i < len(self.arg_names) else "") or None)
        return out

    def defaults(self) -> list[str]:
        """The default expressions of the last :attr:`ndefaults` inputs, as SQL text."""
        if not self.arg_defaults or not self.ndefaults:
            return []
        try:
            stmt = _parse(f"SELECT {self.arg_defaults}")[0].stmt
        except ParseError:
            return []
        assert isinstance(stmt, ast.SelectStmt)
        return [RawStream()(t.val) for t in stmt.targetList or () if t.val is not None]

    def queries(self) -> list[str]:
        """The statements a call runs, as SQL text (parameters still named as in the body)."""
        if self.language == "sql":
            if self.body.strip():
                try:
                    stmts = _parse(self.body)
                    return [RawStream()(s.stmt) for s in stmts if s.stmt is not None]
                except ParseError:
                    return []
            return _atomic_body(self.definition)
        if self.language == "plpgsql" and self.definition:
            tree = _plpgsql(self.definition)
            return list(_return_queries(tree)) if tree is not None else []
        return []

    def dynamic(self) -> bool:
        """A plpgsql ``RETURN QUERY EXECUTE``: the statement is built at run time."""
        if self.language != "plpgsql" or not self.definition:
            return False
        tree = _plpgsql(self.definition)
        if tree is None:
            return False
        return any(True for _ in _walk(tree, "PLpgSQL_stmt_return_query", dynamic=True))

    def searches(self) -> list[statement.StatementInfo]:
        """The body's statements that use a pgvector distance."""
        out = []
        for q in self.queries():
            try:
                info = statement.read(q)
            except statement.StatementError:
                continue
            if info.uses_distance:
                out.append(info)
        return out

    def inline_blockers(self) -> list[str]:
        """Why the planner cannot inline a call in FROM (empty: it can). PostgreSQL inlines a
        set-returning function only when it is LANGUAGE sql, not VOLATILE, not STRICT, not
        SECURITY DEFINER, has no SET clauses, and its body is one SELECT."""
        why: list[str] = []
        if self.language != "sql":
            why.append(f"it is LANGUAGE {self.language} (only LANGUAGE sql can be inlined)")
        if self.volatility == "v":
            why.append("it is VOLATILE (the default; declare it STABLE)")
        if self.strict:
            why.append("it is STRICT")
        if self.security_definer:
            why.append("it is SECURITY DEFINER")
        if self.config:
            why.append("it has SET clauses (" + ", ".join(self.config) + ")")
        if self.language == "sql":
            qs = self.queries()
            if len(qs) != 1:
                why.append(f"its body has {len(qs)} statements (one SELECT can be inlined)")
            elif not qs[0].lstrip().upper().startswith(("SELECT", "WITH", "VALUES", "(")):
                why.append("its body is not a SELECT")
        return why


def _parse(text: str) -> tuple[ast.RawStmt, ...]:
    """PostgreSQL's parser with pgvtui's limits (:mod:`pgvtui.core.query.parser`)."""
    try:
        return qparser.parse(text)
    except qparser.SqlError as exc:
        raise ParseError(exc.message) from None


def _plpgsql(definition: str) -> Any:
    """plpgsql's own parser over a CREATE FUNCTION (None when it cannot be read)."""
    try:
        qparser.scan(definition)  # the size limits first
        return pglast.parse_plpgsql(definition)
    except (qparser.SqlError, ParseError):
        return None


def _atomic_body(definition: str | None) -> list[str]:
    if not definition:
        return []
    try:
        stmt = _parse(definition)[0].stmt
    except (ParseError, IndexError):
        return []
    body = getattr(stmt, "sql_body", None)
    out: list[str] = []
    for part in body or ():
        for s in part if isinstance(part, tuple | list) else (part,):
            if isinstance(s, ast.Node):
                out.append(RawStream()(s))
    return out


def _walk(node: Any, key: str, *, dynamic: bool = False) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key and isinstance(v, dict) and ("dynquery" in v) == dynamic:
                yield v
            yield from _walk(v, key, dynamic=dynamic)
    elif isinstance(node, list):
        for x in node:
            yield from _walk(x, key, dynamic=dynamic)


def _return_queries(tree: Any) -> Iterator[str]:
    for stmt in _walk(tree, "PLpgSQL_stmt_return_query"):
        expr = stmt.get("query", {}).get("PLpgSQL_expr", {})
        text = expr.get("query")
        if isinstance(text, str):
            yield text


async def load_functions(session: Session) -> list[FunctionInfo]:
    """Every user function of LANGUAGE sql/plpgsql the role can see (one catalog query)."""
    return await session.fetch("workload_functions", row=FunctionInfo)


def vector_functions(functions: list[FunctionInfo]) -> dict[str, list[FunctionInfo]]:
    """Functions whose body runs a vector search (a pgvector distance in a statement it runs),
    by lower-case name (overloads and schemas share a name: callers pick by schema)."""
    out: dict[str, list[FunctionInfo]] = {}
    for f in functions:
        if f.searches():
            out.setdefault(f.name.lower(), []).append(f)
    return out


def pick(
    candidates: dict[str, list[FunctionInfo]], name: str, schema: str | None, nargs: int
) -> FunctionInfo | None:
    """The function a call names (schema when written; otherwise the only one or the one in
    public), preferring one whose argument count fits the call."""
    found = [f for f in candidates.get(name.lower(), []) if schema is None or f.schema == schema]
    fitting = [f for f in found if f.nargs - f.ndefaults <= nargs <= f.nargs] or found
    if len(fitting) > 1:
        fitting = [f for f in fitting if f.schema == "public"] or fitting
    return fitting[0] if fitting else None


# -- a call's search, with the call's arguments in place ---------------------------------------


@dataclass(frozen=True)
class FunctionSearch:
    """The search a call of a user function runs, as a statement of its own."""

    function: FunctionInfo
    call_sql: str  # the calling statement
    sql: str  # the body's search with the call's arguments (or defaults) in the parameters' place
    outer_limit: str | None  # the calling statement's LIMIT, as written
    arguments: dict[str, str]  # parameter name → what the call passes (SQL text)

    @property
    def inline_blockers(self) -> list[str]:
        return self.function.inline_blockers()

    def to_json(self) -> dict[str, Any]:
        blockers = self.inline_blockers
        return {
            "name": self.function.display,
            "language": self.function.language,
            "volatility": VOLATILITY.get(self.function.volatility, self.function.volatility),
            "security_definer": self.function.security_definer,
            "inlinable": not blockers,
            "not_inlined_because": blockers,
            "called_as": self.call_sql,
            "arguments": dict(self.arguments),
            "outer_limit": self.outer_limit,
        }


def _deparse(node: Any) -> str:
    return str(RawStream()(node))


def _substitute(node: Any, by_name: dict[str, Any], by_position: list[Any]) -> Any:
    """``node`` with each bare reference to a parameter name (``query_embedding``) and each
    ``$n`` of the body replaced by what the call passes (a pglast node), in one pass that never
    looks inside a replacement. Qualified names (``documents.embedding``) are left alone."""
    if isinstance(node, tuple | list):
        return type(node)(_substitute(x, by_name, by_position) for x in node)
    if not isinstance(node, ast.Node):
        return node
    if isinstance(node, ast.ColumnRef):
        fields = node.fields or ()
        if len(fields) == 1 and isinstance(fields[0], ast.String):
            name = str(fields[0].sval)
            if name in by_name:
                return by_name[name]
        return node
    if isinstance(node, ast.ParamRef):
        n = int(node.number or 0)
        if 0 < n <= len(by_position) and by_position[n - 1] is not None:
            return by_position[n - 1]
        return node
    for attr in node:
        value = getattr(node, attr)
        if isinstance(value, ast.Node | tuple | list):
            setattr(node, attr, _substitute(value, by_name, by_position))
    return node


def _null() -> ast.Node:
    return ast.A_Const(isnull=True)


def call_search(
    info: statement.StatementInfo, searching: dict[str, list[FunctionInfo]]
) -> FunctionSearch | None:
    """The first call in FROM of a function whose body searches vectors, unwrapped: its search
    statement with every parameter replaced by what the call passes — the call's own ``$n``
    (so values bind the same), a constant, or the parameter's default (``match_count DEFAULT
    null`` becomes ``NULL``)."""
    for call in info.calls:
        f = pick(searching, call.name, call.schema, len(call.args))
        if f is None:
            continue
        inner = f.searches()[0]
        names = f.input_names()
        defaults = f.defaults()
        first_default = len(names) - len(defaults)
        values: dict[str, Any] = {}
        shown: dict[str, str] = {}
        named = {n: a for n, a in zip(call.names, call.args, strict=True) if n is not None}
        positional_args = [a for n, a in zip(call.names, call.args, strict=True) if n is None]
        for i, name in enumerate(names):
            if name is None:
                continue
            if name in named:
                node = named[name]
            elif i < len(positional_args):
                node = positional_args[i]
            elif i >= first_default:
                try:
                    node = qparser.parse_expression(defaults[i - first_default])
                except (qparser.SqlError, IndexError):
                    node = _null()
            else:
                node = _null()
            values[name] = node
            shown[name] = _deparse(node) if node is not None else "NULL"
        # $1-style references in a LANGUAGE sql body: the same substitution by position
        tree = _parse(inner.text)[0].stmt
        tree = _substitute(tree, values, [values.get(n or "") for n in names])
        outer = _parse(info.text)[0].stmt
        limit = getattr(outer, "limitCount", None)
        return FunctionSearch(
            function=f,
            call_sql=info.text,
            sql=_deparse(tree),
            outer_limit=_deparse(limit) if limit is not None else None,
            arguments=shown,
        )
    return None
