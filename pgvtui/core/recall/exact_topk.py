"""Exact k-nearest neighbours in one streamed pass: binary COPY parsing and a running top-k.

Pure numpy, no database. :mod:`pgvtui.core.recall.sweep` streams
``COPY (SELECT tableoid, ctid, <col> FROM … ) TO STDOUT (FORMAT BINARY)`` and feeds the raw bytes
here chunk by chunk; :class:`ExactTopK` keeps, for every query, the k smallest distances seen so
far (``argpartition`` over the running best plus the new chunk), so memory is bounded by the chunk
size whatever the table size.

Row identity in the stream is the physical position: the partition (tableoid, mapped to a small
index) and the ctid, packed into one int64 ``code`` = ``part << 48 | block << 16 | offset``. The
caller resolves the k·queries winning codes to primary-key values at the end, in the same
REPEATABLE READ snapshot.

Distances match pgvector's operators:

- ``l2`` ``<->`` √Σ(x−q)²   (ranked by the squared form ‖x‖² + ‖q‖² − 2·x·q, float32 BLAS)
- ``ip`` ``<#>`` −x·q
- ``cosine`` ``<=>`` 1 − x·q / (‖x‖‖q‖)   (NaN when a norm is 0, ranked last)
- ``l1`` ``<+>`` Σ|x−q|
- ``hamming`` ``<~>`` popcount(x ⊕ q)   (bits unpacked to 0/1 floats: |x| + |q| − 2·x·q, exact)
- ``jaccard`` ``<%>`` 1 − |x∧q| / |x∨q|   (1 when x∧q is empty, as pgvector)

sparsevec rows are made dense chunk by chunk (at most ``CHUNK_ELEMENTS`` floats per chunk).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from pgvtui.core.models import VECTOR_TYPES

METRICS = ("l2", "ip", "cosine", "l1", "hamming", "jaccard")
COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
CHUNK_ELEMENTS = 1_000_000  # floats per dense chunk (4 MB of float32)
SCORE_ELEMENTS = 1_000_000  # queries × rows scored at a time (4 MB of float32 per temporary)
_PART_SHIFT = 48
_MAX_PARTS = 1 << 14

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


class StreamFormatError(ValueError):
    """The COPY stream does not have the layout we asked for."""


# -- running top-k -----------------------------------------------------------------------


def merge_topk(
    best_scores: F64,
    best_codes: I64,
    scores: npt.NDArray[np.floating[Any]],
    codes: I64,
    k: int,
) -> tuple[F64, I64]:
    """Merge a chunk into the running best: the k smallest scores per row (unsorted).

    ``best_scores``/``best_codes`` are (q, k) (``inf``/−1 where still empty); ``scores`` is (q, n)
    for the chunk's n rows whose codes are ``codes`` — (n,), or (q, n) when every query has its
    own candidates. NaN scores rank after every number.
    """
    if scores.shape[1] == 0:
        return best_scores, best_codes
    scores = np.where(np.isnan(scores), np.inf, scores)
    all_scores = np.concatenate([best_scores, scores], axis=1)
    if codes.ndim == 1:
        codes = np.broadcast_to(codes, (scores.shape[0], codes.shape[0]))
    all_codes = np.concatenate([best_codes, codes], axis=1)
    if all_scores.shape[1] > k:
        part = np.argpartition(all_scores, k - 1, axis=1)[:, :k]
        return (
            np.take_along_axis(all_scores, part, axis=1),
            np.take_along_axis(all_codes, part, axis=1),
        )
    return all_scores, all_codes


def sort_topk(scores: F64, codes: I64) -> tuple[F64, I64]:
    """Sort each row's k best by score (ties by code, for determinism)."""
    order = np.lexsort((codes, scores), axis=1)
    return np.take_along_axis(scores, order, axis=1), np.take_along_axis(codes, order, axis=1)


# -- distances ---------------------------------------------------------------------------


@dataclass
class Kernel:
    """Scores for one metric. ``scores(x)`` is monotone in the pgvector distance;
    ``distance(scores)`` turns the kept scores into the operator's value."""

    metric: str
    queries: F32  # (q, d), float32; for bit metrics 0/1

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"unknown metric {self.metric!r}")
        q = np.ascontiguousarray(self.queries, dtype=np.float32)
        self.queries = q
        self._qq = np.einsum("ij,ij->i", q, q, dtype=np.float64).astype(np.float32)
        self._qnorm = np.sqrt(self._qq)

    def scores(self, x: F32) -> npt.NDArray[np.floating[Any]]:
        """(q, n) scores, smaller = nearer, in float32 for the BLAS metrics: they only rank
        (the winners' distances are recomputed exactly in float64), and per-query constants
        that do not change a query's order are left out (see :meth:`distance`). Computed in
        place in the BLAS product's own array: one (q, n) float32 temporary."""
        q = self.queries
        m = self.metric
        if m == "l1":
            out = np.empty((q.shape[0], x.shape[0]), dtype=np.float64)
            for i in range(q.shape[0]):
                out[i] = np.abs(x - q[i]).sum(axis=1, dtype=np.float64)
            return out
        dot: F32 = q @ x.T  # (q, n) float32 BLAS
        if m == "ip":
            return np.negative(dot, out=dot)
        xx = np.einsum("ij,ij->i", x, x)
        if m == "l2":  # ‖q‖² + ‖x‖² − 2 q·x
            dot *= -2.0
            dot += xx[None, :]
            dot += self._qq[:, None]
            return np.maximum(dot, 0.0, out=dot)
        if m == "cosine":  # −q·x / ‖x‖ (÷ ‖q‖ kept for distance()); a zero norm never ranks
            with np.errstate(divide="ignore", invalid="ignore"):
                inv = np.where(xx > 0, 1.0 / np.sqrt(xx), np.nan).astype(np.float32)
            dot *= -inv[None, :]
            dot[self._qnorm == 0] = np.nan
            return dot
        if m == "hamming":
            ham: F64 = np.rint(self._qq[:, None] + xx[None, :] - 2.0 * dot).astype(np.float64)
            return ham
        # jaccard
        inter = np.rint(dot).astype(np.float64)
        union = self._qq[:, None].astype(np.float64) + xx[None, :].astype(np.float64) - inter
        with np.errstate(divide="ignore", invalid="ignore"):
            dist = 1.0 - inter / union
        return np.where(inter == 0, 1.0, dist)

    def distance(self, scores: F64) -> F64:
        if self.metric == "l2":
            return np.sqrt(scores)
        if self.metric == "cosine":
            with np.errstate(divide="ignore", invalid="ignore"):
                sim = -scores / self._qnorm[:, None].astype(np.float64)
            cos: F64 = 1.0 - np.clip(sim, -1.0, 1.0)
            return cos
        return scores


def exact_distances(metric: str, q: F32, x: F32) -> F64:
    """pgvector's distance from one query to a few rows, directly in float64 (no expansion)."""
    q64 = q.astype(np.float64)
    x64 = x.astype(np.float64)
    if metric == "l2":
        out: F64 = np.sqrt(((x64 - q64) ** 2).sum(axis=1))
    elif metric == "ip":
        out = -(x64 @ q64)
    elif metric == "cosine":
        with np.errstate(divide="ignore", invalid="ignore"):
            sim = (x64 @ q64) / (np.linalg.norm(x64, axis=1) * np.linalg.norm(q64))
        out = 1.0 - np.clip(sim, -1.0, 1.0)
    elif metric == "l1":
        out = np.abs(x64 - q64).sum(axis=1)
    elif metric == "hamming":
        out = (x64 != q64).sum(axis=1).astype(np.float64)
    elif metric == "jaccard":
        inter = ((x64 > 0) & (q64 > 0)).sum(axis=1)
        union = ((x64 > 0) | (q64 > 0)).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(inter == 0, 1.0, 1.0 - inter / union)
    else:
        raise ValueError(f"unknown metric {metric!r}")
    return np.where(np.isnan(out), np.inf, out)


class ExactTopK:
    """Running exact top-k for a batch of queries over streamed chunks."""

    def __init__(self, kernel: Kernel, k: int) -> None:
        if k < 1:
            raise ValueError("k must be at least 1")
        self.kernel = kernel
        self.k = k
        nq = kernel.queries.shape[0]
        self.scores: F64 = np.full((nq, k), np.inf)
        self.codes: I64 = np.full((nq, k), -1, dtype=np.int64)
        self.rows = 0

    def add(self, x: F32, codes: I64) -> None:
        """Fold a chunk of rows in, scoring at most :data:`SCORE_ELEMENTS` (query, row) pairs
        at a time: memory stays the same for 1 or 1,000 queries and any table size."""
        block = max(256, SCORE_ELEMENTS // max(1, self.kernel.queries.shape[0]))
        for start in range(0, x.shape[0], block):
            self._add(x[start : start + block], codes[start : start + block])

    def _add(self, x: F32, codes: I64) -> None:
        if x.shape[0] == 0:
            return
        s = self.kernel.scores(x)
        self.rows += x.shape[0]
        # Only rows closer than a query's current k-th best can enter its top-k: after the
        # first chunks these are few, so merge a small (q, m) candidate matrix instead of (q, n).
        kth = self.scores.max(axis=1).astype(s.dtype)
        mask = s < kth[:, None]
        counts = mask.sum(axis=1)
        m = int(counts.max()) if counts.size else 0
        if m == 0:
            return
        if 4 * m >= s.shape[1]:
            self.scores, self.codes = merge_topk(self.scores, self.codes, s, codes, self.k)
            return
        qi, ci = np.nonzero(mask)  # row-major: grouped by query
        starts = np.cumsum(counts) - counts
        rank = np.arange(qi.shape[0]) - starts[qi]
        cand_s = np.full((s.shape[0], m), np.inf)
        cand_c = np.full((s.shape[0], m), -1, dtype=np.int64)
        cand_s[qi, rank] = s[qi, ci]
        cand_c[qi, rank] = codes[ci]
        self.scores, self.codes = merge_topk(self.scores, self.codes, cand_s, cand_c, self.k)

    def result(self) -> tuple[F64, I64]:
        """(distances, codes), each (q, k), nearest first; rows past the table end have
        code −1 and distance inf."""
        scores, codes = sort_topk(self.scores, self.codes)
        return self.kernel.distance(scores), codes


# -- binary COPY stream ----------------------------------------------------------------------


def copy_header_length(buf: bytes | bytearray) -> int | None:
    """Bytes taken by the COPY BINARY header, or None when ``buf`` is too short yet."""
    if len(buf) < 19:
        return None
    if bytes(buf[:11]) != COPY_SIGNATURE:
        raise StreamFormatError("not a binary COPY stream")
    (ext,) = struct.unpack_from(">i", buf, 15)
    if len(buf) < 19 + ext:
        return None
    return 19 + int(ext)


@dataclass
class Chunk:
    """Parsed rows: dense float32 vectors (0/1 for bit) and their packed position codes."""

    x: F32
    codes: I64


class RowDecoder:
    """Decodes ``(tableoid, ctid, value)`` rows of one vector type from COPY BINARY bytes."""

    def __init__(self, vtype: str, dims: int) -> None:
        if vtype not in VECTOR_TYPES:
            raise ValueError(f"unsupported type {vtype!r}")
        self.vtype = vtype
        self.dims = dims
        self.parts: dict[int, int] = {}  # tableoid → small index
        head = [
            ("nf", ">i2"),
            ("l_oid", ">i4"),
            ("oid", ">u4"),
            ("l_tid", ">i4"),
            ("blk", ">u4"),
            ("off", ">u2"),
            ("l_val", ">i4"),
        ]
        self.value_len: int | None
        if vtype == "vector":
            self.value_len = 4 + 4 * dims
            body = [("dim", ">u2"), ("unused", ">u2"), ("x", ">f4", (dims,))]
        elif vtype == "halfvec":
            self.value_len = 4 + 2 * dims
            body = [("dim", ">u2"), ("unused", ">u2"), ("x", ">f2", (dims,))]
        elif vtype == "bit":
            nbytes = (dims + 7) // 8
            self.value_len = 4 + nbytes
            body = [("dim", ">i4"), ("x", "u1", (nbytes,))]
        else:
            self.value_len = None  # variable length: parsed row by row
            body = []
        self.row_dtype: np.dtype[np.void] | None = (
            np.dtype(head + body) if self.value_len is not None else None
        )

    @property
    def chunk_rows(self) -> int:
        """Rows per chunk so that a dense chunk holds about ``CHUNK_ELEMENTS`` floats."""
        return int(min(65_536, max(256, CHUNK_ELEMENTS // max(1, self.dims))))

    @property
    def chunk_bytes(self) -> int:
        per_row = self.row_dtype.itemsize if self.row_dtype is not None else 64
        return self.chunk_rows * per_row

    def _part_index(self, oids: npt.NDArray[np.uint32]) -> I64:
        uniq, inverse = np.unique(oids, return_inverse=True)
        mapping = np.empty(len(uniq), dtype=np.int64)
        for i, oid in enumerate(uniq.tolist()):
            if oid not in self.parts:
                if len(self.parts) >= _MAX_PARTS:
                    raise StreamFormatError("too many partitions")
                self.parts[oid] = len(self.parts)
            mapping[i] = self.parts[oid]
        return mapping[inverse.reshape(-1)]

    def _codes(
        self, oids: npt.NDArray[np.uint32], blk: npt.NDArray[np.uint32], off: npt.NDArray[np.uint16]
    ) -> I64:
        part = self._part_index(oids)
        return (part << _PART_SHIFT) | (blk.astype(np.int64) << 16) | off.astype(np.int64)

    def decode(self, buf: bytes | bytearray | memoryview) -> tuple[Chunk, int]:
        """Decode the complete rows at the start of ``buf`` → (chunk, bytes consumed)."""
        if self.row_dtype is not None:
            return self._decode_fixed(buf)
        return self._decode_sparse(buf)

    def _decode_fixed(self, buf: bytes | bytearray | memoryview) -> tuple[Chunk, int]:
        assert self.row_dtype is not None and self.value_len is not None
        size = self.row_dtype.itemsize
        n = len(buf) // size  # the 2-byte trailer never makes a whole row
        rows = np.frombuffer(buf, dtype=self.row_dtype, count=n)
        if n:
            ok = (
                (rows["nf"] == 3)
                & (rows["l_oid"] == 4)
                & (rows["l_tid"] == 6)
                & (rows["l_val"] == self.value_len)
                & (rows["dim"] == self.dims)
            )
            if not bool(ok.all()):
                bad = int(np.argmin(ok))
                raise StreamFormatError(
                    f"unexpected row layout at row {bad} of a chunk (expected {self.vtype}"
                    f"({self.dims}) values of {self.value_len} bytes)"
                )
        if self.vtype == "bit":
            bits = (
                np.unpackbits(rows["x"], axis=1, count=self.dims)
                if n
                else np.zeros((0, self.dims), dtype=np.uint8)
            )
            x: F32 = bits.astype(np.float32)
        else:
            x = rows["x"].astype(np.float32) if n else np.zeros((0, self.dims), np.float32)
        codes = self._codes(rows["oid"], rows["blk"], rows["off"]) if n else np.zeros(0, np.int64)
        return Chunk(x=x, codes=codes), n * size

    def _decode_sparse(self, buf: bytes | bytearray | memoryview) -> tuple[Chunk, int]:
        mv = memoryview(buf)
        pos = 0
        oids: list[int] = []
        blks: list[int] = []
        offs: list[int] = []
        rows: list[tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]] = []
        limit = self.chunk_rows
        while len(rows) < limit and pos + 2 <= len(mv):
            (nf,) = struct.unpack_from(">h", mv, pos)
            if nf == -1:
                break
            if nf != 3:
                raise StreamFormatError(f"expected 3 fields per row, got {nf}")
            if pos + 2 + 8 + 10 + 4 > len(mv):
                break
            l_oid, oid, l_tid, blk, off, l_val = struct.unpack_from(">iIiIHi", mv, pos + 2)
            if l_oid != 4 or l_tid != 6 or l_val < 12:
                raise StreamFormatError("unexpected sparsevec row layout")
            start = pos + 24
            end = start + l_val
            if end > len(mv):
                break
            dim, nnz, _unused = struct.unpack_from(">iii", mv, start)
            if dim != self.dims or l_val != 12 + 8 * nnz:
                raise StreamFormatError("unexpected sparsevec value")
            idx = np.frombuffer(mv, dtype=">i4", count=nnz, offset=start + 12).astype(np.int32)
            val = np.frombuffer(mv, dtype=">f4", count=nnz, offset=start + 12 + 4 * nnz).astype(
                np.float32
            )
            rows.append((idx, val))
            oids.append(oid)
            blks.append(blk)
            offs.append(off)
            pos = end
        x = np.zeros((len(rows), self.dims), dtype=np.float32)
        for i, (idx, val) in enumerate(rows):
            x[i, idx] = val
        codes = (
            self._codes(
                np.array(oids, dtype=np.uint32),
                np.array(blks, dtype=np.uint32),
                np.array(offs, dtype=np.uint16),
            )
            if rows
            else np.zeros(0, np.int64)
        )
        return Chunk(x=x, codes=codes), pos


def split_code(code: int, parts: dict[int, int]) -> tuple[int, str]:
    """A packed code → (tableoid, ctid text ``"(block,offset)"``)."""
    by_index = {v: k for k, v in parts.items()}
    part = code >> _PART_SHIFT
    blk = (code >> 16) & 0xFFFFFFFF
    off = code & 0xFFFF
    return by_index[part], f"({blk},{off})"
