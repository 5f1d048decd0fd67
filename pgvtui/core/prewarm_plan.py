"""The prewarm plan: which ANN indexes to load into shared_buffers, most valuable first, cut to
the memory they go into (docs/residency.md, "Within budget").

``pg_prewarm`` (buffer mode) loads into shared_buffers; indexes prewarmed past its size only evict
each other. :func:`prewarm_plan` ranks the indexes by value — scans per byte, then the least
resident, then the smallest — and keeps, in that order, those that fit what is left of the budget
(``PREWARM_SHARE`` of shared_buffers). It also measures the hot set (every index queries use) so
the residency report can say when it cannot fit at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from pgvtui.core.units import human_bytes

if TYPE_CHECKING:
    from pgvtui.core.residency import IndexResidency, MemoryInfo

PREWARM_SHARE = 0.75  # share of shared_buffers prewarm may fill: the rest stays for heap pages
ALREADY_RESIDENT_PCT = 90.0  # an index this resident gains nothing from a prewarm


@dataclass(frozen=True)
class PrewarmPick:
    index: str
    size_bytes: int
    idx_scan: int | None
    resident_pct: float | None
    sql: str
    reason: str  # for a pick: its value; for one left out: why


@dataclass(frozen=True)
class PrewarmPlan:
    """What to prewarm, most valuable first, cut to the budget of the memory it goes into."""

    memory: str  # the memory pg_prewarm (buffer mode) loads into: shared_buffers
    budget_bytes: int  # PREWARM_SHARE of it
    chosen: tuple[PrewarmPick, ...]
    left_out: tuple[PrewarmPick, ...]
    total_bytes: int  # of the chosen
    hot_bytes: int  # every ANN index queries use (idx_scan > 0; all when no scans are counted)
    hot_indexes: int
    hot_by_scans: bool = True  # False: no scan counted anywhere, so every index counts

    @property
    def hot_fits(self) -> bool:
        return self.hot_bytes <= self.budget_bytes


def _value(i: IndexResidency) -> str:
    scans = "scans unknown" if i.idx_scan is None else f"{i.idx_scan:,} scans"
    res = "residency not measured" if i.resident_pct is None else f"{i.resident_pct:.0f} % resident"
    return f"{scans}, {human_bytes(i.size_bytes)}, {res}"


def prewarm_plan(indexes: list[IndexResidency], memory: MemoryInfo) -> PrewarmPlan:
    """Rank the indexes by value — scans per byte (what queries use most, for the memory it
    takes), then the least resident, then the smallest — and keep, in that order, those that fit
    what is left of the budget (PREWARM_SHARE of shared_buffers). Indexes already
    ALREADY_RESIDENT_PCT resident are left out: a prewarm would gain nothing."""
    budget = int(memory.shared_buffers_bytes * PREWARM_SHARE)
    # with no scan counted anywhere (new server, reset statistics) nothing says which are hot
    used = any((i.idx_scan or 0) > 0 for i in indexes)
    hot = [i for i in indexes if not used or (i.idx_scan or 0) > 0]
    ranked = sorted(
        indexes,
        key=lambda i: (
            -((i.idx_scan or 0) / max(i.size_bytes, 1)),
            i.resident_pct if i.resident_pct is not None else 0.0,
            i.size_bytes,
            i.qualified_name,
        ),
    )
    chosen: list[PrewarmPick] = []
    left: list[PrewarmPick] = []
    room = budget
    for i in ranked:
        pick = PrewarmPick(i.qualified_name, i.size_bytes, i.idx_scan, i.resident_pct,
                           i.prewarm_sql, _value(i))  # fmt: skip
        if i.resident_pct is not None and i.resident_pct >= ALREADY_RESIDENT_PCT:
            left.append(replace(pick, reason=f"already {i.resident_pct:.0f} % resident"))
        elif i.size_bytes > budget:
            left.append(replace(pick, reason=f"larger than the budget ({human_bytes(budget)})"))
        elif i.size_bytes > room:
            left.append(
                replace(pick, reason=f"does not fit the {human_bytes(room)} left of the budget")
            )
        else:
            room -= i.size_bytes
            chosen.append(pick)
    return PrewarmPlan(
        memory="shared_buffers",
        budget_bytes=budget,
        chosen=tuple(chosen),
        left_out=tuple(left),
        total_bytes=budget - room,
        hot_bytes=sum(i.size_bytes for i in hot),
        hot_indexes=len(hot),
        hot_by_scans=used,
    )
