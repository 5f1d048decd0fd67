"""SQL text for display and for fixes to copy: identifier quoting in one place.

Queries pgvtui runs are composed with :mod:`psycopg.sql` (``sql.Identifier``); this module is
for SQL that is *shown* (fix SQL, prewarm statements, messages) and for the Search screen's
generated query, which keeps plain names bare so it reads like hand-written SQL.
"""

from __future__ import annotations

import re

_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*")
# PostgreSQL's reserved key words (and a few that must be quoted as column names).
RESERVED = frozenset(
    {
        "all",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "both",
        "case",
        "cast",
        "check",
        "collate",
        "column",
        "constraint",
        "create",
        "current_date",
        "current_role",
        "current_time",
        "current_timestamp",
        "current_user",
        "default",
        "deferrable",
        "desc",
        "distinct",
        "do",
        "else",
        "end",
        "except",
        "false",
        "fetch",
        "for",
        "foreign",
        "from",
        "grant",
        "group",
        "having",
        "in",
        "initially",
        "intersect",
        "into",
        "lateral",
        "leading",
        "limit",
        "localtime",
        "localtimestamp",
        "not",
        "null",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "placing",
        "primary",
        "references",
        "returning",
        "select",
        "session_user",
        "some",
        "symmetric",
        "table",
        "then",
        "to",
        "trailing",
        "true",
        "union",
        "unique",
        "user",
        "using",
        "variadic",
        "when",
        "where",
        "window",
        "with",
    }
)


def is_bare(name: str) -> bool:
    """True when ``name`` needs no quotes (lower-case plain identifier, not a reserved word)."""
    return bool(_PLAIN.fullmatch(name)) and name not in RESERVED


def ident(*names: str) -> str:
    """Always-quoted (possibly qualified) identifier: ``"My Schema"."Items"``. A name with a
    control character (a line break in an index name) is written as a Unicode-escaped
    identifier, ``U&"dup\\000Ab"``, so the SQL — and a ``--`` comment that names it — stays on
    one line when pasted into psql."""
    from psycopg import sql  # lazily: the TUI imports this module before its first paint

    return ".".join(
        _unicode_escaped(n) if _CONTROL.search(n) else sql.Identifier(n).as_string(None)
        for n in names
    )


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _unicode_escaped(name: str) -> str:
    body = "".join(
        f"\\{ord(c):04X}" if _CONTROL.match(c) else "\\\\" if c == "\\" else c for c in name
    )
    return 'U&"' + body.replace('"', '""') + '"'


def display_ident(name: str) -> str:
    """An identifier as a person would write it: bare when it can be, quoted otherwise."""
    return name if is_bare(name) else ident(name)


def literal(value: str | int | float) -> str:
    from psycopg import sql

    return sql.Literal(value).as_string(None)
