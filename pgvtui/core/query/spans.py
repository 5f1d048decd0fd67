"""Where parse-tree nodes sit in the text. Pure.

PostgreSQL's parse tree gives each node one ``location`` (where it starts — for an operator
expression, where the operator is) and nothing about where it ends; parentheses are not in the
tree at all. :class:`SourceText` puts the scanner's tokens (:func:`.parser.scan`) next to the
tree: a node's extent is the run of tokens from its first to its last located descendant,
widened to balanced brackets (and ``CASE … END``), to the words of a type name or a collation,
and to the keywords of ``IS [NOT] NULL``. Clause ends (``WHERE …`` up to ``ORDER BY``) are found
by walking tokens at one bracket depth up to a clause keyword.

Offsets are kept in two coordinates: ``mapped`` (the text the parser read, psycopg placeholders
turned into ``$n``) and the caller's original text; everything this module returns is in the
original text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Any

from pglast import ast

from pgvtui.core.query.parser import Placeholder, Token, walk

OPENERS = {"ASCII_40": "ASCII_41", "ASCII_91": "ASCII_93", "CASE": "END_P"}
CLOSERS = {v: k for k, v in OPENERS.items()}
COMMA = "ASCII_44"
DOT = "ASCII_46"
SEMICOLON = "ASCII_59"

# keywords that end a clause of a SELECT at their own bracket depth
CLAUSE_WORDS = frozenset(
    {
        "FROM",
        "WHERE",
        "GROUP_P",
        "HAVING",
        "WINDOW",
        "ORDER",
        "LIMIT",
        "OFFSET",
        "FETCH",
        "FOR",
        "UNION",
        "INTERSECT",
        "EXCEPT",
        "INTO",
        "RETURNING",
    }
)
JOIN_WORDS = frozenset({"JOIN", "CROSS", "LEFT", "RIGHT", "FULL", "INNER_P", "NATURAL", "OUTER_P"})
FROM_ITEM_ENDS = CLAUSE_WORDS | JOIN_WORDS | {"ON", "USING"}
_IS_WORDS = frozenset(
    {"IS", "NOT", "NULL_P", "TRUE_P", "FALSE_P", "UNKNOWN", "ISNULL", "NOTNULL", "DOCUMENT_P"}
)


_JSON_STRING = r'"(?:[^"\\]|\\.)*"'
_FLAT = rf"(?:{_JSON_STRING}|[^{{}}\"])*"
_A_CONST = re.compile(
    rf'"A_Const":\{{((?:{_JSON_STRING}|[^{{}}"]|\{{(?:{_JSON_STRING}|[^{{}}"]|\{{{_FLAT}\}})*\}})*)\}}'
)
_LOCATION = re.compile(r'"location":(-?\d+)\s*$')


def const_locations(text: str, json_tree: str, trees: Any) -> dict[int, int]:
    """``id(A_Const node) → character offset``. pglast's ``A_Const`` has no ``location``;
    libpg_query's JSON has it (in bytes). Both list the constants in the same depth-first order;
    when the counts differ nothing is returned (the constants then have no location). The JSON
    is searched for its ``A_Const`` objects rather than loaded: it nests as deep as the tree,
    past what ``json.loads`` can recurse."""
    consts = [n for n in walk(trees) if isinstance(n, ast.A_Const)]
    locs: list[int] = []
    for m in _A_CONST.finditer(json_tree):
        found = _LOCATION.search(m.group(1))
        locs.append(int(found.group(1)) if found else -1)
    if len(locs) != len(consts):
        return {}
    if not text.isascii():
        data = text.encode("utf-8")
        locs = [len(data[:b].decode("utf-8", "ignore")) if b >= 0 else b for b in locs]
    return {id(node): loc for node, loc in zip(consts, locs, strict=True) if loc >= 0}


def _children(item: Any) -> list[ast.Node]:
    """The nodes directly under a node (or in a tuple of them), tuples flattened."""
    out: list[ast.Node] = []
    if isinstance(item, ast.Node):
        slots: Any = getattr(type(item), "__slots__", {})
        pending: list[Any] = [getattr(item, a, None) for a in slots]
    elif isinstance(item, tuple):
        pending = list(item)
    else:
        return out
    while pending:
        value = pending.pop()
        if isinstance(value, ast.Node):
            out.append(value)
        elif isinstance(value, tuple):
            pending.extend(value)
    return out


class SourceText:
    """The significant tokens of ``mapped`` (comments dropped), with bracket matching."""

    def __init__(
        self,
        original: str,
        tokens: Iterable[Token],
        holders: Iterable[Placeholder],
        const_locations: dict[int, int] | None = None,
    ) -> None:
        self.original = original
        self.const_locations = const_locations or {}
        self._ranges: dict[int, tuple[int, int]] = {}
        self._indexed_misses: set[int] = set()
        self.toks = [t for t in tokens if not t.is_comment]
        self.starts = [t.start for t in self.toks]
        self.names = [t.name for t in self.toks]
        n = len(self.toks)
        self.match = [-1] * n
        self.enclosing = [-1] * n  # the innermost unmatched opener before each token
        stack: list[int] = []
        for i, name in enumerate(self.names):
            if name in CLOSERS and stack and self.names[stack[-1]] == CLOSERS[name]:
                j = stack.pop()
                self.match[i], self.match[j] = j, i
            self.enclosing[i] = stack[-1] if stack else -1
            if name in OPENERS:
                stack.append(i)
        self._orig = self._original_offsets(holders)

    # -- coordinates -----------------------------------------------------------------------------
    def _original_offsets(self, holders: Iterable[Placeholder]) -> list[tuple[int, int]]:
        """(start, end) of every token in the original text."""
        # (mapped start, original start, original length, original - mapped after it)
        edits: list[tuple[int, int, int, int]] = []
        delta = 0
        for h in sorted(holders, key=lambda h: h.start):
            mapped_start = h.start - delta
            delta += len(h.text) - len(f"${h.number}")
            edits.append((mapped_start, h.start, len(h.text), delta))
        keys = [e[0] for e in edits]
        out: list[tuple[int, int]] = []
        for t in self.toks:
            k = bisect_left(keys, t.start)
            if k < len(keys) and keys[k] == t.start:
                out.append((edits[k][1], edits[k][1] + edits[k][2]))
                continue
            shift = edits[k - 1][3] if k > 0 else 0
            out.append((t.start + shift, t.end + shift))
        return out

    def start(self, i: int) -> int:
        return self._orig[i][0]

    def end(self, i: int) -> int:
        return self._orig[i][1]

    def span(self, lo: int, hi: int) -> tuple[int, int]:
        return (self.start(lo), self.end(hi))

    def text(self, lo: int, hi: int) -> str:
        return self.original[self.start(lo) : self.end(hi)] if hi >= lo else ""

    # -- tokens ----------------------------------------------------------------------------------
    def at(self, location: int) -> int:
        """The token at a parse-tree ``location`` (mapped offset): the last starting at or
        before it."""
        return max(0, bisect_right(self.starts, location) - 1)

    def after(self, location: int) -> int:
        """The first token starting at or after ``location``."""
        return bisect_left(self.starts, location)

    def is_(self, i: int, *names: str) -> bool:
        return 0 <= i < len(self.toks) and self.names[i] in names

    def run_end(self, i: int, stops: frozenset[str], comma: bool = True) -> int:
        """The last token of the run starting at ``i``: up to (not including) a stop keyword
        or comma at the run's own bracket depth, an unmatched closer, a ``;`` or the end."""
        k = i
        last = i - 1
        n = len(self.toks)
        while k < n:
            name = self.names[k]
            if k > i and name in stops and not self._continues(k):
                break
            if name == SEMICOLON or (comma and name == COMMA):
                break
            if name in CLOSERS and (self.match[k] < i):
                break
            if name in OPENERS and self.match[k] > k:
                last = self.match[k]
                k = self.match[k] + 1
                continue
            if name in OPENERS:  # unbalanced: stop here
                last = k
                break
            last = k
            k += 1
        return last

    def _continues(self, k: int) -> bool:
        """A stop keyword that is part of an expression: ``WITHIN GROUP``, ``IS DISTINCT
        FROM``, ``left(…)``/``right(…)`` calls."""
        name = self.names[k]
        prev = self.names[k - 1] if k > 0 else ""
        if name == "GROUP_P" and prev == "WITHIN":
            return True
        if name == "FROM" and prev == "DISTINCT":
            return True
        return name in ("LEFT", "RIGHT") and self.is_(k + 1, "ASCII_40")

    def balance(self, lo: int, hi: int) -> tuple[int, int]:
        """Widen ``[lo, hi]`` until every bracket in it is matched inside it."""
        changed = True
        while changed:
            changed = False
            for k in range(lo, hi + 1):
                m = self.match[k]
                if m == -1:
                    continue
                if m < lo:
                    lo, changed = m, True
                elif m > hi:
                    hi, changed = m, True
        return lo, hi

    def parenthesised(self, lo: int, hi: int) -> tuple[int, int]:
        """``[lo, hi]`` widened over the parentheses written around it: ``((x))``."""
        while self.is_(lo - 1, "ASCII_40") and self.match[lo - 1] == hi + 1:
            lo, hi = lo - 1, hi + 1
        return lo, hi

    def type_end(self, i: int) -> int:
        """The last token of a type name starting at ``i``: ``schema.name``, ``double
        precision``, ``timestamp with time zone``, ``(typmods)``, ``[]``."""
        k = i
        while self.is_(k + 1, DOT) and k + 2 < len(self.toks):
            k += 2
        if self.is_(k + 1, "PRECISION", "VARYING"):
            k += 1
        if self.is_(k + 1, "WITH", "WITHOUT") and self.is_(k + 2, "TIME"):
            k += 3
        if self.is_(k + 1, "ASCII_40") and self.match[k + 1] > k:
            k = self.match[k + 1]
        while self.is_(k + 1, "ASCII_91") and self.match[k + 1] > k:
            k = self.match[k + 1]
        return k

    # -- nodes -----------------------------------------------------------------------------------
    def index_tree(self, root: Any) -> None:
        """Record the token extent of every node under ``root`` in one iterative post-order
        pass, so :meth:`node_range` costs no walk."""
        ranges = self._ranges
        stack: list[tuple[Any, list[ast.Node] | None]] = [(root, None)]
        while stack:
            item, kids = stack.pop()
            if kids is None:
                kids = _children(item)
                if isinstance(item, ast.Node):
                    stack.append((item, kids))
                stack.extend((c, None) for c in kids)
                continue
            lo, hi = self._own_range(item)
            for child in kids:
                r = ranges.get(id(child))
                if r is not None:
                    lo = r[0] if lo < 0 or r[0] < lo else lo
                    hi = r[1] if r[1] > hi else hi
            if lo >= 0:
                ranges[id(item)] = (lo, hi)

    def _own_range(self, sub: ast.Node) -> tuple[int, int]:
        """The tokens a node covers by itself (-1, -1 without a location)."""
        loc = getattr(sub, "location", None)
        if isinstance(sub, ast.A_Const):
            loc = self.const_locations.get(id(sub), -1)
        if not isinstance(loc, int) or loc < 0 or not self.toks:
            return -1, -1
        k = self.at(loc)
        end = k
        if isinstance(sub, ast.TypeName):
            end = self.type_end(k)
        elif isinstance(sub, ast.CollateClause):
            end = k + 1
            while self.is_(end + 1, DOT):
                end += 2
        elif isinstance(sub, ast.ColumnRef | ast.FuncCall):
            while self.is_(end + 1, DOT) and end + 2 < len(self.toks):
                end += 2  # schema.table.column / schema.function
            if isinstance(sub, ast.FuncCall) and self.is_(end + 1, "ASCII_40"):
                end = max(end, self.match[end + 1])
        elif isinstance(sub, ast.NullTest | ast.BooleanTest):
            while self.is_(end + 1, *_IS_WORDS):
                end += 1
        return k, min(end, len(self.toks) - 1)

    def node_range(self, node: ast.Node) -> tuple[int, int] | None:
        """First and last token index of ``node`` (None when nothing in it has a location),
        widened to balanced brackets. Nodes outside :meth:`index_tree` are indexed first."""
        r = self._ranges.get(id(node))
        if r is None:
            if id(node) in self._indexed_misses:
                return None
            self.index_tree(node)
            r = self._ranges.get(id(node))
            if r is None:
                self._indexed_misses.add(id(node))
                return None
        return self.balance(*r)

    def node_span(self, node: ast.Node) -> tuple[int, int] | None:
        r = self.node_range(node)
        return None if r is None else self.span(*r)

    def node_text(self, node: ast.Node) -> str:
        r = self.node_range(node)
        return "" if r is None else self.text(*r)

    def group_of(self, i: int) -> tuple[int, int] | None:
        """The bracket pair enclosing token ``i``."""
        o = self.enclosing[i] if 0 <= i < len(self.toks) else -1
        if o < 0 or self.match[o] < 0:
            return None
        return o, self.match[o]
