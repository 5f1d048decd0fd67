"""PostgreSQL's own parser (libpg_query, through pglast): the one SQL reader. Pure: no I/O.

Everything in pgvtui that decides something about SQL text — the guard, the query shape, the
``recall --where`` predicate, plan expressions (Sort Key, Order By, Filter) — reads it here, so
pgvtui and the server cannot disagree about where a string, a comment or a statement ends.
libpg_query scans with ``standard_conforming_strings = on``; every pgvtui session pins that
setting (:mod:`pgvtui.core.session`), so ``'\\'`` is one backslash for both.

Limits, checked *before* libpg_query sees the text (measured; see docs/benchmarks.md):

- :data:`MAX_SQL_CHARS` characters. Bigger inputs cost seconds and hundreds of MB to scan.
- :data:`MAX_COMMENT_NESTING` levels of nested ``/* */``: the scanner is quadratic in the
  nesting depth (10,000 levels took 4 s).
- :data:`MAX_TOKENS` tokens: parsing long operator chains (``1+1+…``, ``UNION ALL`` …) builds
  a tree as deep as the chain; past ~25,000 terms libpg_query overflows an 8 MB C stack and
  kills the process. Text of more than :data:`SMALL_PARSE_TOKENS` tokens is parsed on a thread
  with a :data:`PARSE_STACK_BYTES` stack, and the token cap keeps the depth far below what
  that stack holds; smaller text cannot nest deeply enough to matter and is parsed in place.

Bison's own limit (10,000 nested parentheses / sub-selects) ends as a clean syntax error.

psycopg placeholders (``%s``, ``%(name)s``) are not SQL; :func:`map_placeholders` turns them
into ``$n`` before parsing, using this scanner's tokens.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pglast import ast
from pglast import parser as pg

MAX_SQL_CHARS = 1_000_000
MAX_TOKENS = 50_000
SMALL_PARSE_TOKENS = 4_000  # parsed on the caller's thread (see _parse_with)
MAX_COMMENT_NESTING = 1_000
PARSE_STACK_BYTES = 256 * 1024 * 1024  # reserved address space; only touched pages are used

_COMMENT_MARK = re.compile(r"/\*|\*/")


class SqlError(ValueError):
    """The text is not one PostgreSQL can read (syntax error, too large, invalid text).
    ``position`` is a 0-based character offset when the parser gave one."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class SqlTooLarge(SqlError):
    """Over one of the limits in the module docstring."""


@dataclass(frozen=True, slots=True)
class Token:
    """One token of PostgreSQL's scanner. ``name`` is the grammar's token name (``IDENT``,
    ``SCONST``, ``Op``, ``PARAM``, ``SQL_COMMENT``, ``C_COMMENT``, ``ASCII_40`` for ``(``,
    ``SELECT`` …); ``keyword`` the keyword class (``NO_KEYWORD``, ``RESERVED_KEYWORD`` …);
    ``start``/``end`` are character offsets into the text (``end`` exclusive)."""

    name: str
    keyword: str
    start: int
    end: int
    text: str

    @property
    def is_comment(self) -> bool:
        return self.name in ("SQL_COMMENT", "C_COMMENT")

    @property
    def char(self) -> str | None:
        """The character of a one-character token (``ASCII_40`` → ``(``), else None."""
        if self.name.startswith("ASCII_"):
            return chr(int(self.name[6:]))
        return None


def check_text(text: str) -> None:
    """The cheap checks that must pass before the scanner runs (see the module docstring)."""
    if "\x00" in text:
        raise SqlError("the text contains a NUL byte")
    if len(text) > MAX_SQL_CHARS:
        raise SqlTooLarge(f"the SQL is {len(text):,} characters; the limit is {MAX_SQL_CHARS:,}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SqlError("the text is not valid UTF-8", exc.start) from None
    depth = deepest = 0
    if "/*" in text:
        for m in _COMMENT_MARK.finditer(text):
            depth = depth + 1 if m.group() == "/*" else max(0, depth - 1)
            deepest = max(deepest, depth)
        if deepest > MAX_COMMENT_NESTING:
            raise SqlTooLarge(
                f"comments nested {deepest:,} deep; the limit is {MAX_COMMENT_NESTING:,}"
            )


def scan(text: str) -> list[Token]:
    """PostgreSQL's scanner over ``text``, comments included."""
    check_text(text)
    try:
        raw = pg.scan(text)
    except pg.ParseError as exc:
        raise _error(exc) from None
    if len(raw) > MAX_TOKENS:
        raise SqlTooLarge(f"the SQL has {len(raw):,} tokens; the limit is {MAX_TOKENS:,}")
    return [Token(t.name, t.kind, t.start, t.end + 1, text[t.start : t.end + 1]) for t in raw]


def parse(text: str) -> tuple[ast.RawStmt, ...]:
    """Every statement in ``text`` as pglast's AST (an empty tuple for only comments)."""
    return parse_scanned(text)[0]


def parse_scanned(text: str) -> tuple[tuple[ast.RawStmt, ...], list[Token]]:
    """:func:`parse` and the :func:`scan` tokens it checked first."""
    tokens = scan(text)  # limits, and a clean error for what the scanner rejects
    stmts: tuple[ast.RawStmt, ...] = _parse_with(pg.parse_sql, text, len(tokens))
    return stmts, tokens


def parse_json(text: str) -> str:
    """libpg_query's JSON for ``text`` (locations in bytes). Call :func:`parse` first: this
    checks only the text limits."""
    check_text(text)
    out: str = _parse_with(pg.parse_sql_json, text, len(text))  # no more tokens than chars
    return out


EXPRESSION_PREFIX = "SELECT "


def parse_expression(text: str) -> ast.Node:
    """One SQL expression (a plan's Sort Key, Filter, Order By …) as pglast's AST. Its
    locations count from the start of ``EXPRESSION_PREFIX + text``."""
    stmts = parse(EXPRESSION_PREFIX + text)
    if len(stmts) != 1:
        raise SqlError("not one expression")
    select = stmts[0].stmt
    targets = getattr(select, "targetList", None)
    if not isinstance(select, ast.SelectStmt) or not targets or len(targets) != 1:
        raise SqlError("not one expression")
    if select.fromClause or select.whereClause or select.sortClause:
        raise SqlError("not one expression")
    val = targets[0].val
    assert isinstance(val, ast.Node)
    return val


def walk(root: Any) -> Iterator[ast.Node]:
    """Every AST node under ``root`` (a node or a tuple of nodes), depth-first, without
    recursion (trees can be thousands of levels deep)."""
    stack: list[Any] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Node):
            yield item
            slots: dict[str, Any] = getattr(type(item), "__slots__", {})
            children = [getattr(item, attr, None) for attr in slots]
            stack.extend(reversed([c for c in children if isinstance(c, ast.Node | tuple)]))
        elif isinstance(item, tuple):
            stack.extend(reversed([c for c in item if isinstance(c, ast.Node | tuple)]))


def names(node: ast.Node | tuple[Any, ...] | None) -> tuple[str, ...]:
    """The strings of a name list (``FuncCall.funcname``, ``ColumnRef.fields`` …); ``*`` for
    ``A_Star``."""
    if node is None:
        return ()
    items = node if isinstance(node, tuple) else (node,)
    out: list[str] = []
    for item in items:
        if isinstance(item, ast.String) and item.sval is not None:
            out.append(item.sval)
        elif isinstance(item, ast.A_Star):
            out.append("*")
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A psycopg placeholder found by :func:`map_placeholders`: ``%s`` or ``%(name)s``,
    replaced by ``$number``."""

    text: str
    number: int
    name: str | None  # the ``%(name)s`` name
    start: int = -1  # where it starts in the text given to map_placeholders


def map_placeholders(text: str) -> tuple[str, tuple[Placeholder, ...]]:
    """``%s`` / ``%(name)s`` → ``$n`` (numbered after the highest ``$n`` already there; one
    number per distinct name). Only an ``%`` operator token glued to ``s`` / ``(name)s`` is a
    placeholder; ``%`` in strings, comments or ``a % b`` is left alone."""
    if "%" not in text:
        return text, ()
    toks = [t for t in scan(text) if not t.is_comment]
    highest = max((int(t.text[1:]) for t in toks if t.name == "PARAM"), default=0)
    found: list[Placeholder] = []
    by_name: dict[str, int] = {}
    edits: list[tuple[int, int, str]] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.char == "%" or (t.name == "Op" and t.text == "%"):
            span = _placeholder_span(toks, i)
            if span is not None:
                last, name = span
                if name is not None and name in by_name:
                    number = by_name[name]
                else:
                    highest += 1
                    number = highest
                    if name is not None:
                        by_name[name] = number
                holder = text[t.start : toks[last].end]
                found.append(Placeholder(holder, number, name, t.start))
                edits.append((t.start, toks[last].end, f"${number}"))
                i = last + 1
                continue
        i += 1
    out = text
    for start, end, new in reversed(edits):
        out = out[:start] + new + out[end:]
    return out, tuple(found)


def _placeholder_span(toks: list[Token], i: int) -> tuple[int, str | None] | None:
    """``%`` at ``i`` glued to ``s`` (``%s``) or to ``(name)s``: (last token index, name)."""

    def glued(k: int) -> bool:
        return k < len(toks) and toks[k].start == toks[k - 1].end

    if glued(i + 1) and toks[i + 1].name == "IDENT" and toks[i + 1].text == "s":
        return i + 1, None
    if (
        glued(i + 1)
        and toks[i + 1].char == "("
        and glued(i + 2)
        and toks[i + 2].name == "IDENT"
        and glued(i + 3)
        and toks[i + 3].char == ")"
        and glued(i + 4)
        and toks[i + 4].name == "IDENT"
        and toks[i + 4].text == "s"
    ):
        return i + 4, toks[i + 2].text
    return None


def _error(exc: pg.ParseError) -> SqlError:
    message = str(exc.args[0]) if exc.args else str(exc)
    position = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
    if "memory exhausted" in message:
        return SqlTooLarge("the SQL is nested too deeply for PostgreSQL's parser", position)
    return SqlError(message, position)


def _parse_with(fn: Any, text: str, tokens: int) -> Any:
    """Run the parser here when the text is too small to nest deeply (its tree cannot be
    deeper than its token count, and 25,000 levels were needed to overflow an 8 MB stack),
    else on a thread with a large C stack: a thread costs more than parsing a typical query."""
    if tokens <= SMALL_PARSE_TOKENS:
        try:
            return fn(text)
        except pg.ParseError as exc:
            raise _error(exc) from None
    return _on_big_stack(fn, text)


def _on_big_stack(fn: Any, text: str) -> Any:
    """Run the parser on a thread with a large C stack (see the module docstring)."""
    result: list[Any] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(fn(text))
        except pg.ParseError as exc:
            failure.append(_error(exc))
        except BaseException as exc:  # pragma: no cover - reported to the caller below
            failure.append(exc)

    with _STACK_LOCK:
        old = threading.stack_size(PARSE_STACK_BYTES)
        try:
            thread = threading.Thread(target=run, name="pgvtui-sql-parser")
            thread.start()
        finally:
            threading.stack_size(old)
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


_STACK_LOCK = threading.Lock()
