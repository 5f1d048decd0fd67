"""The recommendation policy: which measured setting is safe to recommend, and why not when none is.

A setting is **recommended** only when all of these hold (docs/recall.md, "Recommendation"):

1. mean recall@k ≥ the target (``--target``, default 0.95);
2. the worst queries stay acceptable: the ``FLOOR_PERCENTILE``-th percentile (p10) of per-query
   recall ≥ the floor (``--floor``, default ``DEFAULT_FLOOR`` = 0.8) — the minimum is reported
   beside it;
3. it is not below the baseline — the larger of the server's current value and pgvector's default
   (``hnsw.ef_search`` 40, ``ivfflat.probes`` 1) — unless ``--allow-lower``.

Among those, latency decides by **p95** first: every setting whose p95 is within
``P95_TOLERANCE`` of the lowest p95 counts as equally fast, and of those the smallest
ef_search / probes (then iterative scan off, then the lower p50) wins.

When no setting qualifies the recommendation says so (``met`` false, no SET to copy) and lists
what would help: higher ef_search / probes than tried, iterative scan when rows fall short,
a rebuild with larger m / ef_construction (HNSW) or other lists (IVFFlat).

:func:`explain_worst` describes the worst queries: their ids, their recall at the chosen setting
and the best recall any tried setting gave them, and what they have in common — how far their
nearest neighbour is compared with the typical query's (outliers), or whether no tried setting
reaches them at all (unreachable in the graph / in unprobed lists).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from pgvtui.core.models import IndexInfo
    from pgvtui.core.recall.sweep import SettingResult

FLOOR_PERCENTILE = 10
DEFAULT_FLOOR = 0.8
PGVECTOR_DEFAULTS = {"hnsw.ef_search": 40, "ivfflat.probes": 1}
MAX_KNOB = {"hnsw.ef_search": 1000}
P95_TOLERANCE = (0.10, 0.02)  # relative, absolute ms: p95s this close count as equal
OUTLIER_RATIO = 2.0  # nearest-neighbour distance this many times the median: an outlier
WORST_SHOWN = 10


def set_sql(settings: dict[str, int | str]) -> str:
    """The ``SET`` statements for a setting, for people to paste (values already validated)."""
    parts = []
    for name, value in settings.items():
        if name.endswith("iterative_scan") and value == "off":
            continue
        parts.append(f"SET {name} = {value};")
    return " ".join(parts)


def setting_label(settings: dict[str, int | str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in settings.items())


def knob_name(method: str) -> str:
    return "hnsw.ef_search" if method == "hnsw" else "ivfflat.probes"


def knob(r: SettingResult) -> int:
    v = r.settings.get("hnsw.ef_search", r.settings.get("ivfflat.probes", 0))
    return int(v)


def iterative(r: SettingResult) -> str:
    s = r.settings
    return str(s.get("hnsw.iterative_scan", s.get("ivfflat.iterative_scan", "off")))


def low_percentile(r: SettingResult) -> float:
    """The FLOOR_PERCENTILE-th percentile of per-query recall (the minimum when not kept)."""
    if not r.recalls:
        return r.recall_min
    values = np.asarray(r.recalls, dtype=np.float64)
    # "lower": an observed value, never interpolated upwards from the worst queries
    return float(np.percentile(values, FLOOR_PERCENTILE, method="lower"))


def zero_recall(r: SettingResult) -> int:
    return sum(1 for x in r.recalls if x == 0.0)


@dataclass(frozen=True)
class Baseline:
    """The setting a recommendation may not go below: max(server's current, pgvector default)."""

    name: str  # hnsw.ef_search | ivfflat.probes
    value: int
    current: int | None  # the server's value as this session sees it
    default: int

    @property
    def source(self) -> str:
        if self.current is not None and self.current > self.default:
            return f"the server's current {self.name}"
        return f"pgvector's default {self.name}"

    @staticmethod
    def of(method: str, settings: dict[str, str | None]) -> Baseline:
        name = knob_name(method)
        default = PGVECTOR_DEFAULTS[name]
        raw = settings.get(name)
        try:
            current = int(raw) if raw is not None else None
        except ValueError:
            current = None
        return Baseline(name, max(default, current or 0), current, default)


@dataclass(frozen=True)
class Recommendation:
    met: bool
    settings: dict[str, int | str] | None
    set_sql: str | None
    recall_mean: float | None
    latency_ms_p50: float | None
    latency_ms_p95: float | None
    message: str
    recall_p10: float | None = None  # FLOOR_PERCENTILE-th percentile of per-query recall
    recall_min: float | None = None
    zero_recall_queries: int = 0  # queries that found none of their true neighbours
    floor: float = DEFAULT_FLOOR
    floor_percentile: int = FLOOR_PERCENTILE
    baseline: dict[str, Any] | None = None  # {"name", "value", "current", "default", "source"}
    allow_lower: bool = False
    hints: tuple[str, ...] = ()  # what would reach the target when nothing did


@dataclass(frozen=True)
class WorstQuery:
    id: Any
    recall: float  # at the recommended (or best) setting
    best_recall: float  # the best any tried setting gave it
    best_setting: str | None  # the cheapest setting giving best_recall
    nn_distance: float | None  # distance to its nearest other vector (None for inner product)
    nn_ratio: float | None  # nn_distance / the median over all queries

    def to_json(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None or math.isnan(x) else round(x, 4)

        return {
            "id": self.id if isinstance(self.id, int | str) else str(self.id),
            "recall": r(self.recall),
            "best_recall": r(self.best_recall),
            "best_setting": self.best_setting,
            "nn_distance": r(self.nn_distance),
            "nn_ratio": r(self.nn_ratio),
        }


@dataclass(frozen=True)
class WorstQueries:
    setting: str  # the label of the setting they were measured at
    queries: tuple[WorstQuery, ...]
    zero: int  # queries with recall 0 at that setting
    explanation: str


def _qualifies(r: SettingResult, target: float, floor: float) -> bool:
    return r.recall_mean >= target and low_percentile(r) >= floor


def _fastest(candidates: Sequence[SettingResult]) -> SettingResult:
    rel, absolute = P95_TOLERANCE
    best_p95 = min(c.latency_ms_p95 for c in candidates)
    close = [c for c in candidates if c.latency_ms_p95 <= best_p95 * (1 + rel) + absolute]
    return min(close, key=lambda c: (knob(c), iterative(c) != "off", c.latency_ms_p50))


def _numbers(r: SettingResult, k: int, floor: float) -> str:
    text = (
        f"recall@{k} {r.recall_mean:.3f}, p{FLOOR_PERCENTILE} {low_percentile(r):.2f} "
        f"(floor {floor:g}), min {r.recall_min:.2f}"
    )
    zeros = zero_recall(r)
    if zeros:
        text += f" ({zeros} quer{'y' if zeros == 1 else 'ies'} at 0)"
    return text + f"; p50 {r.latency_ms_p50:.2f} ms, p95 {r.latency_ms_p95:.2f} ms"


def hints(
    results: Sequence[SettingResult], k: int, index: IndexInfo | None, method: str
) -> tuple[str, ...]:
    """What would reach the target when no tried setting did (most likely first)."""
    out: list[str] = []
    name = knob_name(method)
    tried = max(knob(r) for r in results)
    best = max(results, key=lambda r: (r.recall_mean, low_percentile(r)))
    short = best.rows_mean < k - 1e-9
    if short and iterative(best) == "off":
        out.append(
            f"rows fall short of k ({best.rows_mean:.1f} of {k}): the filter discards "
            f"candidates — try --iterative relaxed_order ({method}.iterative_scan)"
        )
    if method == "hnsw":
        if tried < MAX_KNOB[name]:
            nxt = min(MAX_KNOB[name], tried * 2)
            more = f"{nxt},{min(1000, nxt * 2)}"
            out.append(f"higher ef_search than tried (max {tried}): --ef-search {more}")
        m = (index.m if index else None) or 16
        efc = (index.ef_construction if index else None) or 64
        out.append(
            f"a better graph: REINDEX with larger m / ef_construction (now m={m}, "
            f"ef_construction={efc}), e.g. CREATE INDEX CONCURRENTLY … USING hnsw (…) "
            f"WITH (m = {min(100, m * 2)}, ef_construction = {max(2 * min(100, m * 2), efc * 2)})"
        )
    else:
        lists = index.lists if index else None
        if lists is None or tried < lists:
            out.append(f"more probes than tried (max {tried}): --probes {tried * 2},{tried * 4}")
        out.append(
            "a rebuild with lists ≈ rows / 1000 (≈ √rows above 1M rows) after the data is loaded"
        )
    return tuple(out)


def recommend(
    results: Sequence[SettingResult],
    target: float,
    k: int,
    *,
    floor: float = DEFAULT_FLOOR,
    baseline: Baseline | None = None,
    allow_lower: bool = False,
    index: IndexInfo | None = None,
) -> Recommendation | None:
    """The safe recommendation (module docstring), or why there is none."""
    if not results:
        return None
    method = "hnsw" if "hnsw.ef_search" in results[0].settings else "ivfflat"
    if baseline is None:
        baseline = Baseline.of(method, {})
    base_json = {
        "name": baseline.name,
        "value": baseline.value,
        "current": baseline.current,
        "default": baseline.default,
        "source": baseline.source,
    }
    common: dict[str, Any] = {
        "floor": floor,
        "baseline": base_json,
        "allow_lower": allow_lower,
    }
    eligible = [r for r in results if allow_lower or knob(r) >= baseline.value]
    meeting = [r for r in eligible if _qualifies(r, target, floor)]
    if meeting:
        best = _fastest(meeting)
        msg = _numbers(best, k, floor)
        if best.rows_mean < k - 1e-9:
            msg += f"; note it returns {best.rows_mean:.1f} rows on average, fewer than k={k}"
        lower = [r for r in results if knob(r) < baseline.value and _qualifies(r, target, floor)]
        if lower and not allow_lower:
            msg += (
                f"; lower {baseline.name} also met the target but stays at or above "
                f"{baseline.value} ({baseline.source}) — --allow-lower to consider it"
            )
        return Recommendation(
            met=True,
            settings=dict(best.settings),
            set_sql=set_sql(best.settings),
            recall_mean=best.recall_mean,
            latency_ms_p50=best.latency_ms_p50,
            latency_ms_p95=best.latency_ms_p95,
            message=msg,
            recall_p10=low_percentile(best),
            recall_min=best.recall_min,
            zero_recall_queries=zero_recall(best),
            **common,
        )
    pool = eligible or list(results)
    best = max(pool, key=lambda r: (r.recall_mean, low_percentile(r), -r.latency_ms_p50))
    why = []
    if not eligible:
        why.append(
            f"no tried setting is at or above {baseline.name} = {baseline.value} "
            f"({baseline.source}); keep it, or pass --allow-lower"
        )
    elif best.recall_mean < target:
        why.append(f"no tried setting reaches recall@{k} ≥ {target:g}")
    else:
        why.append(
            f"settings reaching recall@{k} ≥ {target:g} leave the worst queries below the floor "
            f"(p{FLOOR_PERCENTILE} < {floor:g})"
        )
    found = hints(results, k, index, method)
    msg = f"{why[0]}; the best was {best.label} — {_numbers(best, k, floor)}"
    return Recommendation(
        met=False,
        settings=dict(best.settings),
        set_sql=None,
        recall_mean=best.recall_mean,
        latency_ms_p50=best.latency_ms_p50,
        latency_ms_p95=best.latency_ms_p95,
        message=msg,
        recall_p10=low_percentile(best),
        recall_min=best.recall_min,
        zero_recall_queries=zero_recall(best),
        hints=found,
        **common,
    )


# -- the worst queries -------------------------------------------------------------------


def nearest_other(distances: Sequence[float]) -> float | None:
    """Distance to the nearest vector that is not the query itself (a sampled query is a row
    of the table: its own distance is 0)."""
    for d in distances:
        if d is not None and not math.isnan(d) and d > 1e-9:
            return float(d)
    return None


def explain_worst(
    results: Sequence[SettingResult],
    chosen: dict[str, int | str] | None,
    query_ids: Sequence[Any],
    truth_distances: Sequence[Sequence[float]],
    metric: str,
    method: str,
) -> WorstQueries | None:
    """The worst queries at the chosen setting and what they have in common."""
    by_label = {r.label: r for r in results}
    at = by_label.get(setting_label(chosen)) if chosen else None
    at = at or max(results, key=lambda r: r.recall_mean, default=None)
    if at is None or not at.recalls or len(at.recalls) > len(query_ids):
        return None
    n = len(at.recalls)
    order = sorted(range(n), key=lambda i: (at.recalls[i], i))
    worst_idx = [i for i in order[:WORST_SHOWN] if at.recalls[i] < 1.0]
    if not worst_idx:
        return WorstQueries(at.label, (), 0, "every query found all its true neighbours")
    nn: list[float | None] = [
        None if metric == "ip" else nearest_other(truth_distances[i]) for i in range(n)
    ]
    known = [d for d in nn if d is not None]
    median = statistics.median(known) if known else None
    ordered = sorted(results, key=lambda r: (knob(r), iterative(r) != "off"))
    out: list[WorstQuery] = []
    for i in worst_idx:
        per = [(r.recalls[i], r.label) for r in ordered if len(r.recalls) > i]
        best_recall = max(x for x, _ in per)
        best_setting = (
            next(label for x, label in per if x == best_recall) if best_recall > 0 else None
        )
        d = nn[i]
        ratio = d / median if d is not None and median else None
        out.append(WorstQuery(query_ids[i], at.recalls[i], best_recall, best_setting, d, ratio))
    zero = zero_recall(at)
    return WorstQueries(at.label, tuple(out), zero, _common(out, zero, median, method))


def _common(worst: Sequence[WorstQuery], zero: int, median: float | None, method: str) -> str:
    parts: list[str] = []
    n = len(worst)
    if zero:
        q = "query" if zero == 1 else "queries"
        parts.append(f"{zero} {q} found none of their true neighbours")
    far = [w for w in worst if w.nn_ratio is not None and w.nn_ratio >= OUTLIER_RATIO]
    if far:
        ratios = sorted(w.nn_ratio for w in far if w.nn_ratio is not None)
        parts.append(
            f"{len(far)} of the {n} worst are far from every other vector: nearest neighbour "
            f"{ratios[0]:.1f}–{ratios[-1]:.1f}× the typical distance ({median:.3g}) — outliers "
            "the index reaches poorly"
        )
    elif median is not None:
        parts.append(
            f"the {n} worst are not outliers (nearest neighbour near the typical distance)"
        )
    stuck = [w for w in worst if w.best_recall == 0.0]
    recovers = [w for w in worst if w.best_recall > w.recall]
    if stuck:
        where = (
            "the graph does not reach them (REINDEX with larger m / ef_construction, or "
            "iterative scan)"
            if method == "hnsw"
            else "their neighbours sit in lists no tried probes value reaches (more probes)"
        )
        parts.append(f"{len(stuck)} stay at 0 at every tried setting: {where}")
    if recovers:
        settings = sorted({w.best_setting for w in recovers if w.best_setting})
        parts.append(f"{len(recovers)} improve at higher settings ({'; '.join(settings[:3])})")
    return "; ".join(parts) if parts else "no pattern found"
