"""The vector searches an application really runs, from pg_stat_statements.

:func:`collect` reads this database's pg_stat_statements entries and keeps those that search
vectors — decided by PostgreSQL's parser (:mod:`pgvtui.core.statement`), not by matching text:
a pgvector distance operator or function on a column, or a call to a user function whose body
runs one (:mod:`pgvtui.core.functions`; the statements inside a function are only recorded
with ``pg_stat_statements.track = all``). A cheap server-side pre-filter only drops texts that
contain none of the operators or names at all.

When pg_stat_statements cannot be read the report says why and how to enable it
(``shared_preload_libraries`` + ``CREATE EXTENSION``); entries of other roles whose text this
role may not read are counted and the report names ``pg_read_all_stats``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from psycopg import sql

from pgvtui.core import functions as fn
from pgvtui.core import sql as sqlfiles
from pgvtui.core import statement
from pgvtui.core.rules.base import Finding
from pgvtui.core.session import Session
from pgvtui.errors import PgvtuiError

SORTS = ("total", "mean", "calls", "rows", "reads")
DEFAULT_TOP = 20
NEEDLES = (*statement.DISTANCE_OPERATORS, *sorted(statement.DISTANCE_FUNCTIONS))

OWN_TAG = "/* pgvtui recall check */"  # in recall_ann.sql: pgvtui's own searches, not listed
PREVIEW_TAG = "/* pgvtui result preview */"  # result_preview.sql: the Search screen's rows
OWN_TAGS = (OWN_TAG, PREVIEW_TAG)

ENABLE_HINT = (
    "add pg_stat_statements to shared_preload_libraries in postgresql.conf (the server must be "
    "restarted), then run CREATE EXTENSION pg_stat_statements; in this database"
)


@dataclass(frozen=True)
class WorkloadEntry:
    queryid: int
    username: str | None
    query: str  # as pg_stat_statements holds it
    calls: int
    total_ms: float
    mean_ms: float
    max_ms: float
    stddev_ms: float
    rows: int
    shared_blks_hit: int
    shared_blks_read: int
    temp_blks_read: int
    temp_blks_written: int
    toplevel: bool
    targets: tuple[statement.ColumnUse, ...] = ()  # vector columns searched
    operators: tuple[str, ...] = ()
    via: tuple[str, ...] = ()  # user functions called whose body searches (schema.name)

    @property
    def rows_per_call(self) -> float:
        return self.rows / self.calls if self.calls else 0.0

    @property
    def hit_per_call(self) -> float:
        return self.shared_blks_hit / self.calls if self.calls else 0.0

    @property
    def read_per_call(self) -> float:
        return self.shared_blks_read / self.calls if self.calls else 0.0

    @property
    def temp_blocks(self) -> int:
        return self.temp_blks_read + self.temp_blks_written

    @property
    def searches(self) -> str:
        """``public.docs.embedding (<=>)`` — what it searches, for display."""
        parts = [t.display for t in self.targets]
        parts += [f"via {v}()" for v in self.via]
        return ", ".join(parts) or "?"

    def to_json(self) -> dict[str, Any]:
        return {
            "queryid": str(self.queryid),  # int8: keep every digit in JSON readers
            "user": self.username,
            "query": self.query,
            "calls": self.calls,
            "total_ms": self.total_ms,
            "mean_ms": self.mean_ms,
            "max_ms": self.max_ms,
            "stddev_ms": self.stddev_ms,
            "rows": self.rows,
            "rows_per_call": self.rows_per_call,
            "shared_blks_hit_per_call": self.hit_per_call,
            "shared_blks_read_per_call": self.read_per_call,
            "temp_blks_read": self.temp_blks_read,
            "temp_blks_written": self.temp_blks_written,
            "toplevel": self.toplevel,
            "searches": [
                {"schema": t.schema, "table": t.table, "column": t.column} for t in self.targets
            ],
            "operators": list(self.operators),
            "functions": list(self.via),
        }


@dataclass(frozen=True)
class EntryDiagnosis:
    """``--diagnose``: the findings for one statement, from its generic plan (no values: nothing
    is executed), or why there are none."""

    findings: tuple[Finding, ...] = ()
    generic: bool = True
    function: str | None = None  # the function whose body was diagnosed
    error: str | None = None  # one line: why it could not be diagnosed
    skipped: bool = False  # the time budget ran out first

    def to_json(self) -> dict[str, Any]:
        return {
            "plan_kind": "generic plan" if self.generic else "analyze",
            "function": self.function,
            "error": self.error,
            "skipped": self.skipped,
            "findings": [f.to_json() for f in self.findings],
        }


@dataclass(frozen=True)
class Workload:
    available: bool
    problem: str | None = None  # why pg_stat_statements cannot be read (one line)
    hint: str | None = None  # what to do about it
    entries: tuple[WorkloadEntry, ...] = ()
    matched: int = 0  # vector entries before --top
    hidden: int = 0  # entries whose text this role may not read
    unparsed: int = 0  # candidate texts the parser refused
    sort: str = "total"
    extension_schema: str | None = None
    extension_version: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    diagnoses: dict[int, EntryDiagnosis] = field(default_factory=dict)  # by queryid

    def to_json(self) -> dict[str, Any]:
        entries = []
        for e in self.entries:
            doc = e.to_json()
            d = self.diagnoses.get(e.queryid)
            if d is not None:
                doc["diagnosis"] = d.to_json()
            entries.append(doc)
        return {
            "available": self.available,
            "problem": self.problem,
            "hint": self.hint,
            "pg_stat_statements": {
                "schema": self.extension_schema,
                "version": self.extension_version,
            },
            "sort": self.sort,
            "matched": self.matched,
            "hidden": self.hidden,
            "unparsed": self.unparsed,
            "notes": list(self.notes),
            "entries": entries,
        }


SORT_KEYS: dict[str, Callable[[WorkloadEntry], float]] = {
    "total": lambda e: e.total_ms,
    "mean": lambda e: e.mean_ms,
    "calls": lambda e: float(e.calls),
    "rows": lambda e: float(e.rows),
    "reads": lambda e: float(e.shared_blks_read),
}


@dataclass(frozen=True)
class _Status:
    schema: str | None
    version: str | None
    available: bool
    preloaded: bool | None
    read_all_stats: bool


def classify(
    text: str, searching: dict[str, list[fn.FunctionInfo]]
) -> tuple[tuple[statement.ColumnUse, ...], tuple[str, ...], tuple[str, ...]] | None:
    """``(targets, operators, via-functions)`` when the statement searches vectors, else None.
    Raises :class:`statement.StatementError` when the parser refuses the text."""
    info = statement.read(text)
    if info.kind == "explain":
        return None  # an EXPLAIN someone ran (pgvtui's own included), not the application
    via: list[str] = []
    targets = list(info.targets())
    operators = [d.sql_operator for d in info.distances]
    for call in info.calls:
        f = fn.pick(searching, call.name, call.schema, len(call.args))
        if f is None:
            continue
        via.append(f.display)
        for inner in f.searches():
            operators += [d.sql_operator for d in inner.distances]
            for t in inner.targets():
                if t not in targets:
                    targets.append(t)
    if not info.distances and not via:
        return None
    ops = tuple(dict.fromkeys(operators))
    return tuple(targets), ops, tuple(dict.fromkeys(via))


async def collect(session: Session, *, sort: str = "total", top: int = DEFAULT_TOP) -> Workload:
    """The vector entries of this database's pg_stat_statements, sorted, the first ``top``."""
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort {sort!r}")
    status = (await session.fetch("workload_status", row=_Status))[0]
    if status.schema is None:
        if not status.available:
            return Workload(
                available=False,
                problem="pg_stat_statements is not available on this server",
                hint="install PostgreSQL's contrib modules (pg_stat_statements), then "
                + ENABLE_HINT,
                sort=sort,
            )
        if status.preloaded is False:
            return Workload(
                available=False,
                problem="pg_stat_statements is not loaded and not installed in this database",
                hint=ENABLE_HINT,
                sort=sort,
            )
        return Workload(
            available=False,
            problem="pg_stat_statements is loaded but not installed in this database",
            hint="run CREATE EXTENSION pg_stat_statements; in this database (it needs "
            "CREATE privilege on the database; a superuser or the database owner can)",
            sort=sort,
        )
    pgss = sql.Identifier(status.schema, "pg_stat_statements")
    searching = fn.vector_functions(await fn.load_functions(session))
    needles = [*NEEDLES, *searching]
    try:
        rows = await session.fetch(
            sqlfiles.query("workload_statements").format(pgss=pgss),
            {"needles": needles},
            row=WorkloadEntry,  # the counters; what it searches is filled in below
        )
        hidden = int(
            await session.fetch_value(sqlfiles.query("workload_hidden").format(pgss=pgss)) or 0
        )
    except PgvtuiError as exc:
        if "shared_preload_libraries" in str(exc) or "must be loaded" in str(exc):
            return Workload(
                available=False,
                problem="pg_stat_statements is installed in this database but the server did "
                "not load it at start",
                hint=ENABLE_HINT,
                sort=sort,
                extension_schema=status.schema,
                extension_version=status.version,
            )
        raise
    entries: list[WorkloadEntry] = []
    unparsed = 0
    own = 0
    for r in rows:
        if any(tag in r.query for tag in OWN_TAGS):  # pg_stat_statements keeps comments
            own += 1
            continue
        try:
            found = classify(r.query, searching)
        except statement.StatementError:
            unparsed += 1
            continue
        if found is None:
            continue
        targets, ops, via = found
        entries.append(replace(r, targets=targets, operators=ops, via=via))
    entries.sort(key=SORT_KEYS[sort], reverse=True)
    notes: list[str] = []
    if hidden and not status.read_all_stats:
        notes.append(
            f"{hidden} statement(s) of other roles are hidden from this role: grant it "
            "pg_read_all_stats (GRANT pg_read_all_stats TO <role>;) to see their text"
        )
    if unparsed:
        notes.append(f"{unparsed} statement(s) could not be parsed and are not listed")
    if own:
        notes.append(
            f"{own} statement(s) of pgvtui's own recall checks and result previews are not listed"
        )
    return Workload(
        available=True,
        entries=tuple(entries[: max(0, top)]),
        matched=len(entries),
        hidden=hidden,
        unparsed=unparsed,
        sort=sort,
        extension_schema=status.schema,
        extension_version=status.version,
        notes=tuple(notes),
    )


DEFAULT_BUDGET_S = 10.0


async def diagnose_entries(
    session: Session, workload: Workload, *, budget_s: float = DEFAULT_BUDGET_S
) -> Workload:
    """Each listed statement diagnosed from its pg_stat_statements text — its generic plan
    (``EXPLAIN (GENERIC_PLAN)``, PostgreSQL 16+; nothing executed), a function call unwrapped to
    the search in its body — until ``budget_s`` seconds have passed; the rest are marked
    skipped."""
    from pgvtui.core.appcheck import check_statement  # the rules and the planner path

    start = time.monotonic()
    out: dict[int, EntryDiagnosis] = {}
    for e in workload.entries:
        if time.monotonic() - start > budget_s:
            out[e.queryid] = EntryDiagnosis(skipped=True, error="time budget used up")
            continue
        try:
            result = await check_statement(session, e.query)
        except PgvtuiError as exc:
            if session.broken:
                raise
            out[e.queryid] = EntryDiagnosis(error=exc.one_line())
            continue
        err = result.diagnosis.search.error
        out[e.queryid] = EntryDiagnosis(
            findings=result.findings,
            generic=result.generic,
            function=result.function.function.display if result.function else None,
            error=err.message if err is not None and not result.findings else None,
        )
    return dataclasses.replace(workload, diagnoses=out)


EXTRAS_KEY = "workload"  # RuleContext.extras: the vector statements (for unused-index)


def searches_index(
    entry: WorkloadEntry, schema: str, table: str, column: str | None, operator: str | None
) -> bool:
    """Does the statement order by ``column`` of ``schema.table`` with ``operator`` — i.e. is it
    meant to use an ANN index on it? (An unqualified table name matches any schema.)"""
    if column is None or operator is None or operator not in entry.operators:
        return False
    return any(
        t.column == column and t.table == table and t.schema in (None, schema)
        for t in entry.targets
    )
