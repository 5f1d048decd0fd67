"""The distance terms in a plan's expressions, read with PostgreSQL's parser. Pure.

EXPLAIN prints Sort Keys, index Order Bys and Filters as SQL expressions:
``(emb <-> '[...]'::vector)``, ``(((emb)::halfvec <-> '[...]'::halfvec))``,
``((i.emb <-> queries.q))``, ``(('1'::double precision - (emb <=> '[...]'::vector))) DESC``,
``(emb <-> (InitPlan 1).col1)``. :func:`distance_terms` parses one with
:func:`pgvtui.core.query.parser.parse_expression` and reads every vector distance in the tree.

What EXPLAIN writes that is not SQL is mapped first: a trailing ``ASC``/``DESC``/``NULLS …``/
``USING op`` and ``(InitPlan 1)`` / ``(SubPlan 2)`` / ``(hashed SubPlan 2)`` references.
Pasted plans are often cut short (``'[0.1,0.2,…``): an unterminated literal or parenthesis
is closed before giving up; text that still does not parse has no terms (never an error).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pglast import ast
from pglast.enums.parsenodes import A_Expr_Kind

from pgvtui.core.plan import VECTOR_OPERATORS, PlanNode
from pgvtui.core.query import parser

_SUFFIX_WORDS = ("ASC", "DESC", "NULLS_P", "FIRST_P", "LAST_P")
_REPAIRS = ("", "'", "')", "'))", ")", "))")


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


def shorten_literals(text: str, keep: int = 40) -> str:
    """Replace string literals longer than ``keep`` (vector literals can be kilobytes) with
    ``'…'``; short ones (``'100'::bigint``) stay, so filter text remains valid SQL. Text the
    scanner cannot read is returned as it is."""
    try:
        toks = parser.scan(text)
    except parser.SqlError:
        return text
    out = text
    for t in reversed(toks):
        if t.name == "SCONST" and t.end - t.start > keep and text[t.start] == "'":
            out = out[: t.start] + "'…'" + out[t.end :]
    return out


def distance_terms(item: str) -> list[DistanceTerm]:
    """Every vector-distance operator in one sort-key item or Order By expression."""
    read = _read(item)
    if read is None:
        return []
    tree, desc, body, parsed = read
    expression = shorten_literals(_strip_outer_parens(body))
    out: list[DistanceTerm] = []
    for node in parser.walk(tree):
        if not (isinstance(node, ast.A_Expr) and node.kind == A_Expr_Kind.AEXPR_OP):
            continue
        op = parser.names(node.name)
        if not op or op[-1] not in VECTOR_OPERATORS or node.lexpr is None:
            continue
        column, qualifier, cast = _left_operand(node.lexpr, parsed)
        out.append(
            DistanceTerm(
                operator=op[-1],
                column=column,
                qualifier=qualifier,
                cast=cast,
                wrapped=node is not tree,
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


def _read(item: str) -> tuple[Any, bool, str, str] | None:
    """(expression tree, DESC?, the expression as written without ASC/DESC …, the text the
    tree was parsed from) or None."""
    for repair in _REPAIRS:
        text = item + repair
        try:
            toks = [t for t in parser.scan(text) if not t.is_comment]
        except parser.SqlError:
            continue
        desc = False
        k = len(toks)
        while k > 0 and toks[k - 1].name in _SUFFIX_WORDS:
            desc = desc or toks[k - 1].name == "DESC"
            k -= 1
        if k >= 2 and toks[k - 2].name == "USING":
            desc = toks[k - 1].text in (">", ">=")
            k -= 2
        if k == 0:
            return None
        body = text[: toks[k - 1].end]
        parsed = _plan_references(body, toks[:k])
        try:
            return parser.parse_expression(parsed), desc, body, parsed
        except parser.SqlError:
            continue
    return None


def _plan_references(text: str, toks: list[parser.Token]) -> str:
    """``(InitPlan 1)``, ``(SubPlan 2)``, ``(hashed SubPlan 2)`` → a quoted name, so
    ``(InitPlan 1).col1`` reads as the column ``col1`` of ``"InitPlan 1"``."""
    edits: list[tuple[int, int, str]] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        words = 3 if i + 1 < len(toks) and toks[i + 1].text.lower() == "hashed" else 2
        close = i + words + 1
        if (
            t.char == "("
            and close < len(toks)
            and toks[close].char == ")"
            and toks[close - 2].text.lower() in ("initplan", "subplan")
            and toks[close - 1].name == "ICONST"
        ):
            inner = text[toks[i + 1].start : toks[close - 1].end].replace('"', "")
            edits.append((t.start, toks[close].end, f'"{inner}"'))
            i = close + 1
            continue
        i += 1
    for start, end, new in reversed(edits):
        text = text[:start] + new + text[end:]
    return text


def _left_operand(node: Any, text: str) -> tuple[str | None, str | None, str | None]:
    """(column, qualifier, outermost cast as written) of a distance's left operand."""
    cast: str | None = None
    while isinstance(node, ast.TypeCast) and node.arg is not None:
        if cast is None and node.typeName is not None:
            cast = _type_text(node.typeName, text)
        node = node.arg
    if not isinstance(node, ast.ColumnRef):
        return None, None, cast
    names = parser.names(node.fields)
    if not names or names[-1] == "*":
        return None, None, cast
    return names[-1], (names[-2] if len(names) >= 2 else None), cast


def _type_text(tn: ast.TypeName, text: str) -> str:
    """A type name as written: ``halfvec(64)``, ``double precision``."""
    names = parser.names(tn.names)
    fallback = names[-1] if names else ""
    start = (tn.location or -1) - len(parser.EXPRESSION_PREFIX)
    if start < 0:
        return fallback
    try:
        toks = [t for t in parser.scan(text[start:]) if not t.is_comment]
    except parser.SqlError:
        return fallback
    k = 0
    while k + 2 < len(toks) and toks[k + 1].char == ".":
        k += 2
    while k + 1 < len(toks) and toks[k + 1].name in ("PRECISION", "VARYING"):
        k += 1
    if k + 1 < len(toks) and toks[k + 1].char == "(":
        depth = 0
        for j in range(k + 1, len(toks)):
            depth += {"(": 1, ")": -1}.get(toks[j].char or "", 0)
            if depth == 0:
                k = j
                break
    return text[start : start + toks[k].end] if toks else fallback


def _strip_outer_parens(text: str) -> str:
    """``((x))`` → ``x`` when the outer parentheses enclose everything."""
    try:
        toks = [t for t in parser.scan(text) if not t.is_comment]
    except parser.SqlError:
        return text.strip()
    lo, hi = 0, len(toks) - 1
    while lo < hi and toks[lo].char == "(" and toks[hi].char == ")":
        depth = 0
        closes_at_end = True
        for j in range(lo, hi + 1):
            depth += {"(": 1, ")": -1}.get(toks[j].char or "", 0)
            if depth == 0 and j < hi:
                closes_at_end = False
                break
        if not closes_at_end:
            break
        lo, hi = lo + 1, hi - 1
    if lo > hi:
        return text.strip()
    return text[toks[lo].start : toks[hi].end]
