"""The UI's one door to the database: owns the sessions, serialises their use, calls the core.

Concurrency (decided here, documented in the README): a psycopg ``AsyncConnection`` runs one
statement at a time, so every catalog/search call on the **main session** goes through one
``asyncio.Lock``. Activity polling uses a **second session** (opened lazily), so the Activity
screen keeps refreshing while a long search runs, and it is the session that can cancel the main
one. ``cancel()`` needs no lock: it uses libpq's out-of-band cancel request.

No Textual here: screens call these coroutines from their workers and post the results as
messages. A test can pass a subclass with recorded data to :func:`pgvtui.ui.app.create_app`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from pgvtui.core.coverage import Coverage
from pgvtui.core.models import IndexInfo, Inventory
from pgvtui.core.rules.base import Finding
from pgvtui.errors import ConnectionLost, PgvtuiError

if TYPE_CHECKING:
    from pgvtui.core import activity as act
    from pgvtui.core.appcheck import StatementCheck
    from pgvtui.core.binding import BoundValue
    from pgvtui.core.functions import FunctionSearch
    from pgvtui.core.plan import Plan
    from pgvtui.core.residency import ResidencyReport
    from pgvtui.core.session import Session, SessionOptions
    from pgvtui.core.workload import Workload

# The core's heavier modules (psycopg, numpy via sizing/residency, pglast via search) are
# imported inside the methods that need them: the first screen paints before they load.


def _default_options() -> SessionOptions:
    from pgvtui.core.session import SessionOptions

    return SessionOptions()


async def _connect(conninfo: str, options: SessionOptions) -> Session:
    from pgvtui.core.session import connect

    return await connect(conninfo, options, prompt=None)


T = TypeVar("T")


@dataclass(frozen=True)
class SearchOutcome:
    """One run of a query through the safe EXPLAIN ANALYZE path, ready for display."""

    sql: str
    settings: dict[str, str]
    plan: Plan | None = None
    findings: tuple[Finding, ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    wall_ms: float = 0.0
    error: PgvtuiError | None = None
    generic: bool = False
    """A generic plan (``$n`` and no values): nothing was executed."""
    bound: tuple[BoundValue, ...] = ()
    """The values given to the statement's ``$n`` (sampled or typed in)."""
    function: FunctionSearch | None = None
    """The function whose body was diagnosed (a call of a searching function)."""

    @property
    def execution_ms(self) -> float | None:
        """None when nothing ran (a generic plan) or the plan has no Execution Time."""
        return self.plan.execution_ms if self.plan else None

    @property
    def row_count(self) -> int | None:
        return self.plan.rows if self.plan else None

    @property
    def buffers(self) -> tuple[int, int]:
        """(shared hit, shared read) over the whole plan."""
        if self.plan is None:
            return 0, 0
        return self.plan.shared_hit, self.plan.shared_read


@dataclass(frozen=True)
class Catalog:
    """What the App loads after connecting (and on reload)."""

    inventory: Inventory
    findings: tuple[Finding, ...]
    residency: ResidencyReport | None
    coverage: Coverage = field(default_factory=Coverage)  # what the role could not see


@dataclass
class Backend:
    """Sessions and core calls for one App."""

    conninfo: str
    options: SessionOptions = field(default_factory=_default_options)
    session: Session | None = None
    _aux: Session | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _aux_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    report: ResidencyReport | None = None
    residency_error: str | None = None
    on_inventory: Callable[[Inventory], None] | None = None
    """Called with a freshly loaded inventory before its residency and rules are done."""

    # -- connection -------------------------------------------------------------------
    @property
    def display(self) -> str:
        """The redacted conninfo (never a password)."""
        if self.session is not None:
            return self.session.display
        from pgvtui.core.conninfo import redact

        return redact(self.conninfo)

    @property
    def short(self) -> str:
        return self.session.short if self.session is not None else self.display

    @property
    def own_pids(self) -> tuple[int, ...]:
        pids = []
        if self.session is not None:
            pids.append(self.session.basics.backend_pid)
        if self._aux is not None:
            pids.append(self._aux.basics.backend_pid)
        return tuple(pids)

    async def connect(self) -> None:
        async with self._lock:
            if self.session is None or self.session.broken:
                self.session = await _connect(self.conninfo, self.options)

    async def reconnect(self) -> None:
        async with self._lock:
            old, self.session = self.session, None
            if old is not None:
                await old.close()
            self.session = await _connect(self.conninfo, self.options)
        async with self._aux_lock:
            if self._aux is not None:
                await self._aux.close()
                self._aux = None

    def set_password(self, password: str) -> None:
        """Use a password typed into the UI (after an authentication failure)."""
        import psycopg

        self.conninfo = psycopg.conninfo.make_conninfo(self.conninfo, password=password)

    async def close(self) -> None:
        for s in (self.session, self._aux):
            if s is not None:
                await s.close()

    async def cancel(self) -> None:
        """Cancel the statement running on the main session (out of band: a round trip on a
        connection of its own; no lock)."""
        if self.session is not None:
            await self.session.cancel_async()

    async def _main(self, fn: Callable[[Session], Awaitable[T]]) -> T:
        async with self._lock:
            session = self.session
            if session is None or session.broken:
                raise ConnectionLost("not connected to the server", hint="press ctrl+r")
            try:
                return await fn(session)
            except PgvtuiError as exc:
                if session.broken and not isinstance(exc, ConnectionLost):
                    raise ConnectionLost(exc.message, hint="press ctrl+r") from None
                raise

    async def _aux_session(self) -> Session:
        if self._aux is None or self._aux.broken:
            self._aux = await _connect(self.conninfo, self.options)
        return self._aux

    # -- catalog ----------------------------------------------------------------------
    async def inventory(self) -> Catalog:
        """Inventory, residency report (None if it cannot be measured) and catalog findings.
        :attr:`on_inventory` gets the inventory as soon as it is loaded, before the residency
        and the rules (seconds more on a big catalog): the Inventory screen shows it sooner."""
        on_inventory = self.on_inventory

        from pgvtui.core.catalog import inventory as load_inventory

        async def load(session: Session) -> Catalog:
            inv = await load_inventory(session)
            if on_inventory is not None:
                on_inventory(inv)
            # The rules (and the SQL parser they use) are imported only now, in a thread: the
            # screen shows the inventory meanwhile instead of waiting for the import.
            checkup = await asyncio.to_thread(importlib.import_module, "pgvtui.core.checkup")
            result = await checkup.check_catalog(session, inv)
            self.residency_error = result.residency_error
            return Catalog(result.inventory, result.findings, result.residency, result.coverage)

        catalog = await self._main(load)
        self.report = catalog.residency
        return catalog

    async def residency(self, inv: Inventory | None, *, scan: bool = False) -> ResidencyReport:
        """``scan``: read pg_buffercache even on a very large shared_buffers (the user asked)."""
        from pgvtui.core import residency as res

        report = await self._main(lambda s: res.collect(s, inv=inv, scan_buffercache=scan or None))
        self.report = report
        return report

    def residency_text(self, index: IndexInfo) -> str:
        """Measured residency of one index from the last report, as one line (no query)."""
        report = self.report
        if report is None:
            return self.residency_error or "not measured"
        for r in report.indexes:
            if r.index_oid == index.index_oid:
                if r.resident_pct is None:
                    return report.buffercache.reason or "not measured"
                return f"{r.resident_pct:.0f} % in shared_buffers ({r.resident_pages} pages)"
        return "not in the last residency report"

    async def table_key(self, table_oid: int) -> act.TableKey | None:
        from pgvtui.core import activity as act

        return await self._main(lambda s: act.table_key(s, table_oid))

    async def sample_key(self, schema: str, table: str, column: str, key: str) -> str | None:
        from pgvtui.core import activity as act

        return await self._main(lambda s: act.sample_key(s, schema, table, column, key))

    # -- search -----------------------------------------------------------------------
    async def search(
        self,
        sql: str,
        settings: Mapping[str, str],
        inventory: Inventory | None,
        *,
        sample: bool = False,
        params: Mapping[int, str] | None = None,
    ) -> SearchOutcome:
        """Run ``sql`` through the safe EXPLAIN ANALYZE path; a server error is returned in the
        outcome (rules may explain it), a lost connection raises. A statement with ``$n`` gets
        its generic plan, or with ``sample`` / ``params`` runs with values
        (:func:`pgvtui.ui.search_adapter.run`)."""
        from pgvtui.ui import search_adapter

        start = time.perf_counter()

        async def run(session: Session) -> SearchOutcome:
            return await search_adapter.run(
                session, sql, dict(settings), inventory, sample=sample, params=params
            )

        try:
            outcome = await self._main(run)
        except ConnectionLost:
            raise
        except PgvtuiError as exc:
            return SearchOutcome(
                sql=sql,
                settings=dict(settings),
                wall_ms=(time.perf_counter() - start) * 1000,
                error=exc,
                findings=tuple(search_adapter.findings_for_error(sql, settings, inventory, exc)),
            )
        return dataclasses.replace(outcome, wall_ms=(time.perf_counter() - start) * 1000)

    # -- activity (second session) ----------------------------------------------------
    async def activity(self) -> act.Activity:
        from pgvtui.core import activity as act

        async with self._aux_lock:
            session = await self._aux_session()
            return await act.snapshot(session, self.own_pids)

    async def cancel_backend(self, pid: int) -> bool:
        from pgvtui.core import activity as act

        async with self._aux_lock:
            session = await self._aux_session()
            return await act.cancel(session, pid, self.own_pids)

    # -- workload (main session) -------------------------------------------------------
    async def workload(self, *, sort: str, top: int) -> Workload:
        """pg_stat_statements' vector statements (:func:`pgvtui.core.workload.collect`)."""
        from pgvtui.core.workload import collect

        return await self._main(lambda s: collect(s, sort=sort, top=top))

    async def check_statement(
        self, text: str, *, sample: bool = False, params: Mapping[int, str] | None = None
    ) -> StatementCheck:
        """Diagnose a statement as pg_stat_statements holds it (the core ``check --sql`` and
        ``workload --diagnose`` use): its generic plan, or with ``sample`` EXPLAIN ANALYZE with
        values sampled from the columns its parameters are compared with."""
        from pgvtui.core.appcheck import check_statement

        return await self._main(lambda s: check_statement(s, text, sample=sample, params=params))

    # -- generic ----------------------------------------------------------------------
    async def call(self, fn: Callable[[Session], Awaitable[T]]) -> T:
        """Run a core coroutine on the main session (serialised)."""
        return await self._main(fn)
