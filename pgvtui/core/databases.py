"""The databases on one server and which of them have pgvector installed (the TUI's connect
dialog). pgvector is installed per database, so each database is asked on a connection of its
own (the same session set-up as every pgvtui session: read-only, timeouts, no writes), a few at
a time. Passwords stay in the conninfo; errors are the password-free one-liners of
:func:`pgvtui.core.session.map_error`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

import psycopg

from pgvtui.core.session import Session, SessionOptions, connect
from pgvtui.errors import PgvtuiError

MAX_DATABASES = 50
"""At most this many databases are listed (and connected to)."""
PARALLEL = 4
"""Connections open at once while probing."""
FALLBACK_DATABASES = ("postgres", "template1")
"""Where to read the list when the conninfo's own database cannot be opened."""


@dataclass(frozen=True)
class DatabaseInfo:
    """One database: its pgvector version (None: not installed), or why it could not be read."""

    name: str
    pgvector_version: str | None = None
    error: str | None = None


def with_database(conninfo: str, dbname: str) -> str:
    """The same connection (host, port, user, password …) to another database."""
    return psycopg.conninfo.make_conninfo(conninfo, dbname=dbname)


def _probe_options(options: SessionOptions) -> SessionOptions:
    return replace(
        options, require_vector=False, connect_timeout_s=min(options.connect_timeout_s, 5)
    )


async def _names(conninfo: str, options: SessionOptions, session: Session | None) -> list[str]:
    if session is not None and not session.broken:
        rows = await session.fetch_dicts("databases", {"limit": MAX_DATABASES})
        return [str(r["name"]) for r in rows]
    last: PgvtuiError | None = None
    targets = [conninfo, *(with_database(conninfo, d) for d in FALLBACK_DATABASES)]
    for target in targets:
        try:
            probe = await connect(target, _probe_options(options), prompt=None)
        except PgvtuiError as exc:
            last = exc
            continue
        try:
            rows = await probe.fetch_dicts("databases", {"limit": MAX_DATABASES})
        finally:
            await probe.close()
        return [str(r["name"]) for r in rows]
    assert last is not None
    raise last


async def list_databases(
    conninfo: str, options: SessionOptions | None = None, session: Session | None = None
) -> list[DatabaseInfo]:
    """Every database the role may connect to (at most :data:`MAX_DATABASES`), each with its
    pgvector version. ``session``, when open, reads the list; otherwise the conninfo's database
    or else ``postgres`` / ``template1`` does."""
    options = options or SessionOptions()
    names = await _names(conninfo, options, session)
    gate = asyncio.Semaphore(PARALLEL)

    async def probe(name: str) -> DatabaseInfo:
        async with gate:
            try:
                s = await connect(
                    with_database(conninfo, name), _probe_options(options), prompt=None
                )
            except PgvtuiError as exc:
                return DatabaseInfo(name, error=exc.one_line())
            try:
                return DatabaseInfo(name, s.basics.pgvector_version)
            finally:
                await s.close()

    return list(await asyncio.gather(*(probe(n) for n in names)))
