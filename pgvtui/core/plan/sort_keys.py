"""The distances in a plan expression (a Sort Key item, an Order By), read with PostgreSQL's
own parser (pglast): which operator, and what stands on each side — a column (with its table
alias), a function call, a constant, a parameter. Expressions PostgreSQL prints that are not SQL
(``(InitPlan 1).col1``) or that were cut give no distances.

(Plan-expression parsing is moving onto one pglast-based module; this one only answers "what is
on each side of the distance" for the plan rules.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pglast import ast, parse_sql
from pglast.parser import ParseError

from pgvtui.core.plan.model import VECTOR_OPERATORS


@dataclass(frozen=True)
class Side:
    kind: str  # column | call | constant | param | other
    name: str | None = None  # the column's or the function's name
    qualifier: str | None = None  # a column's table alias / name, when qualified
    has_columns: bool = False  # a column reference anywhere inside (a call's arguments)


@dataclass(frozen=True)
class Distance:
    operator: str
    left: Side
    right: Side


def _nodes(node: Any) -> Iterator[Any]:
    if isinstance(node, ast.Node):
        yield node
        for name in getattr(node, "__slots__", ()):
            yield from _nodes(getattr(node, name, None))
    elif isinstance(node, tuple):
        for item in node:
            yield from _nodes(item)


def _side(node: Any) -> Side:
    while isinstance(node, ast.TypeCast):
        node = node.arg
    if isinstance(node, ast.ColumnRef):
        parts = [getattr(f, "sval", None) for f in node.fields or ()]
        return Side("column", parts[-1], parts[-2] if len(parts) > 1 else None, True)
    if isinstance(node, ast.FuncCall):
        name = ".".join(getattr(p, "sval", "?") for p in node.funcname or ())
        cols = any(isinstance(n, ast.ColumnRef) for n in _nodes(node.args))
        return Side("call", name, None, cols)
    if isinstance(node, ast.A_Const):
        return Side("constant")
    if isinstance(node, ast.ParamRef):
        return Side("param")
    return Side("other", has_columns=any(isinstance(n, ast.ColumnRef) for n in _nodes(node)))


def distances(expression: str) -> list[Distance]:
    """Every ``a <op> b`` with a pgvector distance operator in ``expression``."""
    try:
        stmts = parse_sql("SELECT " + expression)
    except ParseError:
        return []
    select = stmts[0].stmt if stmts else None
    if not isinstance(select, ast.SelectStmt) or not select.targetList:
        return []
    out: list[Distance] = []
    for expr in _nodes(select.targetList[0].val):
        if isinstance(expr, ast.A_Expr) and expr.name:
            op = getattr(expr.name[-1], "sval", None)
            if op in VECTOR_OPERATORS:
                out.append(Distance(str(op), _side(expr.lexpr), _side(expr.rexpr)))
    return out


def joined_query_vector(expression: str) -> Distance | None:
    """A distance between columns of two different relations (``i.emb <-> q.q``): the query
    vector comes from a join."""
    for d in distances(expression):
        left, right = d.left, d.right
        both = left.kind == right.kind == "column" and left.qualifier and right.qualifier
        if both and left.qualifier != right.qualifier:
            return d
    return None
