"""Check every target concurrently: one async session each, at most ``jobs`` at once.

Each target gets its own limits: ``connect_timeout_s`` for the connection (a server that accepts
the TCP connection and never answers included) and ``target_timeout_s`` for everything, connect
to close. A target that fails — refused, silent, wrong password, no permission, a statement that
errors — becomes a :class:`Failed` with one password-free line; the others carry on.

Per database, in pgvtui's read-only session: the inventory, measured residency (fit against
shared_buffers / effective_cache_size / RAM, pg_buffercache when readable) and the catalog rules
— what ``pgvtui check`` shows — and, when asked, a recall spot check of each HNSW/IVFFlat index
at the server's current ``hnsw.ef_search`` / ``ivfflat.probes`` on N sampled queries, inside a
time budget (``recall_seconds`` for the database, shared out between its indexes); and, with
``workload_top``, the top vector statements from pg_stat_statements (:mod:`pgvtui.core.workload`)
each diagnosed from its generic plan (nothing executed) within what is left of the per-target
limit. A database without pg_stat_statements says so and is still checked.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pgvtui.core import residency as res
from pgvtui.core import workload as wl
from pgvtui.core.catalog import inventory as load_inventory
from pgvtui.core.models import ANN_METHODS, IndexInfo, Inventory
from pgvtui.core.recall.sweep import RecallReport, RecallSpec, run_recall
from pgvtui.core.report.targets import Target
from pgvtui.core.rules.base import Finding, RuleContext, run_rules
from pgvtui.core.session import Session, SessionOptions, connect
from pgvtui.errors import PgvtuiError

_CLOSE_MARGIN_S = 2.0  # of the per-target limit kept back for closing after a recall check


@dataclass(frozen=True)
class ReportOptions:
    jobs: int = 8
    connect_timeout_s: float = 10.0
    target_timeout_s: float = 60.0
    statement_timeout_ms: int = 30_000
    ram_bytes: int | None = None
    recall_sample: int = 0  # queries per index; 0 = no recall check
    recall_k: int = 10
    recall_seconds: float = 20.0  # per database, shared between its indexes
    workload_top: int = 0


@dataclass(frozen=True)
class RecallSpot:
    """One index's recall at the current settings (or why it was not measured)."""

    index: str  # schema.name
    method: str
    settings: dict[str, int | str]
    report: RecallReport | None
    error: str | None = None


@dataclass(frozen=True)
class Checked:
    target: Target
    seconds: float
    inventory: Inventory
    residency: res.ResidencyReport | None
    findings: tuple[Finding, ...]
    recall: tuple[RecallSpot, ...]
    notes: tuple[str, ...]  # what could not be measured, one line each
    workload: wl.Workload | None = None  # None: not asked for (or it could not be read: notes)
    statements: int = 0  # statements this database was sent, the connection set-up included


@dataclass(frozen=True)
class Failed:
    target: Target
    seconds: float
    error: str  # one line, no password


Outcome = Checked | Failed


@dataclass(frozen=True)
class ProgressEvent:
    target: Target
    done: int  # targets finished so far
    total: int
    outcome: Outcome | None  # None: the target's check just started


ProgressFn = Callable[[ProgressEvent], None]


def current_recall_settings(idx: IndexInfo, settings: dict[str, str | None]) -> RecallSpec:
    """The spot check's spec: the server's current search settings for the index's method."""

    def as_int(name: str, default: int) -> int:
        try:
            return int(settings.get(name) or default)
        except ValueError:
            return default

    name = f"{idx.schema}.{idx.name}"
    if idx.method == "hnsw":
        return RecallSpec(
            index=name,
            ef_search=(as_int("hnsw.ef_search", 40),),
            iterative=(settings.get("hnsw.iterative_scan") or "off",),
        )
    return RecallSpec(
        index=name,
        probes=(as_int("ivfflat.probes", 1),),
        iterative=(settings.get("ivfflat.iterative_scan") or "off",),
    )


def _spot_settings(idx: IndexInfo, spec: RecallSpec) -> dict[str, int | str]:
    if idx.method == "hnsw":
        return {"hnsw.ef_search": spec.ef_search[0], "hnsw.iterative_scan": spec.iterative[0]}
    return {"ivfflat.probes": spec.probes[0], "ivfflat.iterative_scan": spec.iterative[0]}


async def recall_spots(
    session: Session, inv: Inventory, options: ReportOptions, deadline: float
) -> list[RecallSpot]:
    """Recall of each valid ANN index at the current settings, until ``deadline``
    (``time.monotonic()``); the time left is shared equally by the indexes still to check."""
    out: list[RecallSpot] = []
    todo = [i for i in inv.indexes if i.method in ANN_METHODS]
    for n, idx in enumerate(todo):
        base = current_recall_settings(idx, inv.settings)
        spec = RecallSpec(
            index=base.index,
            ef_search=base.ef_search,
            probes=base.probes,
            iterative=base.iterative,
            k=options.recall_k,
            queries=options.recall_sample,
        )
        spot = RecallSpot(idx.qualified_name, idx.method, _spot_settings(idx, spec), None)
        remaining = deadline - time.monotonic()
        if not idx.valid:
            out.append(_with_error(spot, "not measured: the index is not valid"))
            continue
        if "." in idx.schema or "." in idx.name:
            out.append(_with_error(spot, "not measured: a dot in the index or schema name"))
            continue
        if remaining < 0.5 or session.broken:
            out.append(_with_error(spot, "not measured: the recall time budget was used up"))
            continue
        stop_at = time.monotonic() + remaining / (len(todo) - n)

        def should_stop(t: float = stop_at) -> bool:
            return time.monotonic() > t

        try:
            # should_stop ends the run between queries; the hard limit covers one slow statement
            async with asyncio.timeout(max(0.5, deadline - time.monotonic())):
                report = await run_recall(session, spec, should_stop=should_stop, inv=inv)
        except TimeoutError:
            out.append(_with_error(spot, "not measured: a statement outlasted the time budget"))
            continue
        except PgvtuiError as exc:
            if session.broken:
                raise
            out.append(_with_error(spot, exc.one_line()))
            continue
        out.append(RecallSpot(spot.index, spot.method, spot.settings, report))
    return out


def _with_error(spot: RecallSpot, error: str) -> RecallSpot:
    return RecallSpot(spot.index, spot.method, spot.settings, None, error)


async def check_database(
    session: Session, target: Target, options: ReportOptions, started: float
) -> Checked:
    """Everything the report shows for one database, over an open session."""
    notes: list[str] = list(session.warnings)  # e.g. an old pgvector: what degrades
    inv = await load_inventory(session)
    residency: res.ResidencyReport | None = None
    try:
        residency = await res.collect(session, ram_bytes=options.ram_bytes, inv=inv)
    except PgvtuiError as exc:
        if session.broken:
            raise
        notes.append(f"residency not measured: {exc.one_line()}")
    # As core.checkup.check_catalog, with --ram reaching the memory rules.
    ctx = RuleContext(inventory=inv, settings=dict(inv.settings))
    if residency is not None:
        ctx.extras[res.EXTRAS_KEY] = residency
    findings = tuple(run_rules(ctx, kinds=("catalog",)))
    # The workload before the recall check: the check's own searches are not the application's.
    workload: wl.Workload | None = None
    if options.workload_top > 0:
        workload = await top_statements(session, options, started, notes)
    spots: list[RecallSpot] = []
    if options.recall_sample > 0 and inv.indexes:
        deadline = min(
            time.monotonic() + options.recall_seconds,
            started + options.target_timeout_s - _CLOSE_MARGIN_S,
        )
        spots = await recall_spots(session, inv, options, deadline)
    return Checked(
        target=target,
        seconds=round(time.monotonic() - started, 3),
        inventory=inv,
        residency=residency,
        findings=findings,
        recall=tuple(spots),
        notes=tuple(notes),
        workload=workload,
        statements=session.statements,
    )


async def top_statements(
    session: Session, options: ReportOptions, started: float, notes: list[str]
) -> wl.Workload | None:
    """The ``workload_top`` heaviest vector statements (by total time), each diagnosed from its
    generic plan until the per-target limit (less a margin for closing) is near; the ones the
    time does not reach are marked skipped. None (and a note) when they could not be read."""
    try:
        w = await wl.collect(session, top=options.workload_top)
    except PgvtuiError as exc:
        if session.broken:
            raise
        notes.append(f"workload not read: {exc.one_line()}")
        return None
    if not w.entries:
        return w
    budget = started + options.target_timeout_s - _CLOSE_MARGIN_S - time.monotonic()
    return await wl.diagnose_entries(session, w, budget_s=max(0.0, budget))


def _fmt_s(seconds: float) -> str:
    return f"{seconds:g} s"


async def check_target(target: Target, options: ReportOptions) -> Outcome:
    """One target, within its limits; never raises for anything a server can do."""
    started = time.monotonic()

    def failed(error: str) -> Failed:
        return Failed(target, round(time.monotonic() - started, 3), error)

    session: Session | None = None
    try:
        async with asyncio.timeout(options.target_timeout_s):
            sopts = SessionOptions(
                statement_timeout_ms=options.statement_timeout_ms,
                require_vector=False,  # a database without pgvector is a fact to report
                connect_timeout_s=max(2, math.ceil(options.connect_timeout_s)),
            )
            try:
                session = await asyncio.wait_for(
                    connect(target.conninfo, sopts, prompt=None), options.connect_timeout_s
                )
            except TimeoutError:
                return failed(
                    "Connection failed: no answer within the connect timeout "
                    f"({_fmt_s(options.connect_timeout_s)})"
                )
            return await check_database(session, target, options, started)
    except TimeoutError:
        return failed(
            "Timed out: not finished within the per-target limit "
            f"({_fmt_s(options.target_timeout_s)})"
        )
    except PgvtuiError as exc:
        return failed(exc.one_line())
    except OSError as exc:
        return failed(f"Connection failed: {exc.strerror or type(exc).__name__}")
    except Exception as exc:
        # A bug met on one database must not cost the report the others. Like the CLI's last
        # line of defence: the exception's type, never its text (it may quote a conninfo).
        if os.environ.get("PGVTUI_DEBUG"):
            raise
        return failed(
            f"Internal error: {type(exc).__name__} (a bug in pgvtui; set PGVTUI_DEBUG=1 for "
            "the traceback and please report it)"
        )
    finally:
        if session is not None:
            await session.close()


async def collect_fleet(
    targets: Sequence[Target], options: ReportOptions, progress: ProgressFn | None = None
) -> list[Outcome]:
    """Every target's outcome, in the order given; at most ``options.jobs`` at once."""
    say = progress or (lambda _e: None)
    sem = asyncio.Semaphore(max(1, options.jobs))
    done = 0

    async def one(target: Target) -> Outcome:
        nonlocal done
        async with sem:
            say(ProgressEvent(target, done, len(targets), None))
            outcome = await check_target(target, options)
            done += 1
            say(ProgressEvent(target, done, len(targets), outcome))
            return outcome

    return list(await asyncio.gather(*(one(t) for t in targets)))
