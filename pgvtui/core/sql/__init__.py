"""SQL lives here, one query per ``.sql`` file, each starting with a one-line ``--`` comment.

:func:`load` returns the text by name (cached). Values are always bind parameters (``%(name)s``
or ``%s``); identifiers are composed with :mod:`psycopg.sql` by the caller, never formatted in.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from psycopg import sql


@cache
def load(name: str) -> str:
    """The text of ``<name>.sql`` in this package."""
    return resources.files(__package__).joinpath(f"{name}.sql").read_text(encoding="utf-8")


def query(name: str) -> sql.SQL:
    """The query as a :class:`psycopg.sql.SQL` object (for ``cursor.execute``)."""
    return sql.SQL(load(name))  # type: ignore[arg-type,unused-ignore]


def names() -> list[str]:
    return sorted(
        p.name.removesuffix(".sql")
        for p in resources.files(__package__).iterdir()
        if p.name.endswith(".sql")
    )
