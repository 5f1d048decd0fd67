"""Do the ANN indexes fit in memory, and are they in it? (``pgvtui residency``)

For every HNSW/IVFFlat index from the inventory: measured size, the size model's estimate for its
rows (and the drift between them), its share of all ANN bytes, whether it fits shared_buffers,
effective_cache_size and the host's RAM, the row count at which it stops fitting, and — when
pg_buffercache can be read — how much of it is in shared_buffers now, with the usage-count
distribution of its cached pages.

Measured residency is ONE query over pg_buffercache for all indexes together (grouped by
relfilenode), never one per index: each pass reads every buffer header. With shared_buffers of
32 GB or more the pass is skipped unless the caller asks for it (``scan_buffercache=True``).

Everything here runs in pgvtui's read-only session, except :func:`prewarm`, which the caller opts
into (``pgvtui residency --prewarm``): it opens a separate session with
``SessionOptions(read_only=False)`` just for the ``pg_prewarm`` calls and closes it.

Rules read the result from ``RuleContext.extras["residency"]`` (a :class:`ResidencyReport`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from typing import Any

from psycopg import sql

from pgvtui.core import sizing, sqltext
from pgvtui.core import sql as sqlfiles
from pgvtui.core.catalog import inventory
from pgvtui.core.coverage import Coverage, CoverageEntry
from pgvtui.core.models import (
    HNSW_DEFAULT_EF_CONSTRUCTION,
    HNSW_DEFAULT_M,
    IVFFLAT_DEFAULT_LISTS,
    ColumnInfo,
    IndexInfo,
    Inventory,
    to_jsonable,
)
from pgvtui.core.prewarm_plan import PREWARM_SHARE, PrewarmPlan, prewarm_plan
from pgvtui.core.session import Session
from pgvtui.core.units import human_bytes

GB = 1024**3
SCAN_LIMIT_BYTES = 32 * GB  # from here on, scanning pg_buffercache needs an explicit opt-in
COLD_PCT = 50.0  # below this measured residency a used index counts as mostly cold
EXTRAS_KEY = "residency"  # RuleContext.extras key holding a ResidencyReport
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class MemoryInfo:
    shared_buffers_bytes: int
    effective_cache_size_bytes: int
    ram_bytes: int
    ram_source: str  # "option" (--ram), "local" (psutil on this host) or "unknown" (= ecs)
    block_size: int = 8192
    nbuffers: int = 0


@dataclass(frozen=True)
class BuffercacheStatus:
    available: bool  # measured residency is in this report
    reason: str | None  # why not (or None)
    installed_version: str | None = None
    create_sql: str | None = None  # when the role may install it (pgvtui never does)
    scan_cost: str | None = None
    # True when the scan was skipped only because shared_buffers is large: the front end asks
    # (CLI: --scan-buffercache, TUI: a key) and calls collect(..., scan_buffercache=True).
    needs_confirmation: bool = False


@dataclass(frozen=True)
class IndexResidency:
    schema: str
    table: str
    name: str
    method: str
    key_type: str | None
    key_dims: int | None
    rows: int | None  # rows the model was given (reltuples × (1 − null_frac))
    size_bytes: int
    estimated_bytes: int | None
    drift_pct: float | None  # (measured − estimated) / estimated
    share_pct: float
    resident_pages: int | None
    resident_pct: float | None
    usage_counts: dict[str, int] | None  # cached pages by usage count "0".."5"
    fits_shared_buffers: bool
    fits_cache: bool
    fits_ram: bool
    rows_to_exceed_shared_buffers: int | None  # None: already exceeds, or no model
    rows_to_exceed_ram: int | None
    idx_scan: int | None
    prewarm_sql: str
    model_note: str | None = None
    index_oid: int = 0

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Suggestion:
    text: str
    sql: str | None = None


@dataclass(frozen=True)
class PrewarmResult:
    index: str
    blocks: int | None
    skipped: str | None = None  # why it was not prewarmed


@dataclass(frozen=True)
class ResidencyReport:
    memory: MemoryInfo
    indexes: tuple[IndexResidency, ...]
    total_ann_bytes: int
    total_estimated_bytes: int | None
    growth_to_exceed_shared_buffers: float | None  # all ANN tables growing together
    growth_to_exceed_ram: float | None
    buffercache: BuffercacheStatus
    suggestions: tuple[Suggestion, ...]
    prewarmed: tuple[PrewarmResult, ...] = ()
    statements: int = 0  # statements sent to build the report (budget tests)
    prewarm_plan: PrewarmPlan | None = None
    coverage: Coverage = field(default_factory=Coverage)

    @property
    def total_fits_shared_buffers(self) -> bool:
        return self.total_ann_bytes <= self.memory.shared_buffers_bytes

    @property
    def total_fits_cache(self) -> bool:
        return self.total_ann_bytes <= self.memory.effective_cache_size_bytes

    @property
    def total_fits_ram(self) -> bool:
        return self.total_ann_bytes <= self.memory.ram_bytes

    def to_json(self) -> dict[str, Any]:
        idx = []
        for i in self.indexes:
            d = to_jsonable(i)
            d.pop("index_oid", None)
            idx.append(d)
        return {
            "memory": to_jsonable(self.memory),
            "indexes": idx,
            "total_ann_bytes": self.total_ann_bytes,
            "total": {
                "bytes": self.total_ann_bytes,
                "estimated_bytes": self.total_estimated_bytes,
                "fits_shared_buffers": self.total_fits_shared_buffers,
                "fits_cache": self.total_fits_cache,
                "fits_ram": self.total_fits_ram,
                "growth_to_exceed_shared_buffers": self.growth_to_exceed_shared_buffers,
                "growth_to_exceed_ram": self.growth_to_exceed_ram,
            },
            "buffercache": to_jsonable(self.buffercache),
            "suggestions": [to_jsonable(s) for s in self.suggestions],
            "prewarmed": [to_jsonable(p) for p in self.prewarmed],
            "prewarm_plan": to_jsonable(self.prewarm_plan) if self.prewarm_plan else None,
            "coverage": self.coverage.to_json(),
        }


# --------------------------------------------------------------------------------------------
# Pure helpers
# --------------------------------------------------------------------------------------------


def is_local_host(host: str | None) -> bool:
    """A unix-socket directory or a loopback address: the server runs on this machine."""
    if not host:
        return True  # libpq's default: the local unix socket
    first = host.split(",")[0].strip()
    return first.startswith("/") or first.startswith("@") or first.lower() in LOCAL_HOSTS


def local_ram_bytes() -> int | None:
    try:
        import psutil

        return int(psutil.virtual_memory().total)
    except (ImportError, OSError):
        return None


def regclass_literal(schema: str, name: str) -> str:
    """For SQL shown to copy, not run."""
    text = f"{sqltext.display_ident(schema)}.{sqltext.display_ident(name)}"
    return "'" + text.replace("'", "''") + "'::regclass"


def prewarm_sql(schema: str, name: str) -> str:
    return f"SELECT pg_prewarm({regclass_literal(schema, name)});"


def _column_for(inv: Inventory, idx: IndexInfo) -> ColumnInfo | None:
    if idx.key_column is None:
        return None
    return inv.column(idx.schema, idx.table, idx.key_column)


def model_spec(inv: Inventory, idx: IndexInfo) -> tuple[sizing.IndexSpec | None, str | None]:
    """The size-model input for an existing index: rows from reltuples (less NULLs, which are
    not indexed), type/dims from the index key, m/lists from its options. (spec, note)."""
    rows = idx.table_rows_estimate
    if rows is None:
        return None, "table never analyzed (reltuples unknown)"
    col = _column_for(inv, idx)
    notes: list[str] = []
    if col is not None and col.null_frac:
        rows = round(rows * (1 - col.null_frac))
    if idx.predicate:
        notes.append("partial index: the model counts every row of the table")
    type_ = idx.key_type or (col.type if col else None)
    if type_ not in sizing.TYPES:
        return None, f"key type {type_!r} unknown to the model"
    dims = idx.key_dims or (col.dims if col else None)
    nnz: int | None = None
    avg = col.avg_width if col else None
    if type_ == "sparsevec":
        if avg is None:
            return None, "sparsevec: non-zeros unknown (ANALYZE the table)"
        nnz = max(0, round((avg - 16) / 8))
        dims = dims or max(nnz, 1)
        notes.append(f"sparsevec: {nnz} non-zeros per row from pg_stats.avg_width")
    if dims is None and avg is not None:
        dims = {"vector": (avg - 8) // 4, "halfvec": (avg - 8) // 2, "bit": (avg - 8) * 8}[type_]
        notes.append("dims from pg_stats.avg_width (no typmod)")
    if not dims or dims < 1:
        return None, "dimensions unknown (no typmod, no statistics)"
    spec = sizing.IndexSpec(
        method=idx.method,
        type=type_,
        dims=int(dims),
        rows=max(0, int(rows)),
        m=idx.m or HNSW_DEFAULT_M,
        ef_construction=idx.ef_construction or HNSW_DEFAULT_EF_CONSTRUCTION,
        lists=idx.lists or IVFFLAT_DEFAULT_LISTS,
        nnz=nnz,
    )
    return spec, "; ".join(notes) or None


def _rows_to_exceed(
    spec: sizing.IndexSpec | None, size_bytes: int, est_now: int | None, target: int
) -> int | None:
    """Rows at which the index outgrows ``target``: the model's growth added to today's
    measured size (so bloat the model does not see counts). None if it already exceeds."""
    if spec is None or est_now is None or size_bytes > target:
        return None
    return sizing.rows_to_reach(spec, target - size_bytes + est_now)


def build_index_rows(
    inv: Inventory,
    memory: MemoryInfo,
    cached: dict[int, dict[int, int]] | None,
) -> tuple[list[IndexResidency], list[sizing.IndexSpec], int]:
    """Per-index rows of the report; ``cached`` = {index_oid: {usage_count: pages}} or None.
    Also returns the model specs (for the all-together growth) and their measured-minus-
    estimated offset."""
    total = sum(i.size_bytes for i in inv.indexes) or 1
    out: list[IndexResidency] = []
    specs: list[sizing.IndexSpec] = []
    offset = 0
    for idx in inv.indexes:
        spec, note = model_spec(inv, idx)
        est = sizing.estimate_size(spec).bytes if spec is not None else None
        if spec is not None and est is not None:
            specs.append(spec)
            offset += idx.size_bytes - est
        rel_pages = max(1, idx.size_bytes // memory.block_size)
        usage: dict[str, int] | None = None
        pages: int | None = None
        pct: float | None = None
        if cached is not None:
            by_count = cached.get(idx.index_oid, {})
            usage = {str(k): by_count.get(k, 0) for k in range(6)}
            pages = sum(by_count.values())
            pct = round(min(100.0, 100.0 * pages / rel_pages), 1)
        out.append(
            IndexResidency(
                schema=idx.schema,
                table=idx.table,
                name=idx.name,
                method=idx.method,
                key_type=idx.key_type,
                key_dims=spec.dims if spec else idx.key_dims,
                rows=spec.rows if spec else idx.table_rows_estimate,
                size_bytes=idx.size_bytes,
                estimated_bytes=est,
                drift_pct=round(100.0 * (idx.size_bytes - est) / est, 1) if est else None,
                share_pct=round(100.0 * idx.size_bytes / total, 1),
                resident_pages=pages,
                resident_pct=pct,
                usage_counts=usage,
                fits_shared_buffers=idx.size_bytes <= memory.shared_buffers_bytes,
                fits_cache=idx.size_bytes <= memory.effective_cache_size_bytes,
                fits_ram=idx.size_bytes <= memory.ram_bytes,
                rows_to_exceed_shared_buffers=_rows_to_exceed(
                    spec, idx.size_bytes, est, memory.shared_buffers_bytes
                ),
                rows_to_exceed_ram=_rows_to_exceed(spec, idx.size_bytes, est, memory.ram_bytes),
                idx_scan=idx.idx_scan,
                prewarm_sql=prewarm_sql(idx.schema, idx.name),
                model_note=note,
                index_oid=idx.index_oid,
            )
        )
    return out, specs, offset


def suggestions(
    indexes: list[IndexResidency],
    bc: BuffercacheStatus,
    *,
    prewarm_installed: bool,
    prewarm_available: bool,
    preload: str | None,
    memory: MemoryInfo | None = None,
) -> list[Suggestion]:
    out: list[Suggestion] = []
    if bc.create_sql:
        out.append(
            Suggestion(
                "Install pg_buffercache to measure how much of each index is in shared_buffers "
                "(pgvtui never installs it itself)",
                bc.create_sql,
            )
        )
    plan = prewarm_plan(indexes, memory or _memory_of(indexes)) if indexes else None
    if plan is not None and not plan.hot_fits:
        out.append(
            Suggestion(
                f"The hot set — {human_bytes(plan.hot_bytes)} in {plan.hot_indexes} ANN "
                f"index{'es' * (plan.hot_indexes != 1)} "
                + ("queries use" if plan.hot_by_scans else "(no scans counted yet: all of them)")
                + f" — does not fit the {human_bytes(plan.budget_bytes)} prewarm budget "
                f"({PREWARM_SHARE:.0%} of {plan.memory}): prewarming cannot keep it cached. "
                "Fix memory first — see the memory findings (index-exceeds-memory, "
                "index-mostly-cold in pgvtui check / Overview)"
            )
        )
    if plan is not None and plan.chosen:
        if not prewarm_installed and prewarm_available:
            out.append(
                Suggestion(
                    "pg_prewarm loads an index into shared_buffers after a restart or an eviction",
                    "CREATE EXTENSION pg_prewarm;",
                )
            )
        out.append(
            Suggestion(
                f"Prewarm within budget: {len(plan.chosen)} "
                f"index{'es' * (len(plan.chosen) != 1)}, {human_bytes(plan.total_bytes)} of the "
                f"{human_bytes(plan.budget_bytes)} budget ({PREWARM_SHARE:.0%} of {plan.memory}),"
                " most-used per MB first"
            )
        )
        for n, pick in enumerate(plan.chosen, start=1):
            out.append(Suggestion(f"{n}. Prewarm {pick.index} ({pick.reason})", pick.sql))
    if plan is not None:
        for pick in plan.left_out:
            out.append(Suggestion(f"Not prewarmed: {pick.index} — {pick.reason}"))
    libs = [s.strip() for s in (preload or "").split(",") if s.strip()]
    if indexes and "pg_prewarm" not in libs and (prewarm_installed or prewarm_available):
        why = "Autoprewarm reloads the buffers that were cached before a restart (needs a restart)"
        if plan is not None and not plan.hot_fits:
            why += "; with a hot set larger than the budget it restores only part of it"
        if preload is None:  # the role may not read it: never suggest overwriting what is there
            out.append(
                Suggestion(
                    f"{why}: add pg_prewarm to shared_preload_libraries, keeping "
                    "the libraries already listed (your role cannot read them)"
                )
            )
        else:
            new = ", ".join([*libs, "pg_prewarm"])
            out.append(Suggestion(why, f"ALTER SYSTEM SET shared_preload_libraries = '{new}';"))
    too_big = [i for i in indexes if not i.fits_shared_buffers]
    if too_big:
        names = ", ".join(i.qualified_name for i in too_big)
        out.append(
            Suggestion(
                f"{names} cannot be fully cached in shared_buffers; every k-NN query touches "
                "pages across the whole graph, so size memory by whole index bytes: raise "
                "shared_buffers, shrink the key (halfvec, binary quantization) or partition",
            )
        )
    return out


def _memory_of(indexes: list[IndexResidency]) -> MemoryInfo:
    """Without the server's numbers (tests): the largest index that fits marks shared_buffers."""
    fitting = [i.size_bytes for i in indexes if i.fits_shared_buffers]
    sb = int(max(fitting, default=0) / PREWARM_SHARE) + 1
    return MemoryInfo(sb, sb, sb, "unknown")


# --------------------------------------------------------------------------------------------
# Database side
# --------------------------------------------------------------------------------------------


def _memory(row: dict[str, Any], ram_bytes: int | None, host: str | None) -> MemoryInfo:
    sb = int(row["shared_buffers_bytes"])
    ecs = int(row["effective_cache_size_bytes"])
    if ram_bytes is not None:
        ram, source = ram_bytes, "option"
    else:
        local = local_ram_bytes() if is_local_host(host) else None
        ram, source = (local, "local") if local else (ecs, "unknown")
    return MemoryInfo(
        shared_buffers_bytes=sb,
        effective_cache_size_bytes=ecs,
        ram_bytes=ram,
        ram_source=source,
        block_size=int(row["block_size"]),
        nbuffers=int(row["nbuffers"] or 0),
    )


def _buffercache_status(
    row: dict[str, Any], memory: MemoryInfo, scan: bool | None
) -> BuffercacheStatus:
    version = row["buffercache_version"]
    cost = (
        f"one pass over all {memory.nbuffers:,} buffer headers (shared_buffers "
        f"{memory.shared_buffers_bytes // (1024 * 1024):,} MB); the backend materializes one "
        "row per buffer before grouping"
    )
    if version is None:
        if row["buffercache_available"] is None:
            return BuffercacheStatus(
                False,
                "pg_buffercache is not available on this server "
                "(PostgreSQL contrib modules not installed)",
            )
        if row["buffercache_creatable"]:
            return BuffercacheStatus(
                False,
                "pg_buffercache is not installed in this database; your role may install it",
                create_sql="CREATE EXTENSION pg_buffercache;",
            )
        return BuffercacheStatus(
            False,
            "pg_buffercache is not installed in this database and your role may not install "
            "it (ask a superuser: CREATE EXTENSION pg_buffercache;)",
        )
    if not row["buffercache_readable"]:
        return BuffercacheStatus(
            False,
            "no permission to read pg_buffercache (needs membership in pg_monitor: "
            "GRANT pg_monitor TO <role>;)",
            installed_version=version,
        )
    if memory.shared_buffers_bytes >= SCAN_LIMIT_BYTES and not scan:
        return BuffercacheStatus(
            False,
            f"shared_buffers is {memory.shared_buffers_bytes / GB:.0f} GB: the pg_buffercache "
            "scan was skipped",
            installed_version=version,
            scan_cost=cost,
            needs_confirmation=True,
        )
    return BuffercacheStatus(True, None, installed_version=version, scan_cost=cost)


async def _cached_pages(
    session: Session, schema: str, oids: list[int]
) -> dict[int, dict[int, int]]:
    out: dict[int, dict[int, int]] = {}
    if not oids:
        return out
    q = sqlfiles.query("residency_buffercache").format(
        buffercache=sql.Identifier(schema, "pg_buffercache")
    )
    for r in await session.fetch_dicts(q, {"oids": oids}):
        out.setdefault(int(r["index_oid"]), {})[int(r["usage_count"])] = int(r["pages"])
    return out


async def prewarm(
    session: Session, inv: Inventory, plan: PrewarmPlan, schema: str | None
) -> list[PrewarmResult]:
    """Load the plan's indexes, most valuable first, with ``pg_prewarm(…, 'buffer')``; the ones
    it left out are reported with why.

    Opt-in only. Runs in a separate session opened with ``SessionOptions(read_only=False)``
    (pgvtui's own session stays read-only) and closed right after."""
    if schema is None:
        return [
            PrewarmResult(i.qualified_name, None, "pg_prewarm is not installed")
            for i in inv.indexes
        ]
    by_name = {i.qualified_name: i for i in inv.indexes}
    q = sqlfiles.query("residency_prewarm").format(prewarm=sql.Identifier(schema, "pg_prewarm"))
    rw = await session.sibling(replace(session.options, read_only=False, require_vector=False))
    results: list[PrewarmResult] = []
    try:
        for pick in plan.chosen:
            idx = by_name[pick.index]
            if not idx.valid:
                results.append(PrewarmResult(idx.qualified_name, None, "index is not valid"))
                continue
            blocks = await rw.fetch_value(q, {"oid": idx.index_oid})
            results.append(PrewarmResult(idx.qualified_name, int(blocks or 0)))
    finally:
        await rw.close()
    results += [PrewarmResult(p.index, None, p.reason) for p in plan.left_out]
    return results


async def collect(
    session: Session,
    *,
    ram_bytes: int | None = None,
    scan_buffercache: bool | None = None,
    do_prewarm: bool = False,
    inv: Inventory | None = None,
) -> ResidencyReport:
    """The residency report for every ANN index the role can see."""
    start = session.statements
    inv = inv or await inventory(session)
    row = (await session.fetch_dicts("residency_memory"))[0]
    memory = _memory(row, ram_bytes, session.conn.info.host)
    prewarmed: list[PrewarmResult] = []
    bc = _buffercache_status(row, memory, scan_buffercache)
    oids = [i.index_oid for i in inv.indexes]
    cached: dict[int, dict[int, int]] | None = None
    if bc.available:
        cached = await _cached_pages(session, str(row["buffercache_schema"]), oids)
    # The models per index are CPU (seconds for thousands of indexes): in a thread, so an event
    # loop this runs on (the TUI's) keeps answering.
    rows, specs, offset = await asyncio.to_thread(build_index_rows, inv, memory, cached)
    if do_prewarm:
        plan = prewarm_plan(rows, memory)
        prewarmed = await prewarm(session, inv, plan, row["prewarm_schema"])
        if bc.available:  # residency after the prewarm
            cached = await _cached_pages(session, str(row["buffercache_schema"]), oids)
            rows, specs, offset = await asyncio.to_thread(build_index_rows, inv, memory, cached)
    total = sum(i.size_bytes for i in inv.indexes)
    est_total = sum(i.estimated_bytes or 0 for i in rows) if specs else None
    grow_sb = grow_ram = None
    if specs:
        grow_sb, grow_ram = await asyncio.to_thread(
            lambda: (
                sizing.growth_to_reach(specs, memory.shared_buffers_bytes, offset_bytes=offset),
                sizing.growth_to_reach(specs, memory.ram_bytes, offset_bytes=offset),
            )
        )
    sugg = suggestions(
        rows,
        bc,
        prewarm_installed=row["prewarm_version"] is not None,
        prewarm_available=row["prewarm_available"] is not None,
        preload=row["shared_preload_libraries"],
        memory=memory,
    )
    return ResidencyReport(
        memory=memory,
        indexes=tuple(rows),
        total_ann_bytes=total,
        total_estimated_bytes=est_total,
        growth_to_exceed_shared_buffers=None if grow_sb is None else round(grow_sb, 3),
        growth_to_exceed_ram=None if grow_ram is None else round(grow_ram, 3),
        buffercache=bc,
        suggestions=tuple(sugg),
        prewarmed=tuple(prewarmed),
        statements=session.statements - start,
        prewarm_plan=prewarm_plan(rows, memory) if rows else None,
        coverage=coverage(bc, [i.qualified_name for i in rows], row["shared_preload_libraries"]),
    )


def coverage(bc: BuffercacheStatus, indexes: list[str], preload: str | None) -> Coverage:
    """What this residency report could not measure, and why."""
    out: list[CoverageEntry] = []
    if not bc.available and bc.reason:
        out.append(
            CoverageEntry(
                "pg_buffercache",
                bc.reason,
                kind="privilege" if bc.installed_version else "extension",
                objects=tuple(indexes),
                affects=("measured residency", "index-mostly-cold", "prewarm ranking"),
                fix=bc.create_sql,
            )
        )
    if preload is None:
        out.append(
            CoverageEntry(
                "settings",
                "shared_preload_libraries not readable without pg_read_all_settings (pg_monitor)",
                affects=("autoprewarm advice",),
            )
        )
    return Coverage(tuple(out))
