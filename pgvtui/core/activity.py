"""Live vector activity: running vector queries and ANN index builds, and cancelling our own.

Reads ``pg_stat_activity`` and ``pg_stat_progress_create_index`` (two statements per snapshot).
Cancelling is restricted to backends pgvtui itself opened: the caller passes their pids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from psycopg import sql

from pgvtui.core import sql as sqlfiles
from pgvtui.core.session import Session
from pgvtui.errors import PermissionDenied


@dataclass(frozen=True)
class VectorQuery:
    pid: int
    usename: str
    application_name: str
    database: str
    state: str
    duration_s: float | None
    wait_event_type: str | None
    wait_event: str | None
    query: str
    is_own: bool


@dataclass(frozen=True)
class IndexBuild:
    pid: int
    database: str
    table: str | None
    index: str | None
    method: str | None
    command: str
    phase: str
    blocks_total: int | None
    blocks_done: int | None
    tuples_total: int | None
    tuples_done: int | None
    duration_s: float | None

    @property
    def progress(self) -> tuple[int, int] | None:
        """(done, total) of the best counter for this phase, or None when unknown.

        HNSW reports tuples_total = 0 while loading, so blocks are used then (pgvector-facts §3).
        """
        if self.tuples_total and self.tuples_done is not None:
            return self.tuples_done, self.tuples_total
        if self.blocks_total and self.blocks_done is not None:
            return self.blocks_done, self.blocks_total
        return None


@dataclass(frozen=True)
class Activity:
    queries: tuple[VectorQuery, ...]
    builds: tuple[IndexBuild, ...]


async def snapshot(session: Session, own_pids: Iterable[int] = ()) -> Activity:
    """Running vector statements (``is_own`` marks ``own_pids``) and index builds."""
    pids = sorted({int(p) for p in own_pids})
    queries = await session.fetch("activity_queries", {"own_pids": pids}, row=VectorQuery)
    builds = await session.fetch("activity_builds", row=IndexBuild)
    return Activity(queries=tuple(queries), builds=tuple(builds))


async def cancel(session: Session, pid: int, own_pids: Iterable[int]) -> bool:
    """Cancel the statement running in ``pid``; refuses any backend not in ``own_pids``."""
    if int(pid) not in {int(p) for p in own_pids}:
        raise PermissionDenied(
            f"backend {pid} is not one of pgvtui's own; cancel it with pg_cancel_backend yourself",
            title="Cancel refused",
        )
    return bool(await session.fetch_value("activity_cancel", {"pid": int(pid)}))


# -- helpers for the Search screen's example query ------------------------------------


@dataclass(frozen=True)
class TableKey:
    key_column: str
    key_type: str


async def table_key(session: Session, table_oid: int) -> TableKey | None:
    """The single-column primary (or unique) key of a table, if it has one."""
    rows = await session.fetch("activity_table_key", {"table_oid": int(table_oid)}, row=TableKey)
    return rows[0] if rows else None


async def sample_key(
    session: Session, schema: str, table: str, column: str, key_column: str, pct: float = 1.0
) -> str | None:
    """The key (as text) of a random row of ``schema.table`` whose ``column`` is not NULL."""
    q = sqlfiles.query("activity_sample_key").format(
        key=sql.Identifier(key_column),
        table=sql.Identifier(schema, table),
        column=sql.Identifier(column),
    )
    value = await session.fetch_value(q, {"pct": float(pct)})
    return None if value is None else str(value)
