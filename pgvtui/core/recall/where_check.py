"""Validation of the user's ``--where`` predicate for ``pgvtui recall``.

The predicate is user SQL that ends up inside ``WHERE (<predicate>)`` of statements pgvtui runs,
always inside a read-only transaction. Before that it must pass these checks (pure, no server),
all made on PostgreSQL's own scanner and parser (:mod:`pgvtui.core.query.parser`):

- no statement separator (``;``), no comments, no parameters (``$1``) and no psql
  meta-commands (``\\``) — as tokens, so the same characters inside a string are fine;
- parentheses never close more than they opened and end balanced, so the text cannot leave the
  ``( … )`` pgvtui wraps it in: whatever it contains is one parenthesised expression;
- ``SELECT 1 FROM t WHERE (<predicate>)`` parses as exactly that: one SELECT over ``t`` with a
  WHERE clause and nothing else (no ORDER BY, LIMIT, UNION, INTO, FOR …);
- no call of a function on the deny-list — :func:`pgvtui.core.guard.denied_function` (side
  effects, locks, file or network access, running SQL from a string) plus ``pg_sleep*`` —
  anywhere in the predicate, sub-selects included, with or without a schema;
- and the whole statement must pass :func:`pgvtui.core.guard.check_sql` (exactly one read-only
  SELECT, no locking clause, no ``INTO``).

The server then checks that it is a boolean expression over the table (``EXPLAIN SELECT 1 FROM
t WHERE (<predicate>)``, not executed) — see :func:`pgvtui.core.recall.sweep.check_where`.

User-defined functions are not inspected: a function the role may call can still do what its
body does, within a read-only transaction (no writes, no nextval).
"""

from __future__ import annotations

from pglast import ast

from pgvtui.core import guard
from pgvtui.core.query import parser as qparser
from pgvtui.errors import QueryRefused

MAX_PREDICATE_CHARS = 4_000

# On top of the guard's deny-list (pgvtui.core.guard.denied_function): recall runs the
# predicate in hundreds of statements, so sleeping is refused too.
EXTRA_DENIED = frozenset({"pg_sleep", "pg_sleep_for", "pg_sleep_until"})


def denied(name: str) -> bool:
    base = name.rsplit(".", 1)[-1]
    return base.lower() in EXTRA_DENIED or guard.denied_function(base)


def _tokens(text: str) -> None:
    """Separators, comments, parameters, backslashes and parentheses, on the scanner's tokens."""
    try:
        tokens = qparser.scan(text)
    except qparser.SqlError as exc:
        raise QueryRefused(f"--where cannot be read: {exc.message}") from None
    depth = 0
    for t in tokens:
        if t.char == ";":
            raise QueryRefused("--where must be one expression: no ';'")
        if t.is_comment:
            raise QueryRefused("--where may not contain comments")
        if t.name == "PARAM":
            raise QueryRefused("--where may not contain parameters ($1)")
        if t.char == "\\":
            raise QueryRefused("--where may not contain backslashes outside strings")
        if t.char == "(":
            depth += 1
        elif t.char == ")":
            depth -= 1
            if depth < 0:
                raise QueryRefused("--where closes a parenthesis it did not open")
    if depth != 0:
        raise QueryRefused("--where has unbalanced parentheses")


def validate_where(predicate: str) -> str:
    """The predicate, stripped, if it passes the checks; else :class:`QueryRefused`."""
    text = predicate.strip()
    if not text:
        raise QueryRefused("--where is empty")
    if len(text) > MAX_PREDICATE_CHARS:
        raise QueryRefused(f"--where is longer than {MAX_PREDICATE_CHARS} characters")
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
        raise QueryRefused("--where may not contain control characters")
    _tokens(text)
    statement = f"SELECT 1 FROM t WHERE ({text})"  # noqa: S608 - analysed, never sent
    try:
        stmts = qparser.parse(statement)
    except qparser.SqlError as exc:
        raise QueryRefused(f"--where is not a valid expression: {exc.message}") from None
    select = stmts[0].stmt if len(stmts) == 1 else None
    if (
        not isinstance(select, ast.SelectStmt)
        or select.op != 0  # SETOP_NONE
        or select.whereClause is None
        or len(select.fromClause or ()) != 1
        or any(
            getattr(select, clause)
            for clause in (
                "sortClause",
                "limitCount",
                "limitOffset",
                "groupClause",
                "havingClause",
                "windowClause",
                "lockingClause",
                "intoClause",
                "withClause",
                "distinctClause",
            )
        )
    ):
        raise QueryRefused("--where must be one boolean expression")
    for node in qparser.walk(select.whereClause):
        if isinstance(node, ast.FuncCall):
            name = ".".join(qparser.names(node.funcname))
            if denied(name):
                raise QueryRefused(f"--where may not call {name}()")
    # The search guard's full statement check (one SELECT, no locking clause, its deny-list).
    guard.check_sql(statement)
    return text
