"""The shape of a vector query, from its text alone. Pure: no database, no I/O.

:func:`analyze_query` turns one SQL statement into a frozen :class:`QueryShape`: statement type,
CTEs (with their MATERIALIZED flag and their own shape), FROM items (tables with schema and
alias, subqueries, joins, LATERAL), the select list and its aliases, WHERE text, ORDER BY items,
LIMIT/OFFSET, every function called and every use of a pgvector distance operator
(``lhs OP rhs``) with its column side, its query-vector side and the clause it appears in.

The lexer is our own, a small port of PostgreSQL's ``scan.l`` rules, because the guard
(:mod:`pgvtui.core.guard`) builds on it and must see statements exactly as the server does:
sqlparse's lexer treats ``'\\'`` as an escaped quote (the server, with
standard_conforming_strings on, sees a complete string holding one backslash), does not nest
``/* */`` comments and splits ``<->`` into ``<`` and ``->``. sqlparse is still used by the guard
as a second, independent statement splitter.

Rules must not guess from this alone what the plan shows; they use it to find *which* table
and column a k-NN runs on (:meth:`QueryShape.knn`) and how the query is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from pgvtui.core.plan import VECTOR_OPERATORS

# --------------------------------------------------------------------------------------------
# Lexer
# --------------------------------------------------------------------------------------------

_OP_CHARS = set("+-*/<>=~!@#%^&|`?")
_WHITESPACE = frozenset(" \t\n\r\f\v")  # PostgreSQL's lexer: ASCII only
_DIGITS = frozenset("0123456789")
_OP_SPECIAL = set("~!@#%^&|`?")
_IDENT_START = re.compile(r"[A-Za-z_\x80-\U0010ffff]")
_IDENT = re.compile(r"[A-Za-z_\x80-\U0010ffff][A-Za-z_0-9$\x80-\U0010ffff]*")
_NUMBER = re.compile(
    r"0[xX][0-9A-Fa-f_]+|0[oO][0-7_]+|0[bB][01_]+"
    r"|(?:[0-9][0-9_]*(?:\.(?!\.)[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9]+)?"
)
_PARAM = re.compile(r"\$\d+")
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\U0010ffff][A-Za-z_0-9\x80-\U0010ffff]*)?\$")
_PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z_0-9]*\)[sbt]|%[sbt](?![A-Za-z_0-9])")


@dataclass(frozen=True)
class Token:
    """One lexical token. ``kind`` is one of: ws, comment, string, dollar, ident, qident,
    number, param, placeholder, op, punct, error. ``start``/``end`` index the original text."""

    kind: str
    value: str
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.value.upper() if self.kind == "ident" else ""

    @property
    def name(self) -> str:
        """The identifier as PostgreSQL folds it (unquoted → lower case, quoted → as is)."""
        if self.kind == "ident":
            return self.value.lower()
        if self.kind == "qident":
            body = self.value[self.value.index('"') + 1 : -1]
            return body.replace('""', '"')
        return self.value

    @property
    def is_name(self) -> bool:
        return self.kind in ("ident", "qident")

    @property
    def significant(self) -> bool:
        return self.kind not in ("ws", "comment")


class LexError(ValueError):
    """The text cannot be split into tokens (unterminated string, comment or quote)."""


def _scan_quoted(text: str, i: int, quote: str, backslash: bool) -> int:
    """Index just past the closing quote of a literal starting at ``text[i] == quote``."""
    n = len(text)
    j = i + 1
    while j < n:
        c = text[j]
        if backslash and c == "\\":
            j += 2
            continue
        if c == quote:
            if j + 1 < n and text[j + 1] == quote:
                j += 2
                continue
            return j + 1
        j += 1
    what = "quoted identifier" if quote == '"' else "string"
    raise LexError(f"unterminated {what} at offset {i}")


def tokenize(text: str) -> list[Token]:
    """Split SQL into tokens the way PostgreSQL's lexer does (standard_conforming_strings on).

    Raises :class:`LexError` for unterminated strings, quoted identifiers, dollar quotes and
    block comments (``/* */`` nests, as in PostgreSQL)."""
    out: list[Token] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        start = i
        if c in _WHITESPACE:
            while i < n and text[i] in _WHITESPACE:
                i += 1
            out.append(Token("ws", text[start:i], start, i))
            continue
        if text.startswith("--", i):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl + 1
            out.append(Token("comment", text[start:i], start, i))
            continue
        if text.startswith("/*", i):
            depth = 0
            while i < n:
                if text.startswith("/*", i):
                    depth += 1
                    i += 2
                elif text.startswith("*/", i):
                    depth -= 1
                    i += 2
                    if depth == 0:
                        break
                else:
                    i += 1
            if depth != 0:
                raise LexError(f"unterminated /* comment at offset {start}")
            out.append(Token("comment", text[start:i], start, i))
            continue
        # Prefixed literals: E'..' (backslash escapes), U&'..', U&"..", B'..', X'..', N'..'
        low2 = text[i : i + 2].lower()
        low3 = text[i : i + 3].lower()
        if low2 == "e'":
            i = _scan_quoted(text, i + 1, "'", backslash=True)
            out.append(Token("string", text[start:i], start, i))
            continue
        if low3 == "u&'":
            i = _scan_quoted(text, i + 2, "'", backslash=False)
            out.append(Token("string", text[start:i], start, i))
            continue
        if low3 == 'u&"':
            i = _scan_quoted(text, i + 2, '"', backslash=False)
            out.append(Token("qident", text[start:i], start, i))
            continue
        if low2 in ("b'", "x'", "n'"):
            i = _scan_quoted(text, i + 1, "'", backslash=False)
            out.append(Token("string", text[start:i], start, i))
            continue
        if c == "'":
            i = _scan_quoted(text, i, "'", backslash=False)
            out.append(Token("string", text[start:i], start, i))
            continue
        if c == '"':
            i = _scan_quoted(text, i, '"', backslash=False)
            out.append(Token("qident", text[start:i], start, i))
            continue
        if c == "$":
            m = _PARAM.match(text, i)
            if m:
                i = m.end()
                out.append(Token("param", m.group(), start, i))
                continue
            m = _DOLLAR_TAG.match(text, i)
            if m:
                tag = m.group()
                close = text.find(tag, m.end())
                if close < 0:
                    raise LexError(f"unterminated dollar-quoted string at offset {start}")
                i = close + len(tag)
                out.append(Token("dollar", text[start:i], start, i))
                continue
            i += 1
            out.append(Token("error", c, start, i))
            continue
        if _IDENT_START.match(c):
            m = _IDENT.match(text, i)
            assert m is not None
            i = m.end()
            out.append(Token("ident", m.group(), start, i))
            continue
        if c in _DIGITS or (c == "." and i + 1 < n and text[i + 1] in _DIGITS):
            m = _NUMBER.match(text, i)
            assert m is not None
            i = m.end()
            out.append(Token("number", m.group(), start, i))
            continue
        if c == "%":
            m = _PLACEHOLDER.match(text, i)
            if m:
                i = m.end()
                out.append(Token("placeholder", m.group(), start, i))
                continue
        if c == ":" and text.startswith("::", i):
            i += 2
            out.append(Token("punct", "::", start, i))
            continue
        if c in "(),;[].:":
            i += 1
            out.append(Token("punct", c, start, i))
            continue
        if c in _OP_CHARS:
            j = i
            while j < n and text[j] in _OP_CHARS:
                if j > i and (text.startswith("--", j) or text.startswith("/*", j)):
                    break
                j += 1
            op = text[i:j]
            # PostgreSQL: a multi-char operator cannot end in + or - unless it contains one of
            # ~ ! @ # % ^ & | ` ?
            while len(op) > 1 and op[-1] in "+-" and not (_OP_SPECIAL & set(op)):
                op = op[:-1]
            i += len(op)
            out.append(Token("op", op, start, i))
            continue
        i += 1
        out.append(Token("error", c, start, i))
    return out


# --------------------------------------------------------------------------------------------
# Paren tree
# --------------------------------------------------------------------------------------------


@dataclass
class Group:
    """A parenthesised or bracketed run of items."""

    open: Token
    items: list[Item]
    close: Token | None

    @property
    def start(self) -> int:
        return self.open.start

    @property
    def end(self) -> int:
        return (
            self.close.end if self.close else (self.items[-1].end if self.items else self.open.end)
        )

    @property
    def bracket(self) -> bool:
        return self.open.value == "["


Item = Token | Group


def split_statements(tokens: Sequence[Token]) -> tuple[list[list[Token]], bool]:
    """The statements separated by top-level ``;`` (those with no significant token dropped),
    and whether some ``;`` stood elsewhere: inside brackets (not split there) or after an
    unmatched closing one."""
    out: list[list[Token]] = [[]]
    depth = 0
    misplaced = False
    for t in tokens:
        if t.kind == "punct" and t.value in "([":
            depth += 1
        elif t.kind == "punct" and t.value in ")]":
            depth -= 1
        if t.kind == "punct" and t.value == ";":
            misplaced = misplaced or depth != 0
            if depth <= 0:
                out.append([])
                continue
        out[-1].append(t)
    return [s for s in out if any(t.significant for t in s)], misplaced


def build_tree(tokens: Sequence[Token]) -> tuple[list[Item], bool]:
    """Nest significant tokens by ( ) and [ ]. Returns (items, balanced)."""
    root: list[Item] = []
    stack: list[tuple[Token, list[Item]]] = []
    cur = root
    balanced = True
    for t in tokens:
        if not t.significant:
            continue
        if t.kind == "punct" and t.value in "([":
            stack.append((t, cur))
            cur = []
            continue
        if t.kind == "punct" and t.value in ")]":
            if not stack:
                balanced = False
                cur.append(t)
                continue
            open_t, parent = stack.pop()
            if (open_t.value == "(") != (t.value == ")"):
                balanced = False
            parent.append(Group(open_t, cur, t))
            cur = parent
            continue
        cur.append(t)
    while stack:
        balanced = False
        open_t, parent = stack.pop()
        parent.append(Group(open_t, cur, None))
        cur = parent
    return root, balanced


def _start(item: Item) -> int:
    return item.start


def _end(item: Item) -> int:
    return item.end


def _is_kw(item: Item, *words: str) -> bool:
    return isinstance(item, Token) and item.kind == "ident" and item.upper in words


def _is_punct(item: Item, value: str) -> bool:
    return isinstance(item, Token) and item.kind == "punct" and item.value == value


def _is_subquery(item: Item) -> bool:
    if not isinstance(item, Group) or item.bracket or not item.items:
        return False
    first = item.items[0]
    if isinstance(first, Group):
        return _is_subquery(first)
    return _is_kw(first, "SELECT", "WITH", "VALUES", "TABLE")


# --------------------------------------------------------------------------------------------
# Shape dataclasses
# --------------------------------------------------------------------------------------------


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
    qualifier: str | None  # "i" in i.emb (table alias or name as written, folded)
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
    casts: tuple[Cast, ...] = ()
    literal_dims: int | None = None  # element count of a '[…]' / ARRAY[…] literal
    param: str | None = None  # "$1", "%(q)s", "%s"
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
    operator: str
    column: ColumnSide
    query: QuerySide
    clause: str  # order_by | select | where | join | having | group_by | other
    text: str  # "lhs OP rhs" as written
    table: TableRef | None = None  # resolved base table of the column side (None if unknown)
    swapped: bool = False  # written as ``query OP column``
    # The column comes through a CTE or a FROM subquery: "cte:<name>" / "subquery:<alias>";
    # ``table`` is then the base table inside it when that is unambiguous.
    via: str | None = None
    span: tuple[int, int] | None = None  # offsets of ``lhs OP rhs`` in the analysed text


@dataclass(frozen=True)
class OrderItem:
    text: str  # the sort expression as written (without ASC/DESC/NULLS)
    descending: bool
    nulls: str | None = None  # "first" | "last"
    using: str | None = None  # ORDER BY x USING <op>
    ordinal: int | None = None  # ORDER BY 2
    alias: str | None = None  # the select-list alias this item names (ORDER BY dist)
    distances: tuple[DistanceUse, ...] = ()  # distance uses in it (through the alias too)
    # The distance is inside a larger expression, e.g. 1 - (a <=> b); False for a bare distance
    # or a bare alias of one.
    wrapped: bool = False
    references: tuple[str, ...] = ()  # bare names it refers to (e.g. ("distance",))
    span: tuple[int, int] | None = None  # the whole item incl. ASC/DESC/NULLS (text offsets)
    expr_span: tuple[int, int] | None = None  # the sort expression only

    @property
    def is_bare_reference(self) -> bool:
        """ORDER BY <one name>, nothing else."""
        return len(self.references) == 1 and self.text.strip().strip('"').lower() == (
            self.references[0].lower()
        )


@dataclass(frozen=True)
class SelectItem:
    text: str
    alias: str | None
    distances: tuple[DistanceUse, ...] = ()


@dataclass(frozen=True)
class FromItem:
    kind: str  # table | subquery | function | values | cte
    text: str
    schema: str | None = None
    name: str | None = None  # table / CTE / function name
    alias: str | None = None
    is_join: bool = False  # reached through JOIN (not a comma)
    join_type: str | None = None  # inner | left | right | full | cross | natural …
    lateral: bool = False
    on: str | None = None  # ON condition / USING (...)
    subquery: QueryShape | None = None
    span: tuple[int, int] | None = None  # the item (with alias and ON …) in the analysed text
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
    columns: tuple[str, ...] = ()
    text: str = ""
    # offsets of "MATERIALIZED" / "NOT MATERIALIZED" when written; else an empty span at the
    # end of "AS" (where such a keyword would go)
    keyword_span: tuple[int, int] | None = None
    body_span: tuple[int, int] | None = None  # the parenthesised body

    @property
    def data_modifying(self) -> bool:
        return self.shape.statement_type in ("INSERT", "UPDATE", "DELETE", "MERGE")


@dataclass(frozen=True)
class QueryShape:
    statement_type: str  # SELECT | VALUES | TABLE | INSERT | UPDATE | DELETE | MERGE | EXECUTE | …
    text: str = ""
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    limit_text: str | None = None  # e.g. "$2" when not a constant
    offset: int | None = None
    distances: tuple[DistanceUse, ...] = ()  # at this level (not in CTEs/subqueries)
    where_text: str | None = None
    ctes: tuple[Cte, ...] = ()
    from_items: tuple[FromItem, ...] = ()
    functions_called: tuple[str, ...] = ()  # lower-case, schema-qualified as written; all levels
    select_items: tuple[SelectItem, ...] = ()
    locking: tuple[str, ...] = ()  # FOR UPDATE / FOR SHARE … clauses, all levels
    into: bool = False  # SELECT … INTO (creates a table)
    set_operation: str | None = None  # UNION / INTERSECT / EXCEPT at this level
    distinct: bool = False
    group_by: str | None = None
    subqueries: tuple[QueryShape, ...] = ()  # scalar/IN/EXISTS subqueries at this level
    params: tuple[str, ...] = ()  # $n / %(name)s placeholders, all levels, in order of use
    parse_complete: bool = True  # False when parentheses were unbalanced
    # Offsets in the analysed text (for rewriting a query in a fix): this level, its WHERE
    # condition, its ORDER BY clause (from the ORDER keyword) and its LIMIT clause.
    span: tuple[int, int] | None = None
    where_span: tuple[int, int] | None = None
    order_by_span: tuple[int, int] | None = None
    limit_span: tuple[int, int] | None = None

    # -- conveniences -------------------------------------------------------------------------
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
        "from:<alias>" or "subquery", joined with "/" for deeper levels."""
        yield scope, self
        for c in self.ctes:
            yield from c.shape.walk(f"{scope}/cte:{c.name}" if scope != "main" else f"cte:{c.name}")
        for f in self.from_items:
            if f.subquery is not None:
                tag = f"from:{f.ref_name or '?'}"
                yield from f.subquery.walk(tag if scope == "main" else f"{scope}/{tag}")
        for s in self.subqueries:
            yield from s.walk("subquery" if scope == "main" else f"{scope}/subquery")

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
        then FROM subqueries, CTEs, other subqueries), with the LIMIT of that level."""
        for scope, shape in self.walk():
            od = shape.order_distance()
            if od is not None:
                item, use = od
                return KnnTarget(scope=scope, shape=shape, order_item=item, distance=use)
        return None

    @property
    def uses_vector_operator(self) -> bool:
        return bool(self.all_distances())


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


# --------------------------------------------------------------------------------------------
# Analysis
# --------------------------------------------------------------------------------------------

_CLAUSE_WORDS = {
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP",
    "HAVING",
    "WINDOW",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "FETCH",
    "FOR",
    "INTO",
    "UNION",
    "INTERSECT",
    "EXCEPT",
}
_JOIN_WORDS = {"JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL", "OUTER"}
_NOT_ALIAS = _CLAUSE_WORDS | _JOIN_WORDS | {"ON", "USING", "LATERAL", "TABLESAMPLE", "AS", "WITH"}


class _Scope:
    """Name resolution for one query level (with its parent for LATERAL/correlated refs)."""

    def __init__(self, ctes: set[str], parent: _Scope | None) -> None:
        self.ctes = ctes
        self.parent = parent
        self.from_items: list[FromItem] = []
        self.cte_shapes: dict[str, QueryShape] = {}

    def cte_shape(self, name: str) -> QueryShape | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.cte_shapes:
                return scope.cte_shapes[name]
            scope = scope.parent
        return None

    def resolve_local(self, qualifier: str | None) -> bool:
        """True when ``qualifier`` names a FROM item of this level (not an outer one)."""
        if qualifier is None:
            return bool(self.from_items)
        return any(f.ref_name == qualifier for f in self.from_items)

    def all_ctes(self) -> set[str]:
        out = set(self.ctes)
        if self.parent:
            out |= self.parent.all_ctes()
        return out

    def resolve(self, qualifier: str | None) -> FromItem | None:
        scope: _Scope | None = self
        while scope is not None:
            items = scope.from_items
            if qualifier is None:
                tables = [f for f in items if f.kind == "table"]
                if len(items) == 1:
                    return items[0]
                if len(tables) == 1:
                    return tables[0]  # best guess: the only base table at this level
                if items:
                    return None
            else:
                for f in items:
                    if f.ref_name == qualifier:
                        return f
            scope = scope.parent
        return None


def _text(sql: str, items: Sequence[Item]) -> str:
    if not items:
        return ""
    return sql[_start(items[0]) : _end(items[-1])]


def _split(items: Sequence[Item], sep: str = ",") -> list[list[Item]]:
    parts: list[list[Item]] = [[]]
    for it in items:
        if _is_punct(it, sep):
            parts.append([])
        else:
            parts[-1].append(it)
    return [p for p in parts if p]


def _int_value(items: Sequence[Item]) -> int | None:
    if len(items) == 1 and isinstance(items[0], Token) and items[0].kind == "number":
        try:
            return int(items[0].value.replace("_", ""))
        except ValueError:
            return None
    if len(items) == 1 and isinstance(items[0], Group) and not items[0].bracket:
        return _int_value(items[0].items)
    return None


def _literal_dims(value: str) -> int | None:
    """Dimensions of a vector literal text: '[1,2,3]' → 3, '{1:1,3:2}/5' → 5 (sparsevec)."""
    v = value.strip()
    if v.startswith("[") and v.endswith("]"):
        inner = v[1:-1].strip()
        return 0 if not inner else inner.count(",") + 1
    m = re.fullmatch(r"\{.*\}\s*/\s*(\d+)", v, re.S)
    if m:
        return int(m.group(1))
    if re.fullmatch(r"[01]+", v):  # bit literal as text
        return len(v)
    return None


def _string_value(tok: Token) -> str | None:
    v = tok.value
    if tok.kind == "string" and v.startswith("'"):
        return v[1:-1].replace("''", "'")
    if tok.kind == "string" and v[:2].lower() == "e'":
        return v[2:-1].replace("''", "'").replace("\\'", "'")
    if tok.kind == "dollar":
        tag_end = v.index("$", 1) + 1
        return v[tag_end:-tag_end]
    return None


class _Analyzer:
    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.functions: list[str] = []
        self.locking: list[str] = []
        self.params: list[str] = []

    # -- entry ---------------------------------------------------------------------------------
    def statement(self, items: list[Item], parent: _Scope | None) -> QueryShape:
        if not items:
            return QueryShape(statement_type="EMPTY")
        if len(items) == 1 and isinstance(items[0], Group) and not items[0].bracket:
            return self.statement(items[0].items, parent)
        ctes: list[Cte] = []
        i = 0
        if _is_kw(items[0], "WITH"):
            i, ctes = self._ctes(items, 1, parent)
        scope = _Scope({c.name for c in ctes}, parent)
        scope.cte_shapes = {c.name: c.shape for c in ctes}
        rest = items[i:]
        if not rest:
            return QueryShape(statement_type="EMPTY", ctes=tuple(ctes))
        head = rest[0]
        if isinstance(head, Group):
            shape = self.select_like(rest, scope)
            return _replace_ctes(shape, ctes)
        word = head.upper if isinstance(head, Token) else ""
        if word in ("SELECT", "VALUES", "TABLE"):
            shape = self.select_like(rest, scope)
            return _replace_ctes(shape, ctes)
        # Other statements: record the type, functions and distances for the guard.
        self._scan_expr(rest, "other", scope)
        return QueryShape(
            statement_type=word or "OTHER",
            text=_text(self.sql, rest),
            ctes=tuple(ctes),
        )

    def _ctes(self, items: list[Item], i: int, parent: _Scope | None) -> tuple[int, list[Cte]]:
        ctes: list[Cte] = []
        if i < len(items) and _is_kw(items[i], "RECURSIVE"):
            i += 1
        known: set[str] = set()
        while i < len(items):
            tok = items[i]
            if not (isinstance(tok, Token) and tok.is_name):
                break
            name = tok.name
            start = i
            i += 1
            cols: tuple[str, ...] = ()
            if i < len(items) and isinstance(items[i], Group):
                grp = items[i]
                assert isinstance(grp, Group)
                cols = tuple(t.name for t in grp.items if isinstance(t, Token) and t.is_name)
                i += 1
            kw_span: tuple[int, int] | None = None
            if i < len(items) and _is_kw(items[i], "AS"):
                kw_span = (_end(items[i]), _end(items[i]))
                i += 1
            materialized: bool | None = None
            if i < len(items) and _is_kw(items[i], "NOT"):
                materialized = False
                kw_span = (_start(items[i]), _end(items[min(i + 1, len(items) - 1)]))
                i += 2
            elif i < len(items) and _is_kw(items[i], "MATERIALIZED"):
                materialized = True
                kw_span = (_start(items[i]), _end(items[i]))
                i += 1
            if i < len(items) and isinstance(items[i], Group):
                body = items[i]
                assert isinstance(body, Group)
                sub_scope = _Scope(known | {name}, parent)
                sub_scope.cte_shapes = {c.name: c.shape for c in ctes}
                shape = self.statement(body.items, sub_scope)
                ctes.append(
                    Cte(
                        name=name,
                        materialized=materialized,
                        shape=shape,
                        columns=cols,
                        text=_text(self.sql, items[start : i + 1]),
                        keyword_span=kw_span,
                        body_span=(body.start, body.end),
                    )
                )
                known.add(name)
                i += 1
            # SEARCH / CYCLE clauses of recursive CTEs: skip to the next comma
            while i < len(items) and not _is_punct(items[i], ","):
                if isinstance(items[i], Token) and items[i].upper in ("SELECT", "VALUES", "TABLE"):  # type: ignore[union-attr]
                    return i, ctes
                if isinstance(items[i], Token) and items[i].upper in (  # type: ignore[union-attr]
                    "INSERT",
                    "UPDATE",
                    "DELETE",
                    "MERGE",
                ):
                    return i, ctes
                if isinstance(items[i], Group):
                    return i, ctes
                i += 1
            if i < len(items) and _is_punct(items[i], ","):
                i += 1
        return i, ctes

    # -- SELECT / VALUES / TABLE -----------------------------------------------------------------
    def select_like(self, items: list[Item], scope: _Scope) -> QueryShape:
        clauses = self._clauses(items)
        starts = dict(self._clause_start)  # nested levels overwrite self._clause_start
        head_type = "SELECT"
        first = items[0]
        if _is_kw(first, "VALUES"):
            head_type = "VALUES"
        elif _is_kw(first, "TABLE"):
            head_type = "TABLE"
        set_op = None
        for key, _ in clauses:
            if key in ("UNION", "INTERSECT", "EXCEPT"):
                set_op = key
                break
        # FROM first, so the select list and WHERE can resolve aliases.
        from_items: list[FromItem] = []
        for key, body in clauses:
            if key == "FROM":
                from_items = self._from(body, scope)
                break
        if head_type == "TABLE" and len(items) > 1:
            body_items = [it for it in items[1:] if not _is_kw(it, "ONLY")]
            from_items = [self._table_item(body_items[:1], scope)]
        scope.from_items = from_items

        select_items: list[SelectItem] = []
        distances: list[DistanceUse] = []
        subqueries: list[QueryShape] = []
        where_text = None
        where_span = order_by_span = limit_span = None
        group_by = None
        order_by: list[OrderItem] = []
        limit = offset = None
        limit_text = None
        into = False
        distinct = False
        seen_set_op = False

        def scan(body: Sequence[Item], clause: str) -> None:
            ds, subs = self._scan_expr(body, clause, scope)
            distances.extend(ds)
            subqueries.extend(subs)

        for key, body in clauses:
            if key in ("UNION", "INTERSECT", "EXCEPT"):
                seen_set_op = True
                # the other branch: analyse for functions/distances, keep only its subshape
                branch = [it for it in body if not _is_kw(it, "ALL", "DISTINCT")]
                if branch:
                    sub_scope = _Scope(set(), scope.parent)
                    subqueries.append(self.select_like(branch, sub_scope))
                continue
            if seen_set_op and key not in ("ORDER", "LIMIT", "OFFSET", "FETCH", "FOR"):
                continue
            if key == "SELECT":
                body2 = list(body)
                if body2 and _is_kw(body2[0], "DISTINCT"):
                    distinct = True
                    body2 = body2[1:]
                    if (
                        body2
                        and _is_kw(body2[0], "ON")
                        and isinstance(body2[1:2] and body2[1], Group)
                    ):
                        body2 = body2[2:]
                elif body2 and _is_kw(body2[0], "ALL"):
                    body2 = body2[1:]
                for part in _split(body2):
                    item, ds, subs = self._select_item(part, scope)
                    select_items.append(item)
                    distances.extend(ds)
                    subqueries.extend(subs)
            elif key == "VALUES":
                scan(body, "select")
            elif key == "WHERE":
                where_text = _text(self.sql, body)
                if body:
                    where_span = (_start(body[0]), _end(body[-1]))
                scan(body, "where")
            elif key == "GROUP":
                rest = body[1:] if body and _is_kw(body[0], "BY") else body
                group_by = _text(self.sql, rest)
                scan(rest, "group_by")
            elif key == "HAVING":
                scan(body, "having")
            elif key == "ORDER":
                rest = body[1:] if body and _is_kw(body[0], "BY") else body
                if body:
                    order_by_span = (starts.get(id(body), _start(body[0])), _end(body[-1]))
                for part in _split(rest):
                    oi, ds, subs = self._order_item(part, scope, select_items)
                    order_by.append(oi)
                    distances.extend(d for d in ds if d not in distances)
                    subqueries.extend(subs)
            elif key == "LIMIT":
                if body:
                    limit_span = (starts.get(id(body), _start(body[0])), _end(body[-1]))
                if body and not _is_kw(body[0], "ALL"):
                    limit = _int_value(body)
                    limit_text = _text(self.sql, body)
                    self._scan_expr(body, "other", scope)
            elif key == "OFFSET":
                core = [it for it in body if not _is_kw(it, "ROW", "ROWS")]
                offset = _int_value(core)
                self._scan_expr(core, "other", scope)
            elif key == "FETCH":
                core = [
                    it
                    for it in body
                    if not _is_kw(it, "FIRST", "NEXT", "ROW", "ROWS", "ONLY", "WITH", "TIES")
                ]
                limit = _int_value(core) if core else 1
                limit_text = _text(self.sql, core) if core else "1"
            elif key == "FOR":
                self.locking.append("FOR " + _text(self.sql, body))
            elif key == "INTO":
                into = True
            elif key == "WINDOW":
                subqueries.extend(self._scan_expr(body, "other", scope)[1])
        # distances referenced only through ORDER BY aliases are already in select distances.
        uniq: list[DistanceUse] = []
        for d in distances:
            if d not in uniq:
                uniq.append(d)
        return QueryShape(
            statement_type=head_type,
            text=_text(self.sql, items),
            order_by=tuple(order_by),
            limit=limit,
            limit_text=limit_text,
            offset=offset,
            distances=tuple(uniq),
            where_text=where_text,
            from_items=tuple(from_items),
            select_items=tuple(select_items),
            into=into,
            set_operation=set_op,
            distinct=distinct,
            group_by=group_by,
            subqueries=tuple(subqueries),
            span=(_start(items[0]), _end(items[-1])) if items else None,
            where_span=where_span,
            order_by_span=order_by_span,
            limit_span=limit_span,
        )

    def _clauses(self, items: list[Item]) -> list[tuple[str, list[Item]]]:
        out: list[tuple[str, list[Item]]] = []
        self._clause_start: dict[int, int] = {}  # id(body) → offset of the clause keyword
        key_start = _start(items[0]) if items else 0
        key = "SELECT"
        body: list[Item] = []
        first = True
        for it in items:
            word = it.upper if isinstance(it, Token) else ""
            if first:
                first = False
                if word in ("SELECT", "VALUES", "TABLE"):
                    key = word
                    continue
            if word in _CLAUSE_WORDS and not (word == "FOR" and key == "FOR"):
                if word == "SELECT" and key in ("UNION", "INTERSECT", "EXCEPT"):
                    body.append(it)
                    continue
                if key in ("UNION", "INTERSECT", "EXCEPT") and word not in (
                    "ORDER",
                    "LIMIT",
                    "OFFSET",
                    "FETCH",
                    "FOR",
                    "UNION",
                    "INTERSECT",
                    "EXCEPT",
                ):
                    body.append(it)
                    continue
                self._clause_start[id(body)] = key_start
                out.append((key, body))
                key, body = word, []
                key_start = _start(it)
                continue
            body.append(it)
        self._clause_start[id(body)] = key_start
        out.append((key, body))
        return out

    # -- FROM ------------------------------------------------------------------------------------
    def _from(self, body: list[Item], scope: _Scope) -> list[FromItem]:
        out: list[FromItem] = []
        i = 0
        n = len(body)
        current: list[Item] = []
        join_type: str | None = None
        is_join = False
        sep: int | None = None

        def located(item: FromItem, part: list[Item], end: int | None = None) -> FromItem:
            span = (_start(part[0]), end if end is not None else _end(part[-1]))
            return replace(item, span=span, sep_start=sep)

        def flush() -> None:
            nonlocal current
            if current:
                item = self._from_item(current, scope, is_join, join_type, out)
                out.append(located(item, current))
            current = []

        while i < n:
            it = body[i]
            if _is_punct(it, ","):
                flush()
                is_join, join_type = False, None
                sep = _start(it)
                i += 1
                continue
            if isinstance(it, Token) and it.upper in _JOIN_WORDS:
                flush()
                sep = _start(it)
                words = []
                while i < n and isinstance(body[i], Token) and body[i].upper in _JOIN_WORDS:  # type: ignore[union-attr]
                    words.append(body[i].upper)  # type: ignore[union-attr]
                    i += 1
                is_join = True
                kinds = [w.lower() for w in words if w not in ("JOIN", "OUTER")]
                join_type = " ".join(kinds) if kinds else "inner"
                continue
            if _is_kw(it, "ON", "USING"):
                cond: list[Item] = []
                j = i + 1
                while (
                    j < n
                    and not _is_punct(body[j], ",")
                    and not (
                        isinstance(body[j], Token) and body[j].upper in _JOIN_WORDS  # type: ignore[union-attr]
                    )
                ):
                    cond.append(body[j])
                    j += 1
                # resolve names in the condition against what we have so far (+ the pending item)
                if current:
                    item = self._from_item(current, scope, is_join, join_type, out)
                    out.append(located(item, current))
                    current = []
                scope.from_items = out
                self._scan_expr(cond, "join", scope)
                last = out[-1]
                span = last.span
                if span is not None and cond:
                    span = (span[0], _end(cond[-1]))
                out[-1] = replace(last, on=_text(self.sql, cond), span=span)
                i = j
                continue
            current.append(it)
            i += 1
        flush()
        scope.from_items = out
        return out

    def _from_item(
        self,
        part: list[Item],
        scope: _Scope,
        is_join: bool,
        join_type: str | None,
        so_far: list[FromItem],
    ) -> FromItem:
        """One FROM item; its ON/USING condition is added by the caller once it is read."""
        lateral = False
        if part and _is_kw(part[0], "LATERAL"):
            lateral = True
            part = part[1:]
        if part and _is_kw(part[0], "ONLY"):
            part = part[1:]
        if not part:
            return FromItem(kind="other", text="")
        head = part[0]
        alias = self._alias(part[1:])
        if isinstance(head, Group) and _is_subquery(head):
            parent_scope = _Scope(set(), scope.parent)
            parent_scope.ctes = scope.all_ctes()
            if lateral:
                parent_scope.from_items = list(so_far)
            sub = self.statement(head.items, parent_scope)
            kind = "values" if sub.statement_type == "VALUES" else "subquery"
            return FromItem(
                kind=kind,
                text=_text(self.sql, part),
                alias=alias,
                is_join=is_join,
                join_type=join_type,
                lateral=lateral,
                subquery=sub,
            )
        if isinstance(head, Group):  # ( a JOIN b ) — flatten
            inner = self._from(head.items, _Scope(scope.ctes, scope.parent))
            return inner[0] if inner else FromItem(kind="other", text=_text(self.sql, part))
        # name[.name]* [ (args) ]
        names, j = _leading_names(part)
        if j < len(part) and isinstance(part[j], Group) and names:  # function in FROM
            fname = ".".join(t.name for t in names)
            self.functions.append(fname.lower())
            grp = part[j]
            assert isinstance(grp, Group)
            self._scan_expr(grp.items, "other", scope)
            alias = self._alias(part[j + 1 :])
            return FromItem(
                kind="function",
                text=_text(self.sql, part),
                name=fname,
                alias=alias,
                is_join=is_join,
                join_type=join_type,
                lateral=lateral,
            )
        return self._table_item(part, scope, is_join=is_join, join_type=join_type, lateral=lateral)

    def _table_item(
        self,
        part: list[Item],
        scope: _Scope,
        *,
        is_join: bool = False,
        join_type: str | None = None,
        lateral: bool = False,
    ) -> FromItem:
        tokens, j = _leading_names(part)
        if not tokens:
            return FromItem(kind="other", text=_text(self.sql, part))
        name = tokens[-1].name
        schema = tokens[-2].name if len(tokens) >= 2 else None
        alias = self._alias(part[j:])
        kind = "cte" if schema is None and name in scope.all_ctes() else "table"
        return FromItem(
            kind=kind,
            text=_text(self.sql, part),
            schema=schema,
            name=name,
            alias=alias,
            is_join=is_join,
            join_type=join_type,
            lateral=lateral,
        )

    @staticmethod
    def _alias(rest: Sequence[Item]) -> str | None:
        k = 0
        if k < len(rest) and _is_kw(rest[k], "AS"):
            k += 1
        if k < len(rest):
            t = rest[k]
            if (
                isinstance(t, Token)
                and t.is_name
                and not (t.kind == "ident" and t.upper in _NOT_ALIAS)
            ):
                return t.name
        return None

    # -- select list, ORDER BY ---------------------------------------------------------------------
    def _select_item(
        self, part: list[Item], scope: _Scope
    ) -> tuple[SelectItem, list[DistanceUse], list[QueryShape]]:
        alias = None
        expr = part
        if len(part) >= 3 and _is_kw(part[-2], "AS") and isinstance(part[-1], Token):
            alias = part[-1].name
            expr = part[:-2]
        elif (
            len(part) >= 2
            and isinstance(part[-1], Token)
            and part[-1].is_name
            and not _is_punct(part[-2], ".")
            and not _is_punct(part[-2], "::")
            and not (part[-1].kind == "ident" and part[-1].upper in _NOT_ALIAS)
            and not _is_kw(part[-2], "AS")
            and not (isinstance(part[-2], Token) and part[-2].kind == "op")
        ):
            alias = part[-1].name
            expr = part[:-1]
        ds, subs = self._scan_expr(expr, "select", scope)
        return SelectItem(text=_text(self.sql, expr), alias=alias, distances=tuple(ds)), ds, subs

    def _order_item(
        self, part: list[Item], scope: _Scope, select_items: list[SelectItem]
    ) -> tuple[OrderItem, list[DistanceUse], list[QueryShape]]:
        desc = False
        nulls = None
        using = None
        expr = list(part)
        span = (_start(part[0]), _end(part[-1])) if part else None
        # trailing NULLS FIRST/LAST
        if len(expr) >= 2 and _is_kw(expr[-2], "NULLS") and _is_kw(expr[-1], "FIRST", "LAST"):
            tail = expr[-1]
            assert isinstance(tail, Token)
            nulls = tail.upper.lower()
            expr = expr[:-2]
        if expr and _is_kw(expr[-1], "ASC", "DESC"):
            tail = expr[-1]
            assert isinstance(tail, Token)
            desc = tail.upper == "DESC"
            expr = expr[:-1]
        elif len(expr) >= 2 and _is_kw(expr[-2], "USING") and isinstance(expr[-1], Token):
            using = expr[-1].value
            desc = using in (">", ">=")
            expr = expr[:-2]
        text = _text(self.sql, expr)
        ds, subs = self._scan_expr(expr, "order_by", scope)
        ordinal = _int_value(expr)
        alias = None
        refs = tuple(
            t.name
            for k, t in enumerate(expr)
            if isinstance(t, Token)
            and t.is_name
            and not (t.kind == "ident" and t.upper in _NOT_ALIAS)
            and not (k > 0 and _is_punct(expr[k - 1], "::"))
        )
        via: list[DistanceUse] = []
        wrapped = False
        bare_distance = len(ds) == 1 and _is_bare(expr, ds[0], self.sql)
        if ds:
            wrapped = not bare_distance
        target: SelectItem | None = None
        if ordinal is not None and 1 <= ordinal <= len(select_items):
            target = select_items[ordinal - 1]
        elif len(expr) == 1 and isinstance(expr[0], Token) and expr[0].is_name:
            for s in select_items:
                if s.alias == expr[0].name:
                    target = s
                    alias = s.alias
                    break
        else:
            # an alias used inside a larger expression (ORDER BY dist + 0): wrapped
            for s in select_items:
                if s.alias and s.alias in refs and s.distances:
                    via.extend(s.distances)
                    wrapped = True
        if target is not None and target.distances:
            via.extend(target.distances)
            wrapped = not (
                len(target.distances) == 1
                and target.text.strip("() ") == target.distances[0].text.strip("() ")
            )
        all_ds = [*ds, *[d for d in via if d not in ds]]
        item = OrderItem(
            text=text,
            descending=desc,
            nulls=nulls,
            using=using,
            ordinal=ordinal,
            alias=alias,
            distances=tuple(
                replace(d, clause="order_by") if d.clause != "order_by" else d for d in all_ds
            ),
            wrapped=wrapped,
            references=refs,
            span=span,
            expr_span=(_start(expr[0]), _end(expr[-1])) if expr else None,
        )
        return item, ds, subs

    # -- expressions -------------------------------------------------------------------------------
    def _scan_expr(
        self, items: Sequence[Item], clause: str, scope: _Scope
    ) -> tuple[list[DistanceUse], list[QueryShape]]:
        """Find distance uses, function calls, placeholders and subqueries in an expression."""
        distances: list[DistanceUse] = []
        subqueries: list[QueryShape] = []
        n = len(items)
        for idx, it in enumerate(items):
            if isinstance(it, Group):
                if _is_subquery(it):
                    sub_scope = _Scope(set(), scope)
                    sub_scope.ctes = scope.all_ctes()
                    subqueries.append(self.statement(it.items, sub_scope))
                else:
                    ds, subs = self._scan_expr(it.items, clause, scope)
                    distances.extend(ds)
                    subqueries.extend(subs)
                continue
            if it.kind in ("param", "placeholder"):
                self.params.append(it.value)
            if it.is_name and idx + 1 < n and isinstance(items[idx + 1], Group):
                nxt = items[idx + 1]
                assert isinstance(nxt, Group)
                keyword = it.kind == "ident" and it.upper in _NON_FUNCTION_WORDS
                is_type = idx > 0 and _is_punct(items[idx - 1], "::")
                if not nxt.bracket and not keyword and not is_type:
                    name = qualified_name(items, idx)
                    self.functions.append(name.lower() if it.kind == "ident" else name)
            if it.kind == "op" and it.value in VECTOR_OPERATORS:
                d = self._distance(items, idx, clause, scope)
                if d is not None:
                    distances.append(d)
            if (
                _is_kw(it, "FOR")
                and idx + 1 < n
                and _is_kw(items[idx + 1], "UPDATE", "SHARE", "NO", "KEY")
            ):
                self.locking.append("FOR " + _text(self.sql, list(items[idx + 1 : idx + 3])))
        return distances, subqueries

    def _distance(
        self, items: Sequence[Item], idx: int, clause: str, scope: _Scope
    ) -> DistanceUse | None:
        op = items[idx]
        assert isinstance(op, Token)
        lo = _operand_start(items, idx)
        hi = _operand_end(items, idx)
        if lo >= idx or hi <= idx + 1:
            return None
        left = list(items[lo:idx])
        right = list(items[idx + 1 : hi])
        lq = self._query_side(right, scope)
        lhs_col = self._column_side(left, scope)
        swapped = False
        column, query = lhs_col, lq
        if lhs_col.name is None and lhs_col.function is None:
            rhs_col = self._column_side(right, scope)
            lhs_as_query = self._query_side(left, scope)
            if rhs_col.name is not None and lhs_as_query.kind in (
                "literal",
                "param",
                "subquery",
                "function",
                "other",
            ):
                column, query, swapped = rhs_col, lhs_as_query, True
        elif lq.kind in ("column", "cte_ref") and lhs_col.name is not None:
            # both sides are columns: the one on a base table is the column side
            lt = scope.resolve(lhs_col.qualifier)
            rq = self._column_side(right, scope)
            rt = scope.resolve(rq.qualifier)
            if (lt is None or lt.kind != "table") and rt is not None and rt.kind == "table":
                column, query, swapped = rq, self._query_side(left, scope), True
        table: TableRef | None = None
        via: str | None = None
        if column.name is not None:
            f = scope.resolve(column.qualifier)
            if f is not None and f.kind == "table" and f.name:
                table = TableRef(schema=f.schema, name=f.name)
            elif f is not None and f.kind == "cte" and f.name:
                via = f"cte:{f.name}"
                inner = scope.cte_shape(f.name)
                table = _source_table(inner) if inner is not None else None
            elif f is not None and f.kind == "subquery" and f.subquery is not None:
                via = f"subquery:{f.ref_name or '?'}"
                table = _source_table(f.subquery)
        return DistanceUse(
            operator=op.value,
            column=column,
            query=query,
            clause=clause,
            text=_text(self.sql, [*left, op, *right]),
            table=table,
            swapped=swapped,
            via=via,
            span=(_start(left[0]), _end(right[-1])),
        )

    def _column_side(self, part: list[Item], scope: _Scope) -> ColumnSide:
        text = _text(self.sql, part)
        core, casts = _strip_casts(part, self.sql)
        function = None
        # unwrap parentheses and single-argument function calls: binary_quantize(emb)
        while True:
            if len(core) == 1 and isinstance(core[0], Group) and not core[0].bracket:
                if _is_subquery(core[0]):
                    break
                inner, more = _strip_casts(core[0].items, self.sql)
                core, casts = inner, (*more, *casts)
                continue
            if (
                len(core) >= 2
                and isinstance(core[-1], Group)
                and isinstance(core[-2], Token)
                and core[-2].is_name
                and function is None
            ):
                grp = core[-1]
                assert isinstance(grp, Group)
                function = qualified_name(core, len(core) - 2).lower()
                args = _split(grp.items)
                if len(args) != 1:
                    break
                inner, more = _strip_casts(args[0], self.sql)
                core, casts = inner, more
                continue
            break
        names = _dotted_names(core)
        if names is None:
            return ColumnSide(text=text, name=None, qualifier=None, casts=casts, function=function)
        name = names[-1]
        qualifier = names[-2] if len(names) >= 2 else None
        schema = names[-3] if len(names) >= 3 else None
        return ColumnSide(
            text=text, name=name, qualifier=qualifier, schema=schema, casts=casts, function=function
        )

    def _query_side(self, part: list[Item], scope: _Scope) -> QuerySide:
        text = _text(self.sql, part)
        core, casts = _strip_casts(part, self.sql)
        while len(core) == 1 and isinstance(core[0], Group) and not core[0].bracket:
            if _is_subquery(core[0]):
                break
            inner, more = _strip_casts(core[0].items, self.sql)
            core, casts = inner, (*more, *casts)
        if len(core) == 1 and isinstance(core[0], Token):
            t = core[0]
            if t.kind in ("string", "dollar"):
                sv = _string_value(t)
                return QuerySide(
                    text=text,
                    kind="literal",
                    casts=casts,
                    literal_dims=_literal_dims(sv) if sv is not None else None,
                )
            if t.kind in ("param", "placeholder"):
                return QuerySide(text=text, kind="param", casts=casts, param=t.value)
        if len(core) == 2 and _is_kw(core[0], "ARRAY") and isinstance(core[1], Group):
            grp = core[1]
            assert isinstance(grp, Group)
            return QuerySide(
                text=text, kind="literal", casts=casts, literal_dims=len(_split(grp.items))
            )
        if len(core) == 1 and isinstance(core[0], Group) and _is_subquery(core[0]):
            return QuerySide(text=text, kind="subquery", casts=casts)
        names = _dotted_names(core)
        if names is not None:
            name = names[-1]
            qualifier = names[-2] if len(names) >= 2 else None
            f = scope.resolve(qualifier) if qualifier else None
            kind = "column"
            from_kind = f.kind if f is not None else None
            from_name = f.ref_name if f is not None else None
            if f is not None and not scope.resolve_local(qualifier):
                from_kind = "outer"
            via_cte = f is not None and f.kind == "cte"
            if via_cte or (qualifier is None and name in scope.all_ctes()):
                kind = "cte_ref"
            return QuerySide(
                text=text,
                kind=kind,
                casts=casts,
                name=name,
                qualifier=qualifier,
                from_kind=from_kind,
                from_name=from_name,
            )
        if len(core) >= 2 and isinstance(core[-1], Group) and isinstance(core[-2], Token):
            return QuerySide(
                text=text,
                kind="function",
                casts=casts,
                function=qualified_name(core, len(core) - 2).lower(),
            )
        return QuerySide(text=text, kind="other", casts=casts)


_NON_FUNCTION_WORDS = {
    "IN",
    "EXISTS",
    "ANY",
    "ALL",
    "SOME",
    "AS",
    "AND",
    "OR",
    "NOT",
    "ON",
    "USING",
    "VALUES",
    "SELECT",
    "FROM",
    "WHERE",
    "OVER",
    "FILTER",
    "WITHIN",
    "ARRAY",
    "ROW",
    "LATERAL",
    "BY",
    "JOIN",
    "MATERIALIZED",
    "WHEN",
    "THEN",
    "ELSE",
    "CASE",
    "END",
    "IS",
    "LIKE",
    "ILIKE",
    "BETWEEN",
    "LIMIT",
    "OFFSET",
    "HAVING",
    "DISTINCT",
    "INTO",
    "RETURNING",
    "SET",
    "TABLE",
    "ONLY",
    "WITH",
    "RECURSIVE",
    "UNION",
    "INTERSECT",
    "EXCEPT",
    "DESC",
    "ASC",
    "GROUP",
    "ORDER",
    "WINDOW",
    "PARTITION",
    "ROWS",
    "RANGE",
    "GROUPS",
    "TABLESAMPLE",
    "REPEATABLE",
    "ORDINALITY",
    "CUBE",
    "ROLLUP",
    "SETS",
    "FOR",
    "UPDATE",
    "SHARE",
    "KEY",
    "NULLS",
    "FIRST",
    "LAST",
}


def qualified_name(items: Sequence[Item], idx: int) -> str:
    """schema.func for the name token at ``idx`` (looking back over ``name .``)."""
    parts = []
    j = idx
    while j >= 0:
        t = items[j]
        if isinstance(t, Token) and t.is_name:
            parts.append(t.name)
            if j >= 2 and _is_punct(items[j - 1], "."):
                j -= 2
                continue
        break
    return ".".join(reversed(parts))


def _leading_names(part: Sequence[Item]) -> tuple[list[Token], int]:
    """The ``name[.name]*`` tokens ``part`` starts with, and the index after them."""
    names: list[Token] = []
    j = 0
    while j < len(part):
        t = part[j]
        if isinstance(t, Token) and t.is_name:
            names.append(t)
            j += 1
            if j < len(part) and _is_punct(part[j], "."):
                j += 1
                continue
        break
    return names, j


def _dotted_names(core: Sequence[Item]) -> list[str] | None:
    if not core or len(core) % 2 == 0:
        return None
    out = []
    for k, t in enumerate(core):
        if k % 2 == 0:
            if not (isinstance(t, Token) and t.is_name):
                return None
            if t.kind == "ident" and t.upper in _NOT_ALIAS | _NON_FUNCTION_WORDS:
                return None
            out.append(t.name)
        elif not _is_punct(t, "."):
            return None
    return out


def _strip_casts(part: Sequence[Item], sql: str) -> tuple[list[Item], tuple[Cast, ...]]:
    """Split ``expr::a::b(3)`` into (expr, (a, b(3))); also ``CAST(expr AS t)``."""
    items = list(part)
    casts: list[Cast] = []
    while True:
        # find the last top-level '::'
        pos = None
        for k in range(len(items) - 1, -1, -1):
            if _is_punct(items[k], "::"):
                pos = k
                break
        if pos is None or pos == 0:
            break
        type_items = items[pos + 1 :]
        casts.insert(0, _cast_of(type_items, sql))
        items = items[:pos]
    if len(items) == 2 and _is_kw(items[0], "CAST") and isinstance(items[1], Group) and not casts:
        grp = items[1]
        assert isinstance(grp, Group)
        inner = grp.items
        for k in range(len(inner) - 1, -1, -1):
            if _is_kw(inner[k], "AS"):
                core, more = _strip_casts(inner[:k], sql)
                return core, (*more, _cast_of(inner[k + 1 :], sql))
    return items, tuple(casts)


def _cast_of(type_items: Sequence[Item], sql: str) -> Cast:
    names = [t for t in type_items if isinstance(t, Token) and t.is_name]
    tname = names[-1].name.lower() if names else _text(sql, type_items).lower()
    dims = None
    for t in type_items:
        if isinstance(t, Group) and not t.bracket:
            dims = _int_value(t.items)
    return Cast(type=tname, dims=dims, text=_text(sql, type_items))


# binding strength: where does an operand of a vector operator end?  Vector operators are
# "other operators" in PostgreSQL's grammar: they bind looser than + - * / and tighter than
# comparisons, BETWEEN/IN/LIKE, IS, NOT, AND, OR.
_LOOSER_OPS = {"<", ">", "=", "<=", ">=", "<>", "!="}
_STOP_WORDS = {
    "AND",
    "OR",
    "NOT",
    "IS",
    "BETWEEN",
    "IN",
    "LIKE",
    "ILIKE",
    "SIMILAR",
    "AS",
    "ASC",
    "DESC",
    "NULLS",
    "USING",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "CASE",
    "ON",
    "FROM",
    "WHERE",
    "SELECT",
    "ORDER",
    "BY",
    "LIMIT",
    "OFFSET",
    "GROUP",
    "HAVING",
    "DISTINCT",
    "ALL",
    "ANY",
    "SOME",
    "OVER",
    "FILTER",
    "COLLATE",
    "AT",
}


def _is_boundary(it: Item) -> bool:
    if _is_punct(it, ","):
        return True
    if isinstance(it, Token):
        if it.kind == "op" and (it.value in _LOOSER_OPS or it.value in VECTOR_OPERATORS):
            return True
        if it.kind == "op" and it.value not in ("+", "-", "*", "/", "%", "^", "||"):
            return True  # other user operators: same precedence, left-assoc → stop
        if it.kind == "ident" and it.upper in _STOP_WORDS:
            return True
    return False


def _operand_start(items: Sequence[Item], idx: int) -> int:
    k = idx
    while k > 0 and not _is_boundary(items[k - 1]):
        k -= 1
    return k


def _operand_end(items: Sequence[Item], idx: int) -> int:
    k = idx + 1
    n = len(items)
    while k < n and not _is_boundary(items[k]):
        k += 1
    return k


def _is_bare(expr: Sequence[Item], d: DistanceUse, sql: str) -> bool:
    """The expression is just ``lhs OP rhs`` (maybe in parentheses)."""
    core = list(expr)
    while len(core) == 1 and isinstance(core[0], Group) and not core[0].bracket:
        core = list(core[0].items)
    return _text(sql, core).strip() == d.text.strip()


def _source_table(shape: QueryShape) -> TableRef | None:
    """The one base table a CTE/subquery reads from (through nested CTEs), if unambiguous."""
    tables = [f for f in shape.from_items if f.kind == "table" and f.name]
    if len(tables) == 1 and len(shape.from_items) == 1:
        return TableRef(schema=tables[0].schema, name=tables[0].name or "")
    if len(shape.from_items) == 1:
        f = shape.from_items[0]
        if f.subquery is not None:
            return _source_table(f.subquery)
        if f.kind == "cte" and f.name:
            c = shape.cte(f.name)
            if c is not None:
                return _source_table(c.shape)
    return None


def _replace_ctes(shape: QueryShape, ctes: list[Cte]) -> QueryShape:
    if not ctes:
        return shape
    return replace(shape, ctes=tuple(ctes))


def analyze_query(sql: str) -> QueryShape:
    """The shape of the first statement in ``sql`` (see the module docstring).

    Raises :class:`LexError` when the text cannot be tokenized."""
    statements, _nested = split_statements(tokenize(sql))
    # first statement only
    items, balanced = build_tree(statements[0] if statements else [])
    a = _Analyzer(sql)
    shape = a.statement(items, None)
    return replace(
        shape,
        functions_called=tuple(dict.fromkeys(a.functions)),
        locking=tuple(a.locking),
        params=tuple(dict.fromkeys(a.params)),
        parse_complete=balanced,
    )
