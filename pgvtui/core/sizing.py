"""Index size, build memory and what-if model for pgvector indexes (pure; no database).

The page layout is pgvector 0.8's (see ``/work/shared/reference/pgvector-facts.md`` §3 and
docs/residency.md):

HNSW
    Block 0 is the meta page; every other page has 8,160 usable bytes. Each element is an element
    tuple ``E = MAXALIGN(72 + V)`` followed by its neighbor tuple ``N_L = MAXALIGN(4 + 6·(L+2)·m)``
    (``L`` = the element's level), packed next-fit, each tuple with a 4-byte line pointer. An
    element whose ``E + N_L + 4 > 8156`` cannot share a page with its neighbor tuple: the neighbor
    tuple opens the next page (and the element itself may need a fresh page first). Levels follow
    ``P(level >= L) = m^-L``. Expected elements per page come from a small convolution over page
    fill (4-byte units) — a renewal over "page starts" (fresh, or a page opened by a split
    element's neighbor tuple) — and ``pages = 1 + ceil(N / E[K])``.

IVFFlat
    Meta page, ``ceil(lists / k_L)`` pages of list centers, then every list starts its own chain
    of entry pages with ``k_E`` entries each. List sizes are modelled as Poisson around
    ``N / lists`` and the expected ``max(1, ceil(n / k_E))`` is summed over lists.

Build memory
    HNSW keeps the graph in ``maintenance_work_mem`` (parallel builds: ``maintenance_work_mem``
    minus 3 MB of shared memory) at a fixed number of bytes per element; past that row count the
    build spills to disk. IVFFlat's k-means needs a fixed amount for its sample and distance
    arrays; above ``maintenance_work_mem`` CREATE INDEX fails with an ERROR.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from pgvtui.core.models import (
    HNSW_DEFAULT_EF_CONSTRUCTION,
    HNSW_DEFAULT_M,
    IVFFLAT_DEFAULT_LISTS,
    VECTOR_TYPES,
)

BLOCK_SIZE = 8192
PAGE_USABLE = 8192 - 24 - 8  # page header and pgvector's special space
ITEM_ID = 4
HNSW_MAX_COMBINED = PAGE_USABLE - ITEM_ID  # 8156: E + N_L + 4 above this → split
PARALLEL_RESERVED = 3 * 1024 * 1024  # parallel HNSW builds keep 3 MB of mwm for themselves
# PostgreSQL plans no parallel workers for CREATE INDEX on a heap (main fork) smaller than
# min_parallel_table_scan_size (default 8 MB). Vectors over ~2 kB are TOASTed, so their heap
# can stay under it while the table is large.
MIN_PARALLEL_TABLE_BYTES = 8 * 1024 * 1024

TYPES = VECTOR_TYPES
METHODS = ("hnsw", "ivfflat")
# Max dimensions an index accepts, per type (facts §1); sparsevec is limited by non-zeros.
MAX_INDEX_DIMS = {"vector": 2000, "halfvec": 4000, "bit": 64000}
SPARSEVEC_MAX_INDEX_NNZ = 1000
SPARSEVEC_MAX_DIMS = 1_000_000_000
IVFFLAT_TYPES = ("vector", "halfvec", "bit")
M_RANGE = (2, 100)
EF_CONSTRUCTION_RANGE = (4, 1000)
LISTS_RANGE = (1, 32768)


class SizingError(ValueError):
    """Inputs the model (or pgvector) does not accept."""


def maxalign(n: int) -> int:
    return (n + 7) & ~7


def value_size(type_: str, dims: int, nnz: int | None = None) -> int:
    """Stored size V of one value in bytes (varlena header included), facts §1."""
    if type_ == "vector":
        return 8 + 4 * dims
    if type_ == "halfvec":
        return 8 + 2 * dims
    if type_ == "bit":
        return 8 + (dims + 7) // 8
    if type_ == "sparsevec":
        if nnz is None:
            raise SizingError("sparsevec needs the number of non-zeros (nnz)")
        return 16 + 8 * nnz
    raise SizingError(f"unknown vector type {type_!r}")


_SIZE_UNITS = {"tb": 1024**4, "gb": 1024**3, "mb": 1024**2, "kb": 1024, "b": 1}


def size_value(text: str) -> float | None:
    """'128MB', '4 GB', '8kB', '65536' (unitless: bytes) → bytes as a float (PostgreSQL's
    1024-based units, case-insensitive); None when the number does not parse. Not checked for
    sign or finiteness: callers decide."""
    t = text.strip().replace(" ", "").lower()
    unit = next((u for u in _SIZE_UNITS if t.endswith(u)), "")
    num, factor = (t[: -len(unit)], _SIZE_UNITS[unit]) if unit else (t, 1)
    try:
        return float(num) * factor
    except ValueError:
        return None


def parse_pg_size(text: str | None) -> int | None:
    """A PostgreSQL size setting as shown by ``current_setting`` ('128MB', '4GB', '8kB',
    '65536' — unitless values are taken as bytes) → bytes; None when absent or unparsable."""
    value = None if text is None else size_value(text)
    return None if value is None else int(value)


# --------------------------------------------------------------------------------------------
# Specifications and results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexSpec:
    """What is indexed: method, key type and size, options, row count."""

    method: str  # hnsw | ivfflat
    type: str  # vector | halfvec | bit | sparsevec
    dims: int
    rows: int
    m: int = HNSW_DEFAULT_M
    ef_construction: int = HNSW_DEFAULT_EF_CONSTRUCTION
    lists: int = IVFFLAT_DEFAULT_LISTS
    nnz: int | None = None  # sparsevec: average non-zeros per row

    @property
    def value_bytes(self) -> int:
        return value_size(self.type, self.dims, self.nnz)


@dataclass(frozen=True)
class HnswLayout:
    """Per-element tuple sizes and the expected packing for one (V, m)."""

    element_bytes: int
    neighbor_bytes: tuple[int, ...]  # by level 0, 1, 2, …
    level_probs: tuple[float, ...]
    split_levels: tuple[int, ...]  # levels whose neighbor tuple cannot share the element's page
    elements_per_page: float  # E[K]


@dataclass(frozen=True)
class IvfflatLayout:
    list_tuple_bytes: int
    entry_bytes: int
    lists_per_page: int
    entries_per_page: int


@dataclass(frozen=True)
class SizeEstimate:
    spec: IndexSpec
    pages: int
    bytes: int
    bytes_per_row: float
    hnsw: HnswLayout | None = None
    ivfflat: IvfflatLayout | None = None


@dataclass(frozen=True)
class BuildMemory:
    """Memory one CREATE INDEX / REINDEX needs against maintenance_work_mem."""

    method: str
    parallel: bool
    maintenance_work_mem_bytes: int
    available_bytes: int  # what the build may use (parallel HNSW: mwm − 3 MB)
    required_bytes: int  # HNSW: graph for all rows; IVFFlat: k-means arrays
    fits: bool
    bytes_per_element: float | None = None  # HNSW
    spill_after_rows: int | None = None  # HNSW: graph stops fitting after this many rows
    kmeans_samples: int | None = None  # IVFFlat
    max_lists: int | None = None  # IVFFlat: most lists this mwm allows (beyond → ERROR)
    consequence: str = ""  # what happens when it does not fit


# --------------------------------------------------------------------------------------------
# HNSW
# --------------------------------------------------------------------------------------------


def hnsw_element_bytes(value_bytes: int) -> int:
    return maxalign(72 + value_bytes)


def hnsw_neighbor_bytes(level: int, m: int) -> int:
    return maxalign(4 + 6 * (level + 2) * m)


def _level_probs(m: int, tol: float = 1e-12) -> tuple[float, ...]:
    """p_L = m^-L − m^-(L+1); the last level keeps the remaining tail."""
    probs: list[float] = []
    level = 0
    while True:
        tail = float(m) ** -(level + 1)
        p = float(m) ** -level - tail
        if tail < tol or level >= 30:
            probs.append(float(m) ** -level)
            break
        probs.append(p)
        level += 1
    return tuple(probs)


@lru_cache(maxsize=256)
def hnsw_layout(value_bytes: int, m: int) -> HnswLayout:
    """Expected elements per page for elements of stored value size V at this m."""
    e = hnsw_element_bytes(value_bytes)
    probs = _level_probs(m)
    nbytes = tuple(hnsw_neighbor_bytes(level, m) for level in range(len(probs)))
    cap = PAGE_USABLE // 4  # page fill in 4-byte units (every size is a multiple of 4)
    e4 = (e + ITEM_ID) // 4
    sizes = [(e + n + 2 * ITEM_ID) // 4 for n in nbytes]
    split = tuple(lv for lv, n in enumerate(nbytes) if e + n + ITEM_ID > HNSW_MAX_COMBINED)
    whole = tuple(lv for lv in range(len(probs)) if lv not in split)
    # Page-start types: a page opened by an element of a non-split level L (which did not fit
    # the previous page), or a page opened by the neighbor tuple of a split element of level L.
    # The fill at a page start is fixed by its type, so this chain over types is exact.
    starts: list[tuple[int, float]] = [(sizes[lv], 1.0) for lv in whole]
    starts += [((nbytes[lv] + ITEM_ID) // 4, 0.0) for lv in split]
    type_of_whole = {lv: i for i, lv in enumerate(whole)}
    type_of_split = {lv: len(whole) + i for i, lv in enumerate(split)}
    n_types = len(starts)
    trans = np.zeros((n_types, n_types))
    elements = np.zeros(n_types)
    pages = np.ones(n_types)
    for t, (f0, first) in enumerate(starts):
        dist = np.zeros(cap + 1)
        dist[f0] = 1.0
        placed = first
        while True:
            mass = float(dist.sum())
            if mass < 1e-13:
                break
            new = np.zeros(cap + 1)
            for lv, p in enumerate(probs):
                if lv in type_of_split:
                    fit = float(dist[: cap - e4 + 1].sum()) if cap - e4 >= 0 else 0.0
                    nofit = mass - fit
                    placed += p * fit  # element here; its neighbor tuple opens the next page
                    trans[t, type_of_split[lv]] += p * mass
                    # no room for the element: it gets a page of its own, then the neighbor page
                    elements[t] += p * nofit
                    pages[t] += p * nofit
                else:
                    s = sizes[lv]
                    keep = cap - s + 1  # fills u with u + s <= cap
                    new[s : s + keep] += p * dist[:keep]
                    trans[t, type_of_whole[lv]] += p * float(dist[keep:].sum())
            placed += float(new.sum())
            dist = new
        elements[t] += placed
    # Stationary distribution over page-start types (a tiny Markov chain).
    pi: np.ndarray[Any, Any]
    if n_types == 1:
        pi = np.ones(1)
    else:
        a = trans.T - np.eye(n_types)
        a[-1, :] = 1.0
        b = np.zeros(n_types)
        b[-1] = 1.0
        pi = np.linalg.solve(a, b)
    per_page = float(pi @ elements) / float(pi @ pages)
    return HnswLayout(
        element_bytes=e,
        neighbor_bytes=nbytes,
        level_probs=probs,
        split_levels=split,
        elements_per_page=per_page,
    )


def _hnsw_pages(rows: int, layout: HnswLayout) -> int:
    if rows <= 0:
        return 1
    return 1 + max(1, math.ceil(rows / layout.elements_per_page - 1e-9))


# --------------------------------------------------------------------------------------------
# IVFFlat
# --------------------------------------------------------------------------------------------


def ivfflat_layout(value_bytes: int) -> IvfflatLayout:
    list_tuple = maxalign(8 + value_bytes)
    # Entries are index tuples; a value of at most 130 bytes gets a 1-byte varlena header.
    v = value_bytes - 3 if value_bytes <= 130 else value_bytes
    entry = maxalign(8 + v)
    return IvfflatLayout(
        list_tuple_bytes=list_tuple,
        entry_bytes=entry,
        lists_per_page=max(1, PAGE_USABLE // (list_tuple + ITEM_ID)),
        entries_per_page=max(1, PAGE_USABLE // (entry + ITEM_ID)),
    )


def _expected_list_pages(mean: float, per_page: int) -> float:
    """E[max(1, ceil(n / k))] for a list size n ~ Poisson(mean) (normal approximation)."""
    if mean <= 0:
        return 1.0
    sigma = math.sqrt(mean)
    if 16 * sigma / per_page > 200:
        # spread over many pages: the fractional part of n / k is uniform
        return max(1.0, mean / per_page + (per_page - 1) / (2 * per_page))
    lo = mean - 8 * sigma
    hi = mean + 8 * sigma
    # ceil(n/k) = Σ_{j>=0} P(n > j·k); the j = 0 term is replaced by 1 (empty lists keep a page).
    total = 1.0
    j_lo = max(1, math.floor(lo / per_page))  # P(n > j·k) ≈ 1 below this
    j_hi = max(j_lo, math.ceil(hi / per_page) + 1)
    total += max(0, j_lo - 1)
    for j in range(j_lo, j_hi + 1):
        z = (j * per_page + 0.5 - mean) / sigma
        total += 0.5 * math.erfc(z / math.sqrt(2))
    return total


def _ivfflat_pages(rows: int, lists: int, layout: IvfflatLayout) -> int:
    list_pages = math.ceil(lists / layout.lists_per_page)
    entry_pages = lists * _expected_list_pages(rows / lists, layout.entries_per_page)
    return 1 + list_pages + round(entry_pages)


# --------------------------------------------------------------------------------------------
# Public estimate functions
# --------------------------------------------------------------------------------------------


def validate(spec: IndexSpec) -> None:
    """Raise SizingError for inputs pgvector would refuse (facts §1 limits)."""
    if spec.method not in METHODS:
        raise SizingError(f"method must be one of {', '.join(METHODS)}")
    if spec.type not in TYPES:
        raise SizingError(f"type must be one of {', '.join(TYPES)}")
    if spec.rows < 0:
        raise SizingError("rows must not be negative")
    if spec.dims < 1:
        raise SizingError("dims must be at least 1")
    if spec.type == "sparsevec":
        if spec.method != "hnsw":
            raise SizingError("sparsevec can only be indexed with HNSW")
        if spec.nnz is None:
            raise SizingError("sparsevec needs --nnz (average non-zero elements per row)")
        if not 0 <= spec.nnz <= SPARSEVEC_MAX_INDEX_NNZ:
            raise SizingError(
                f"an indexed sparsevec may have at most {SPARSEVEC_MAX_INDEX_NNZ} non-zeros"
            )
        if spec.nnz > spec.dims:
            raise SizingError("nnz cannot exceed dims")
        if spec.dims > SPARSEVEC_MAX_DIMS:
            raise SizingError(f"sparsevec has at most {SPARSEVEC_MAX_DIMS:,} dimensions")
    else:
        limit = MAX_INDEX_DIMS[spec.type]
        if spec.dims > limit:
            hint = (
                " (index a ::halfvec(d) expression or binary-quantize)"
                if (spec.type == "vector")
                else ""
            )
            raise SizingError(
                f"{spec.method} indexes {spec.type} with at most {limit:,} dimensions, "
                f"not {spec.dims:,}{hint}"
            )
    if spec.method == "ivfflat" and spec.type not in IVFFLAT_TYPES:
        raise SizingError(f"ivfflat does not index {spec.type}")
    if spec.method == "hnsw":
        if not M_RANGE[0] <= spec.m <= M_RANGE[1]:
            raise SizingError(f"m must be between {M_RANGE[0]} and {M_RANGE[1]}")
        if not EF_CONSTRUCTION_RANGE[0] <= spec.ef_construction <= EF_CONSTRUCTION_RANGE[1]:
            raise SizingError(
                f"ef_construction must be between {EF_CONSTRUCTION_RANGE[0]} and "
                f"{EF_CONSTRUCTION_RANGE[1]}"
            )
        if spec.ef_construction < 2 * spec.m:
            raise SizingError("ef_construction must be greater than or equal to 2 * m")
    if spec.method == "ivfflat" and not LISTS_RANGE[0] <= spec.lists <= LISTS_RANGE[1]:
        raise SizingError(f"lists must be between {LISTS_RANGE[0]} and {LISTS_RANGE[1]}")


def estimate_size(spec: IndexSpec) -> SizeEstimate:
    """Pages and bytes of a freshly built index (no later inserts, deletes or duplicates)."""
    v = spec.value_bytes
    hnsw: HnswLayout | None = None
    ivf: IvfflatLayout | None = None
    if spec.method == "hnsw":
        hnsw = hnsw_layout(v, spec.m)
        pages = _hnsw_pages(spec.rows, hnsw)
    elif spec.method == "ivfflat":
        ivf = ivfflat_layout(v)
        pages = _ivfflat_pages(spec.rows, spec.lists, ivf)
    else:
        raise SizingError(f"unknown index method {spec.method!r}")
    return SizeEstimate(
        spec=spec,
        pages=pages,
        bytes=pages * BLOCK_SIZE,
        bytes_per_row=pages * BLOCK_SIZE / spec.rows if spec.rows else 0.0,
        hnsw=hnsw,
        ivfflat=ivf,
    )


def rows_to_reach(spec: IndexSpec, target_bytes: int) -> int | None:
    """Smallest row count at which the estimated index is larger than ``target_bytes``
    (everything else in ``spec`` kept). None when even 10^13 rows stay below it."""
    if estimate_size(replace(spec, rows=0)).bytes > target_bytes:
        return 0
    lo, hi = 0, 1024
    while estimate_size(replace(spec, rows=hi)).bytes <= target_bytes:
        lo, hi = hi, hi * 4
        if hi > 10**13:
            return None
    while hi - lo > 1:  # invariant: est(lo) <= target < est(hi)
        mid = (lo + hi) // 2
        if estimate_size(replace(spec, rows=mid)).bytes > target_bytes:
            hi = mid
        else:
            lo = mid
    return hi


def growth_to_reach(
    specs: list[IndexSpec], target_bytes: int, *, offset_bytes: int = 0
) -> float | None:
    """Factor by which every table's rows must grow for the indexes together to exceed
    ``target_bytes`` (values below 1 mean they already do). ``offset_bytes`` is added to the
    estimated total (e.g. measured minus estimated size: bloat the model does not see).
    None without rows to scale."""
    if not specs or all(s.rows <= 0 for s in specs):
        return None

    def total(f: float) -> int:
        est = sum(estimate_size(replace(s, rows=round(s.rows * f))).bytes for s in specs)
        return est + offset_bytes

    if total(1.0) > target_bytes:
        lo, hi = 0.0, 1.0
    else:
        lo, hi = 1.0, 2.0
        while total(hi) <= target_bytes:
            lo, hi = hi, hi * 2
            if hi > 1e9:
                return None
    for _ in range(50):
        mid = (lo + hi) / 2
        if total(mid) > target_bytes:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-4 * hi:
            break
    return hi


# --------------------------------------------------------------------------------------------
# Build memory
# --------------------------------------------------------------------------------------------


def hnsw_bytes_per_element(value_bytes: int, m: int, *, parallel: bool) -> float:
    """Graph memory per element during an HNSW build (facts §3, hnswbuild.c)."""
    va = maxalign(value_bytes)
    if parallel:
        return 136 + (8 + 32 * m) + va + (16 + 16 * m) / (m - 1)
    return 136 + 16 + (16 + 32 * m) + va + 8 + (24 + 16 * m) / (m - 1)


def ivfflat_kmeans_bytes(value_bytes: int, lists: int, rows: int) -> tuple[int, int]:
    """(bytes, target sample rows) that IVFFlat's k-means checks against maintenance_work_mem
    (ivfkmeans.c: samples, center arrays, counts, bounds, center distances)."""
    target = max(50 * lists, 10_000)
    samples = min(target, rows) if rows > 0 else target
    item = maxalign(value_bytes)
    header = 32  # VectorArrayData
    total = (
        header
        + target * item  # samples (allocated for the target count)
        # centers, new centers and one more center-sized array: 0.8.6 counts three (measured
        # ERROR thresholds at lists = 100 and 300 fall within 0.1 % of this total, and only
        # with the third array; bench/estimator.py)
        + 3 * (header + lists * item)
        + 4 * lists  # center counts
        + 4 * samples  # closest centers
        + 4 * samples * lists  # lower bounds
        + 4 * samples  # upper bounds
        + 4 * lists  # s
        + 4 * lists * lists  # half center distances
        + 4 * lists  # new center distances
    )
    return total, target


def maintenance_workers(max_workers: int, heap_bytes: int | None) -> int:
    """Workers a CREATE INDEX would get: none when the heap is known to be under
    min_parallel_table_scan_size, else up to max_parallel_maintenance_workers."""
    if heap_bytes is not None and heap_bytes < MIN_PARALLEL_TABLE_BYTES:
        return 0
    return max(0, max_workers)


def build_memory(
    spec: IndexSpec, maintenance_work_mem_bytes: int, *, parallel_workers: int = 0
) -> BuildMemory:
    """Does a build of ``spec`` fit ``maintenance_work_mem``? (``parallel_workers`` 0 = serial)"""
    mwm = maintenance_work_mem_bytes
    v = spec.value_bytes
    if spec.method == "hnsw":
        parallel = parallel_workers > 0
        per = hnsw_bytes_per_element(v, spec.m, parallel=parallel)
        avail = max(0, mwm - PARALLEL_RESERVED) if parallel else mwm
        required = math.ceil(per * spec.rows)
        spill = int(avail // per)
        return BuildMemory(
            method="hnsw",
            parallel=parallel,
            maintenance_work_mem_bytes=mwm,
            available_bytes=avail,
            required_bytes=required,
            fits=spec.rows <= spill,
            bytes_per_element=per,
            spill_after_rows=spill,
            consequence=(
                "NOTICE: hnsw graph no longer fits into maintenance_work_mem; the remaining rows "
                "are inserted on disk (builds become several times slower)"
            ),
        )
    required, samples = ivfflat_kmeans_bytes(v, spec.lists, spec.rows)
    # With no more sample rows than lists, pgvector picks centers without Elkan's k-means and
    # makes no memory check (NOTICE: ivfflat index created with little data).
    checked = min(samples, spec.rows) > spec.lists
    # pgvector checks twice: first the sample and center arrays (before sampling), then the
    # whole k-means; the ERROR names whichever fails first (bench/estimator.py measured both).
    item = maxalign(v)
    first = 32 + samples * item + 32 + spec.lists * item
    reported = first if first > mwm else required
    lo, hi = 0, LISTS_RANGE[1]
    while lo < hi:  # most lists whose k-means fits
        mid = (lo + hi + 1) // 2
        if ivfflat_kmeans_bytes(v, mid, spec.rows)[0] <= mwm:
            lo = mid
        else:
            hi = mid - 1
    return BuildMemory(
        method="ivfflat",
        parallel=parallel_workers > 0,
        maintenance_work_mem_bytes=mwm,
        available_bytes=mwm,
        required_bytes=required,
        fits=required <= mwm or not checked,
        kmeans_samples=samples,
        max_lists=lo,
        consequence=(
            f"ERROR: memory required is {reported // (1024 * 1024) + 1} MB, "
            f"maintenance_work_mem is {mwm // (1024 * 1024)} MB"
        ),
    )


# --------------------------------------------------------------------------------------------
# What-if variants
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatIf:
    label: str  # e.g. "as halfvec", "m=32", "10x rows"
    spec: IndexSpec
    size: SizeEstimate
    build: BuildMemory
    note: str = ""


def what_if(
    spec: IndexSpec, maintenance_work_mem_bytes: int, *, parallel_workers: int = 0
) -> list[WhatIf]:
    """Alternatives an operator weighs: the same data as halfvec, binary-quantized with
    re-ranking, other m, and 2× / 10× the rows. Variants pgvector would refuse are left out."""
    variants: list[tuple[str, IndexSpec, str]] = []
    if spec.type == "vector":
        variants.append(("as halfvec", replace(spec, type="halfvec"), "half the key bytes"))
    if spec.type in ("vector", "halfvec"):
        variants.append(
            (
                f"binary-quantized bit({spec.dims}) + re-rank",
                replace(spec, type="bit"),
                "index binary_quantize(col); re-rank candidates on the full heap vectors",
            )
        )
    if spec.method == "hnsw":
        for m in (8, 16, 32):
            if m != spec.m:
                ef = max(spec.ef_construction, 2 * m)
                variants.append((f"m={m}", replace(spec, m=m, ef_construction=ef), ""))
    for factor in (2, 10):
        variants.append((f"{factor}x rows", replace(spec, rows=spec.rows * factor), ""))
    out: list[WhatIf] = []
    for label, s, note in variants:
        try:
            validate(s)
        except SizingError:
            continue
        out.append(
            WhatIf(
                label=label,
                spec=s,
                size=estimate_size(s),
                build=build_memory(
                    s, maintenance_work_mem_bytes, parallel_workers=parallel_workers
                ),
                note=note,
            )
        )
    return out


def memory_needed(build: BuildMemory) -> int:
    """maintenance_work_mem that would hold this build (HNSW parallel: plus the 3 MB it keeps)."""
    if build.method == "hnsw" and build.parallel:
        return build.required_bytes + PARALLEL_RESERVED
    return build.required_bytes


def pg_size_literal(n_bytes: int) -> str:
    """Bytes → a setting value rounded up with headroom: '96MB', '3GB' (at least 1MB)."""
    mb = max(1, math.ceil(n_bytes * 1.1 / (1024 * 1024)))
    if mb >= 4096:
        return f"{math.ceil(mb / 1024)}GB"
    if mb >= 64:
        return f"{math.ceil(mb / 64) * 64}MB"
    return f"{mb}MB"


# --------------------------------------------------------------------------------------------
# One estimate with its what-ifs (what ``pgvtui estimate`` prints)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EstimateReport:
    spec: IndexSpec
    size: SizeEstimate
    build: BuildMemory
    parallel_workers: int
    what_ifs: tuple[WhatIf, ...]

    def to_json(self) -> dict[str, object]:
        s = self.spec
        doc: dict[str, object] = {
            "inputs": {
                "method": s.method,
                "type": s.type,
                "dims": s.dims,
                "nnz": s.nnz,
                "rows": s.rows,
                "m": s.m if s.method == "hnsw" else None,
                "ef_construction": s.ef_construction if s.method == "hnsw" else None,
                "lists": s.lists if s.method == "ivfflat" else None,
                "maintenance_work_mem_bytes": self.build.maintenance_work_mem_bytes,
                "parallel_workers": self.parallel_workers,
            },
            "value_bytes": s.value_bytes,
            "index_bytes": self.size.bytes,
            "index_pages": self.size.pages,
            "bytes_per_row": round(self.size.bytes_per_row, 1),
            "build_memory_bytes": self.build.required_bytes,
            "available_build_memory_bytes": self.build.available_bytes,
            "fits_maintenance_work_mem": self.build.fits,
            "spill_after_rows": self.build.spill_after_rows,
            "maintenance_work_mem_needed_bytes": memory_needed(self.build),
            "if_not_fits": None if self.build.fits else self.build.consequence,
        }
        if self.size.hnsw is not None:
            h = self.size.hnsw
            doc["hnsw"] = {
                "element_tuple_bytes": h.element_bytes,
                "neighbor_tuple_bytes_level0": h.neighbor_bytes[0],
                "elements_per_page": round(h.elements_per_page, 3),
                "split_levels": list(h.split_levels),
                "build_bytes_per_element": round(self.build.bytes_per_element or 0.0, 2),
            }
        if self.size.ivfflat is not None:
            i = self.size.ivfflat
            doc["ivfflat"] = {
                "list_tuple_bytes": i.list_tuple_bytes,
                "entry_bytes": i.entry_bytes,
                "entries_per_page": i.entries_per_page,
                "kmeans_samples": self.build.kmeans_samples,
                "max_lists_for_maintenance_work_mem": self.build.max_lists,
            }
        doc["what_if"] = [
            {
                "label": w.label,
                "method": w.spec.method,
                "type": w.spec.type,
                "dims": w.spec.dims,
                "rows": w.spec.rows,
                "m": w.spec.m if w.spec.method == "hnsw" else None,
                "lists": w.spec.lists if w.spec.method == "ivfflat" else None,
                "index_bytes": w.size.bytes,
                "index_pages": w.size.pages,
                "bytes_per_row": round(w.size.bytes_per_row, 1),
                "ratio": round(w.size.bytes / self.size.bytes, 3) if self.size.bytes else None,
                "build_memory_bytes": w.build.required_bytes,
                "fits_maintenance_work_mem": w.build.fits,
                "spill_after_rows": w.build.spill_after_rows,
                "note": w.note,
            }
            for w in self.what_ifs
        ]
        return doc


def estimate(
    spec: IndexSpec, maintenance_work_mem_bytes: int, *, parallel_workers: int = 0
) -> EstimateReport:
    """Validate, then size the index, its build memory and its what-if variants."""
    validate(spec)
    return EstimateReport(
        spec=spec,
        size=estimate_size(spec),
        build=build_memory(spec, maintenance_work_mem_bytes, parallel_workers=parallel_workers),
        parallel_workers=parallel_workers,
        what_ifs=tuple(
            what_if(spec, maintenance_work_mem_bytes, parallel_workers=parallel_workers)
        ),
    )
