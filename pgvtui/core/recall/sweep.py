"""Recall and tuning: what an ANN index really returns, across ef_search / probes settings.

``run_recall(session, spec, progress, should_stop)`` does, all in read-only transactions:

1. Resolve the index (or the column's only ANN index) from the inventory; the metric comes from
   its operator class; the row identity is the single-column primary key or ``id_column``.
2. Query vectors: a deterministic sample of rows (``ORDER BY md5(id::text || seed)``), or vectors
   the caller loaded from a file (:func:`load_query_file`).
3. Ground truth, exact, for all queries in ONE pass: ``COPY (SELECT tableoid, ctid, col …) TO
   STDOUT (FORMAT BINARY)`` streamed chunk by chunk into numpy
   (:mod:`pgvtui.core.recall.exact_topk`),
   then the winners' positions resolved to ids — in the same REPEATABLE READ snapshot as the sample.
4. For every setting combination (``SET LOCAL hnsw.ef_search`` / ``ivfflat.probes`` / iterative
   scan), every query runs twice through the index: ``EXPLAIN (ANALYZE, BUFFERS, TIMING OFF,
   FORMAT JSON)`` gives the server execution time, rows and buffers; the plain query gives the ids
   and distances. By default the planner is steered to the ANN index (``enable_seqscan``,
   ``enable_bitmapscan`` and ``enable_sort`` off) and each result says how often the plan used it.
5. Per setting: recall@k mean/p10/min, rows returned (shortfall), latency p50/p95/p99, buffers;
   the recommendation follows :mod:`pgvtui.core.recall.policy` (target on the mean, a floor on
   the p10 of per-query recall, p95 latency, never below the current/default setting unless
   ``allow_lower``), and the worst queries are explained (``worst_queries``).

Stopping: ``should_stop()`` is checked between queries and chunks; a cancelled statement
(:meth:`Session.cancel`) while ``should_stop()`` is true also ends the run. Either way the report
comes back with ``complete=False`` and what was finished. asyncio cancellation propagates
(psycopg cancels the running statement; the transaction is rolled back).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from psycopg import sql

from pgvtui.core import sql as sqlfiles
from pgvtui.core.catalog import inventory
from pgvtui.core.models import VECTOR_TYPES, IndexInfo, Inventory, to_jsonable
from pgvtui.core.recall.exact_topk import F32
from pgvtui.core.recall.ground_truth import (
    GroundTruth,
    RecallError,
    Stopped,
    Target,
    bind_vector,
    ground_truth,
)
from pgvtui.core.recall.policy import (
    DEFAULT_FLOOR,
    Baseline,
    Recommendation,
    WorstQueries,
    explain_worst,
    low_percentile,
    recommend,
    setting_label,
)
from pgvtui.core.recall.where_check import validate_where
from pgvtui.core.session import Session, version_tuple
from pgvtui.errors import QueryCancelled, QueryFailed, UsageError

OPERATORS = {
    "l2": "<->",
    "ip": "<#>",
    "cosine": "<=>",
    "l1": "<+>",
    "hamming": "<~>",
    "jaccard": "<%>",
}
ITERATIVE_MODES = {
    "hnsw": ("off", "relaxed_order", "strict_order"),
    "ivfflat": ("off", "relaxed_order"),
}
DEFAULT_EF_SEARCH = (10, 20, 40, 80, 160, 320)
DEFAULT_PROBES = (1, 2, 4, 8, 16, 32)
MAX_EF_SEARCH = 1000
MAX_PROBES = 32768
MAX_K = 1000
MAX_QUERIES = 10_000
_DIST_RTOL = 1e-4  # a returned row within this of the k-th true distance counts as a hit (ties)


def _round(x: float, digits: int) -> float | None:
    return None if math.isnan(x) else round(x, digits)


# -- spec and report ---------------------------------------------------------------------


@dataclass(frozen=True)
class RecallSpec:
    """What to measure. ``index`` ("schema.name" or "name") or ``column``
    ("schema.table.column" or "table.column"); ``query_vectors`` (q, dims) replaces sampling."""

    index: str | None = None
    column: str | None = None
    k: int = 10
    queries: int = 100
    where: str | None = None
    ef_search: tuple[int, ...] = ()
    probes: tuple[int, ...] = ()
    iterative: tuple[str, ...] = ("off",)
    target: float = 0.95
    seed: int = 0
    id_column: str | None = None
    query_vectors: F32 | None = field(default=None, compare=False, repr=False)
    vectors_file: str | None = None  # .npy / .jsonl, loaded once the column is known
    force_index: bool = True  # steer the planner to the ANN index
    bypass_index: bool = False  # enable_indexscan = off: exact plans (overrides force_index)
    floor: float = DEFAULT_FLOOR  # p10 of per-query recall a recommendation must keep
    allow_lower: bool = False  # may recommend below the server's current / pgvector's default
    # --where: sample query vectors inside the filter (default: the whole table, as the
    # application's own vectors are not drawn from the filtered rows; docs/recall.md)
    sample_within_where: bool = False


@dataclass(frozen=True)
class SettingResult:
    settings: dict[str, int | str]
    queries: int
    recall_mean: float
    recall_min: float
    rows_mean: float
    latency_ms_p50: float
    latency_ms_p95: float
    latency_ms_p99: float
    shared_hit: float  # mean shared buffers hit per query
    shared_read: float  # mean shared buffers read per query
    index_used: float  # share of queries whose plan used the ANN index
    client_ms_p50: float  # round trip of the plain query as the client saw it
    recalls: tuple[float, ...] = field(default=(), repr=False)
    rows: tuple[int, ...] = field(default=(), repr=False)
    latencies_ms: tuple[float, ...] = field(default=(), repr=False)

    @property
    def label(self) -> str:
        return setting_label(self.settings)

    @property
    def recall_p10(self) -> float:
        """10th percentile of per-query recall (the minimum when per-query values are not kept)."""
        return low_percentile(self)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = to_jsonable(self)
        for key in ("recalls", "rows", "latencies_ms"):
            d.pop(key)
        d["recall_p10"] = self.recall_p10
        d["zero_recall_queries"] = sum(1 for x in self.recalls if x == 0.0)
        for key, value in d.items():
            if isinstance(value, float):
                d[key] = _round(value, 4)
        return d


@dataclass(frozen=True)
class RecallProgress:
    phase: str  # resolve | sample | ground_truth | ann | done
    done: int
    total: int
    message: str
    results: tuple[SettingResult, ...] = ()


@dataclass(frozen=True)
class RecallReport:
    index: str
    column: str
    method: str
    metric: str
    operator: str
    k: int
    target: float
    where: str | None
    query_source: str  # sample | file
    seed: int | None
    query_ids: tuple[Any, ...]
    results: tuple[SettingResult, ...]
    recommendation: Recommendation | None
    ground_truth_seconds: float | None
    ground_truth_rows: int | None
    complete: bool
    stopped_during: str | None = None
    warnings: tuple[str, ...] = ()
    worst: WorstQueries | None = None
    floor: float = DEFAULT_FLOOR
    latency_source: str = "server: EXPLAIN ANALYZE Execution Time (TIMING OFF), planning excluded"

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "column": self.column,
            "method": self.method,
            "metric": self.metric,
            "operator": self.operator,
            "k": self.k,
            "target": self.target,
            "floor": self.floor,
            "where": self.where,
            "query_source": self.query_source,
            "seed": self.seed,
            "queries": len(self.query_ids),
            "query_ids": [to_jsonable(i) for i in self.query_ids],
            "results": [r.to_json() for r in self.results],
            "recommendation": to_jsonable(self.recommendation),
            "worst_queries": [w.to_json() for w in self.worst.queries] if self.worst else [],
            "worst_queries_setting": self.worst.setting if self.worst else None,
            "worst_queries_explanation": self.worst.explanation if self.worst else None,
            "ground_truth_seconds": self.ground_truth_seconds,
            "ground_truth_rows": self.ground_truth_rows,
            "latency_source": self.latency_source,
            "complete": self.complete,
            "stopped_during": self.stopped_during,
            "warnings": list(self.warnings),
        }


# -- resolution --------------------------------------------------------------------------


def metric_of(opclass: str) -> str:
    """``halfvec_cosine_ops`` → ``cosine``; ``bit_hamming_ops`` → ``hamming``."""
    name = opclass.removesuffix("_ops")
    for metric in OPERATORS:
        if name.endswith("_" + metric):
            return metric
    raise RecallError(f"operator class {opclass} is not one of pgvector's")


def _split(name: str) -> list[str]:
    return [p.strip().strip('"') for p in name.split(".")]


def find_index(inv: Inventory, spec: RecallSpec) -> IndexInfo:
    if spec.index:
        parts = _split(spec.index)
        if len(parts) == 1:
            found = [i for i in inv.indexes if i.name == parts[0]]
        elif len(parts) == 2:
            found = [i for i in inv.indexes if (i.schema, i.name) == tuple(parts)]
        else:
            raise UsageError(f"--index {spec.index!r}: use NAME or SCHEMA.NAME")
        if not found:
            raise UsageError(f"no HNSW/IVFFlat index named {spec.index!r}")
        if len(found) > 1:
            names = ", ".join(i.qualified_name for i in found)
            raise UsageError(f"--index {spec.index!r} is ambiguous ({names}); add the schema")
        return found[0]
    if spec.column:
        parts = _split(spec.column)
        if len(parts) == 2:
            found = [i for i in inv.indexes if (i.table, i.key_column) == tuple(parts)]
        elif len(parts) == 3:
            found = [i for i in inv.indexes if (i.schema, i.table, i.key_column) == tuple(parts)]
        else:
            raise UsageError(f"--column {spec.column!r}: use SCHEMA.TABLE.COLUMN")
        if not found:
            raise UsageError(
                f"no HNSW/IVFFlat index on column {spec.column!r}; recall measures an ANN index"
            )
        if len(found) > 1:
            names = ", ".join(i.qualified_name for i in found)
            raise UsageError(
                f"{len(found)} ANN indexes on {spec.column} ({names}); pick one with --index"
            )
        return found[0]
    raise UsageError("give --index NAME or --column SCHEMA.TABLE.COLUMN")


def settings_grid(method: str, spec: RecallSpec, lists: int | None) -> list[dict[str, int | str]]:
    """Every combination to try, validated (ints in range, iterative modes of the method)."""
    modes = ITERATIVE_MODES[method]
    for mode in spec.iterative:
        if mode not in modes:
            raise UsageError(f"--iterative {mode!r}: {method} accepts {', '.join(modes)}")
    iterative = list(dict.fromkeys(spec.iterative)) or ["off"]
    if method == "hnsw":
        if spec.probes:
            raise UsageError("--probes is for IVFFlat indexes; this one is HNSW (use --ef-search)")
        flag, knob, limit = "--ef-search", "hnsw.ef_search", MAX_EF_SEARCH
        values = sorted(set(spec.ef_search or DEFAULT_EF_SEARCH))
    else:
        if spec.ef_search:
            raise UsageError("--ef-search is for HNSW indexes; this one is IVFFlat (use --probes)")
        flag, knob, limit = "--probes", "ivfflat.probes", MAX_PROBES
        cap = lists or MAX_PROBES
        values = sorted(set(spec.probes or [p for p in DEFAULT_PROBES if p <= cap] or [1]))
    for v in values:
        if not 1 <= v <= limit:
            raise UsageError(f"{flag} {v}: {knob} must be 1–{limit}")
    return [{knob: v, f"{method}.iterative_scan": mode} for mode in iterative for v in values]


def check_spec(spec: RecallSpec) -> None:
    if not 1 <= spec.k <= MAX_K:
        raise UsageError(f"--k must be 1–{MAX_K}")
    if _sampled(spec) and not 1 <= spec.queries <= MAX_QUERIES:
        raise UsageError(f"--queries must be 1–{MAX_QUERIES}")
    if not 0.0 < spec.target <= 1.0:
        raise UsageError("--target must be in (0, 1]")
    if not 0.0 <= spec.floor <= 1.0:
        raise UsageError("--floor must be in [0, 1]")


async def resolve(session: Session, spec: RecallSpec, inv: Inventory | None = None) -> Target:
    check_spec(spec)
    inv = inv or await inventory(session)
    idx = find_index(inv, spec)
    if not idx.valid:
        raise RecallError(f"{idx.qualified_name} is not valid (a failed or running build)")
    if idx.key_column is not None:
        col = inv.column(idx.schema, idx.table, idx.key_column)
        if col is None:
            raise RecallError(f"column {idx.table}.{idx.key_column} not found in the inventory")
        if col.dims is None:
            raise RecallError(f"{col.qualified_name} has no fixed dimensions")
        key, key_is_expression, vtype, dims = col.column, False, col.type, col.dims
    else:
        # An expression index, e.g. ((embedding::halfvec(768))): queries order by the same
        # expression and the ground truth is exact over it (what the index approximates).
        if not idx.key_expression or idx.key_type is None:
            raise RecallError(f"{idx.qualified_name}: its key expression is not known")
        if idx.key_dims is None:
            raise RecallError(
                f"{idx.qualified_name} indexes {idx.key_expression}, which has no fixed dimensions"
            )
        key, key_is_expression = idx.key_expression, True
        vtype, dims = idx.key_type, idx.key_dims
    metric = metric_of(idx.opclass)
    if idx.operator and idx.operator != OPERATORS[metric]:
        raise RecallError(f"{idx.opclass} serves {idx.operator}, expected {OPERATORS[metric]}")
    if vtype not in VECTOR_TYPES:
        raise RecallError(f"unsupported column type {vtype}")
    iterative_on = any(mode != "off" for mode in spec.iterative)
    if iterative_on and version_tuple(session.basics.pgvector_version) < (0, 8, 0):
        raise UsageError(
            f"iterative index scans need pgvector 0.8.0; this database has "
            f"{session.basics.pgvector_version}"
        )
    rows = await session.fetch_dicts(
        "recall_identity", {"table_oid": idx.table_oid, "id_column": spec.id_column}
    )
    ident = rows[0]
    if spec.id_column:
        if not ident["id_exists"]:
            raise UsageError(f"--id-column {spec.id_column!r}: no such column in {idx.table}")
        id_column, id_unique = spec.id_column, bool(ident["id_unique"])
    else:
        pk = list(ident["pk_columns"] or [])
        if len(pk) != 1:
            what = "has no primary key" if not pk else f"has a {len(pk)}-column primary key"
            raise UsageError(
                f"{idx.qualified_table} {what}; recall needs a row identity: "
                "give --id-column COL (a unique column)"
            )
        id_column, id_unique = pk[0], True
    where = validate_where(spec.where) if spec.where else None
    target = Target(
        index=idx,
        key=key,
        key_is_expression=key_is_expression,
        metric=metric,
        vtype=vtype,
        dims=dims,
        id_column=id_column,
        id_unique=id_unique,
        where=where,
    )
    if where:
        await check_where(session, target)
    return target


async def check_where(session: Session, target: Target) -> None:
    """The server parses and plans ``SELECT 1 FROM t WHERE (pred)`` (never runs it)."""
    q = sqlfiles.query("recall_where_check").format(
        table=target.table_ident, where=target.where_sql()
    )
    try:
        async with session.read_only() as cur:
            await cur.execute(q, {})  # params: see Target.where_sql
    except QueryFailed as exc:
        raise UsageError(
            f"--where is not a valid condition on {target.index.table}: {exc.message}"
        ) from None


# -- ANN runs ----------------------------------------------------------------------------


def _walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = [node]
    for child in node.get("Plans", []) or []:
        out.extend(_walk(child))
    return out


def plan_numbers(doc: Any, index_name: str) -> tuple[float, int, int, int, bool]:
    """EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) → (execution ms, rows, shared hit, shared read,
    whether a scan of ``index_name`` is in the plan)."""
    root = doc[0] if isinstance(doc, list) else doc
    plan = root["Plan"]
    used = any(
        n.get("Index Name") == index_name and "Index" in str(n.get("Node Type", ""))
        for n in _walk(plan)
    )
    return (
        float(root.get("Execution Time", 0.0)),
        round(float(plan.get("Actual Rows", 0))),
        int(plan.get("Shared Hit Blocks", 0)),
        int(plan.get("Shared Read Blocks", 0)),
        used,
    )


def query_recall(
    ann_ids: Sequence[Any],
    ann_dists: Sequence[float],
    gt_ids: Sequence[Any],
    gt_dists: Sequence[float],
) -> float:
    """recall@k of one query: returned rows that are true neighbours, or tie with the k-th true
    distance (within 1e-4 relative), over the number of true neighbours (≤ k)."""
    if not gt_ids:
        return 1.0
    truth = set(gt_ids)
    kth = gt_dists[-1]
    tol = _DIST_RTOL * max(1.0, abs(kth))
    hits = 0
    for rid, d in zip(ann_ids, ann_dists, strict=True):
        if rid in truth or (d is not None and not math.isnan(d) and d <= kth + tol):
            hits += 1
    return min(hits, len(gt_ids)) / len(gt_ids)


def _set_statements(
    settings: dict[str, int | str], spec: RecallSpec, iterative_exists: bool = True
) -> list[sql.Composed]:
    """``SET LOCAL`` for the setting (GUC names as identifiers, values validated ints/enums)
    and the planner steering. Before pgvector 0.8.0 ``*.iterative_scan`` does not exist (and
    the prefix is reserved, so setting it fails): "off" is then simply the behaviour."""
    planner: dict[str, str] = {}
    if spec.bypass_index:
        planner = {"enable_indexscan": "off", "enable_indexonlyscan": "off"}
    elif spec.force_index:
        planner = {"enable_seqscan": "off", "enable_bitmapscan": "off", "enable_sort": "off"}
    return [
        sql.SQL("SET LOCAL {} = {}").format(sql.Identifier(*name.split(".")), sql.Literal(value))
        for name, value in {**settings, **planner}.items()
        if iterative_exists or not name.endswith(".iterative_scan")
    ]


def percentile(values: Sequence[float], p: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), p)) if values else math.nan


def summarise(
    settings: dict[str, int | str],
    recalls: Sequence[float],
    rows: Sequence[int],
    latencies: Sequence[float],
    hits: Sequence[int],
    reads: Sequence[int],
    used: Sequence[bool],
    client_ms: Sequence[float],
) -> SettingResult:
    return SettingResult(
        settings=dict(settings),
        queries=len(recalls),
        recall_mean=float(np.mean(recalls)),
        recall_min=float(np.min(recalls)),
        rows_mean=float(np.mean(rows)),
        latency_ms_p50=percentile(latencies, 50),
        latency_ms_p95=percentile(latencies, 95),
        latency_ms_p99=percentile(latencies, 99),
        shared_hit=float(np.mean(hits)),
        shared_read=float(np.mean(reads)),
        index_used=float(np.mean(used)),
        client_ms_p50=percentile(client_ms, 50),
        recalls=tuple(recalls),
        rows=tuple(rows),
        latencies_ms=tuple(latencies),
    )


# -- the run -----------------------------------------------------------------------------


async def run_recall(
    session: Session,
    spec: RecallSpec,
    progress: Callable[[RecallProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    *,
    inv: Inventory | None = None,
) -> RecallReport:
    """Measure recall of an ANN index; see the module docstring."""
    stop = should_stop or (lambda: False)
    report_progress = progress or (lambda _p: None)
    report_progress(RecallProgress("resolve", 0, 1, "resolving the index"))
    check_spec(spec)
    inv = inv or await inventory(session)
    target = await resolve(session, spec, inv)
    idx = target.index
    grid = settings_grid(idx.method, spec, idx.lists)
    warnings: list[str] = []
    if not target.id_unique:
        warnings.append(
            f"{target.id_column} has no unique index: duplicate ids would make recall ambiguous"
        )
    if idx.predicate:
        warnings.append(f"partial index: queries and ground truth are limited to {idx.predicate}")
    base = RecallReport(
        index=idx.qualified_name,
        column=(
            f"{idx.schema}.{idx.table} {target.key}"
            if target.key_is_expression
            else f"{idx.schema}.{idx.table}.{target.key}"
        ),
        method=idx.method,
        metric=target.metric,
        operator=OPERATORS[target.metric],
        k=spec.k,
        target=spec.target,
        floor=spec.floor,
        where=target.where,
        query_source=_query_source(spec),
        seed=spec.seed if _sampled(spec) else None,
        query_ids=(),
        results=(),
        recommendation=None,
        ground_truth_seconds=None,
        ground_truth_rows=None,
        complete=False,
        warnings=tuple(warnings),
    )

    # Ground truth (and the sample) in one REPEATABLE READ snapshot.
    estimate = int(
        await session.fetch_value("recall_rows_estimate", {"table_oid": idx.table_oid}) or 0
    )
    try:
        gt, query_ids, queries = await _spec_ground_truth(
            session, target, spec, estimate, report_progress, stop
        )
    except Stopped:
        return replace(base, stopped_during="ground_truth")
    except QueryCancelled:
        if stop():
            return replace(base, stopped_during="ground_truth")
        raise
    base = replace(
        base,
        query_ids=tuple(query_ids),
        ground_truth_seconds=gt.seconds,
        ground_truth_rows=gt.rows,
    )
    if gt.rows < spec.k:
        base = replace(
            base,
            warnings=(*base.warnings, f"only {gt.rows} rows match: fewer than k={spec.k}"),
        )

    ann_q = sqlfiles.query("recall_ann").format(
        id=sql.Identifier(target.id_column),
        col=target.key_sql(),
        op=sql.SQL("{}.{}").format(
            sql.Identifier(session.basics.vector_schema or "public"),
            sql.SQL(OPERATORS[target.metric].replace("%", "%%")),  # <%> vs placeholders
        ),
        table=target.table_ident,
        where=target.where_sql(),
    )
    explain_q = sqlfiles.query("recall_explain").format(query=ann_q)
    binds = [bind_vector(target.vtype, v) for v in queries]
    results: list[SettingResult] = []
    total = len(grid) * len(binds)
    stopped_during: str | None = None
    for n_setting, settings in enumerate(grid):
        log = _QueryLog()

        def on_query(qi: int, setting: dict[str, int | str] = settings, n: int = n_setting) -> None:
            if qi % 5 == 4 or qi == len(binds) - 1:
                done = n * len(binds) + qi + 1
                label = setting_label(setting)
                report_progress(RecallProgress("ann", done, total, label, tuple(results)))

        try:
            await _run_setting(session, spec, settings, (ann_q, explain_q), binds, gt, idx.name,
                               log, on_query, stop)  # fmt: skip
        except Stopped:
            stopped_during = "ann"
        except QueryCancelled:
            if not stop():
                raise
            stopped_during = "ann"
        if log.recalls:
            results.append(log.summary(settings))
        if stopped_during:
            break
    partial_warnings = list(base.warnings)
    if any(r.index_used < 1.0 for r in results) and not spec.bypass_index:
        partial_warnings.append(
            f"some plans did not use {idx.name}: those queries show the planner's choice, "
            "not the index"
        )
    if stopped_during and results and results[-1].queries < len(binds):
        partial_warnings.append(
            f"{results[-1].label} stopped after {results[-1].queries} of {len(binds)} queries"
        )
    rec = recommend(
        results,
        spec.target,
        spec.k,
        floor=spec.floor,
        baseline=Baseline.of(idx.method, inv.settings),
        allow_lower=spec.allow_lower,
        index=idx,
    )
    worst = explain_worst(
        results, rec.settings if rec else None, query_ids, gt.distances, target.metric, idx.method
    )
    report = replace(
        base,
        results=tuple(results),
        recommendation=rec,
        worst=worst,
        complete=stopped_during is None,
        stopped_during=stopped_during,
        warnings=tuple(partial_warnings),
    )
    report_progress(RecallProgress("done", total, total, "done", tuple(results)))
    return report


@dataclass
class _QueryLog:
    """Per-query measurements of one setting."""

    recalls: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    latency: list[float] = field(default_factory=list)
    hit: list[int] = field(default_factory=list)
    read: list[int] = field(default_factory=list)
    used: list[bool] = field(default_factory=list)
    client: list[float] = field(default_factory=list)

    def summary(self, settings: dict[str, int | str]) -> SettingResult:
        return summarise(settings, self.recalls, self.rows, self.latency, self.hit, self.read,
                         self.used, self.client)  # fmt: skip


async def _run_setting(
    session: Session,
    spec: RecallSpec,
    settings: dict[str, int | str],
    queries: tuple[sql.Composed, sql.Composed],
    binds: Sequence[Any],
    gt: GroundTruth,
    index_name: str,
    log: _QueryLog,
    on_query: Callable[[int], None],
    stop: Callable[[], bool],
) -> None:
    """Every query under one setting, in one read-only transaction with ``SET LOCAL``: first
    EXPLAIN ANALYZE (server time, buffers, plan), then the plain query (ids, distances)."""
    ann_q, explain_q = queries
    async with session.read_only() as cur:
        iterative_exists = version_tuple(session.basics.pgvector_version) >= (0, 8, 0)
        for stmt in _set_statements(settings, spec, iterative_exists):
            await cur.execute(stmt)
        for qi, qv in enumerate(binds):
            if stop():
                raise Stopped("ann")
            params = {"q": qv, "k": spec.k}
            await cur.execute(explain_q, params)
            row = await cur.fetchone()
            assert row is not None
            ms, _rows, hit, read, used = plan_numbers(row[0], index_name)
            t0 = time.perf_counter()
            await cur.execute(ann_q, params)
            got = await cur.fetchall()
            log.client.append((time.perf_counter() - t0) * 1000)
            dists = [float(r[1]) if r[1] is not None else math.nan for r in got]
            log.recalls.append(
                query_recall([r[0] for r in got], dists, gt.ids[qi], gt.distances[qi])
            )
            log.rows.append(len(got))
            log.latency.append(ms)
            log.hit.append(hit)
            log.read.append(read)
            log.used.append(used)
            on_query(qi)


def _query_source(spec: RecallSpec) -> str:
    """``file``; ``sample`` (the whole table); ``sample-within-where`` (inside --where)."""
    if not _sampled(spec):
        return "file"
    return "sample-within-where" if spec.where and spec.sample_within_where else "sample"


def _sampled(spec: RecallSpec) -> bool:
    return spec.query_vectors is None and spec.vectors_file is None


async def _spec_ground_truth(
    session: Session,
    target: Target,
    spec: RecallSpec,
    estimate: int = 0,
    report_progress: Callable[[RecallProgress], None] = lambda _p: None,
    stop: Callable[[], bool] = lambda: False,
) -> tuple[GroundTruth, list[Any], F32]:
    messages = {"sample": "sampling query vectors", "ground_truth": "exact search (one pass)"}

    def on_progress(phase: str, done: int, total: int) -> None:
        report_progress(RecallProgress(phase, done, total, messages.get(phase, phase)))

    return await ground_truth(
        session,
        target,
        k=spec.k,
        sample=spec.queries,
        seed=spec.seed,
        query_vectors=spec.query_vectors,
        vectors_file=spec.vectors_file,
        estimate=estimate,
        on_progress=on_progress,
        stop=stop,
        sample_within_where=spec.sample_within_where,
    )


async def exact_ground_truth(
    session: Session, spec: RecallSpec
) -> tuple[Target, GroundTruth, list[Any]]:
    """Only the ground truth (for tests and the benchmark)."""
    target = await resolve(session, spec)
    gt, ids, _q = await _spec_ground_truth(session, target, spec)
    return target, gt, ids
