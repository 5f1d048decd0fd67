"""Validation of the user's ``--where`` predicate for ``pgvtui recall``.

The predicate is user SQL that ends up inside ``WHERE (<predicate>)`` of statements pgvtui runs,
always inside a read-only transaction. Before that it must pass these checks (pure, no server):

- one piece of text with no statement separator (``;``), no comments (``--``, ``/*``) and no
  psql meta-commands (``\\``);
- parentheses balanced and never closing more than they opened, so the text cannot leave the
  ``( … )`` pgvtui wraps it in: whatever it contains is one parenthesised expression;
- no clause keywords at the top level (``ORDER``, ``LIMIT``, ``UNION``, ``INTO``, ``FOR`` …);
- no call of a function on the deny-list — :func:`pgvtui.core.guard.denied_function` (side
  effects, locks, file or network access, running SQL from a string) plus ``pg_sleep*`` —
  matched with or without a schema and with quoted names unquoted;
- and ``SELECT 1 FROM t WHERE (<predicate>)`` must pass :func:`pgvtui.core.guard.check_sql`
  (exactly one read-only SELECT, no locking clause, no ``INTO``).

The server then checks that it is a boolean expression over the table (``EXPLAIN SELECT 1 FROM
t WHERE (<predicate>)``, not executed) — see :func:`pgvtui.core.recall.sweep.check_where`.

User-defined functions are not inspected: a function the role may call can still do what its
body does, within a read-only transaction (no writes, no nextval).
"""

from __future__ import annotations

import re

import sqlparse
from sqlparse import tokens as T

from pgvtui.core import guard
from pgvtui.errors import QueryRefused

MAX_PREDICATE_CHARS = 4_000

# On top of the guard's deny-list (pgvtui.core.guard.denied_function): recall runs the
# predicate in hundreds of statements, so sleeping is refused too.
EXTRA_DENIED = frozenset({"pg_sleep", "pg_sleep_for", "pg_sleep_until"})


def denied(name: str) -> bool:
    base = name.rsplit(".", 1)[-1]
    return base.lower() in EXTRA_DENIED or guard.denied_function(base)


# Keywords that would start another clause if they appeared outside every parenthesis.
TOP_LEVEL_CLAUSES = frozenset(
    {
        "ORDER", "LIMIT", "OFFSET", "FETCH", "UNION", "INTERSECT", "EXCEPT", "INTO", "FOR",
        "GROUP", "HAVING", "WINDOW", "FROM", "RETURNING", "WITH", "SELECT", "INSERT", "UPDATE",
        "DELETE", "MERGE", "COPY", "CREATE", "DROP", "ALTER", "TRUNCATE", "GRANT", "REVOKE",
        "SET", "RESET", "BEGIN", "COMMIT", "ROLLBACK", "END", "CALL", "DO", "EXECUTE", "PREPARE",
        "LOCK", "VACUUM", "ANALYZE", "NOTIFY", "LISTEN", "DECLARE", "TABLE", "VALUES",
    }
)  # fmt: skip

_IDENT = re.compile(r'^"(.*)"$')


def _unquote(name: str) -> str:
    m = _IDENT.match(name)
    return m.group(1).replace('""', '"') if m else name.lower()


def _structure(text: str) -> None:
    """Quote-aware scan with the server's own rules (standard strings, no backslashes):
    no ``;``, comments, ``$`` or backslashes outside … anywhere, and balanced parentheses."""
    if "\\" in text:
        raise QueryRefused("--where may not contain backslashes (use chr(92) for one)")
    if "$" in text:
        raise QueryRefused("--where may not contain '$' (no parameters or dollar quoting)")
    depth = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            j = i + 1
            while True:
                j = text.find(c, j)
                if j < 0:
                    raise QueryRefused("--where has an unterminated quote")
                if j + 1 < n and text[j + 1] == c:
                    j += 2
                    continue
                break
            i = j + 1
            continue
        if c == ";":
            raise QueryRefused("--where must be one expression: no ';'")
        if text.startswith("--", i) or text.startswith("/*", i):
            raise QueryRefused("--where may not contain comments")
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                raise QueryRefused("--where closes a parenthesis it did not open")
        i += 1
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
    _structure(text)
    significant = [
        t
        for stmt in sqlparse.parse(text)
        for t in stmt.flatten()  # type: ignore[no-untyped-call]
        if not t.is_whitespace
    ]
    depth = 0
    for i, tok in enumerate(significant):
        ttype, value = tok.ttype, tok.value
        if ttype in T.Punctuation:
            if value == "(":
                depth += 1
            elif value == ")":
                depth -= 1
        is_word = ttype in T.Keyword or ttype in T.Name
        first_word = value.split()[0].upper() if value.strip() else ""
        if depth == 0 and is_word and first_word in TOP_LEVEL_CLAUSES:
            raise QueryRefused(
                f"--where must be one boolean expression; {first_word} is not allowed there"
            )
        if is_word or ttype in T.String.Symbol:
            nxt = significant[i + 1] if i + 1 < len(significant) else None
            if nxt is not None and nxt.ttype in T.Punctuation and nxt.value == "(":
                name = _unquote(value)
                if denied(name):
                    raise QueryRefused(f"--where may not call {name}()")
    # The search guard's full statement check (one SELECT, no locking clause, its deny-list).
    guard.check_sql(f"SELECT 1 FROM t WHERE ({text})")  # noqa: S608 - analysed, never sent
    return text
