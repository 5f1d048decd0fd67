"""Recall, the data side: the resolved target, query vectors and the exact ground truth.

The ground truth is computed in ONE pass for all queries: ``COPY (SELECT tableoid, ctid, col …)
TO STDOUT (FORMAT BINARY)`` is read in blocks straight from libpq (:class:`_CopyReader`), parsed
and folded into a running top-k with numpy in a worker thread while the next block arrives
(:mod:`~pgvtui.core.recall.exact_topk`); the winners' positions are then looked up by ctid in the
same REPEATABLE READ snapshot as the sample, and their distances recomputed exactly in float64.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

from pgvtui.core import sql as sqlfiles
from pgvtui.core.models import IndexInfo
from pgvtui.core.recall.exact_topk import (
    F32,
    ExactTopK,
    Kernel,
    RowDecoder,
    StreamFormatError,
    copy_header_length,
    exact_distances,
    split_code,
)
from pgvtui.core.session import Session
from pgvtui.errors import PgvtuiError, UsageError


class RecallError(PgvtuiError):
    title = "Recall"


class Stopped(Exception):
    """``should_stop()`` turned true: the caller returns what is done."""

    def __init__(self, phase: str) -> None:
        super().__init__(phase)
        self.phase = phase


@dataclass(frozen=True)
class Target:
    index: IndexInfo
    key: str  # the indexed column's name, or the key expression of an expression index
    key_is_expression: bool
    metric: str
    vtype: str
    dims: int
    id_column: str
    id_unique: bool
    where: str | None  # the validated user predicate

    @property
    def table_ident(self) -> sql.Composable:
        return sql.Identifier(self.index.schema, self.index.table)

    def key_sql(self) -> sql.Composable:
        """What the index orders by: the column, or the key expression as the server deparsed it
        (``pg_get_indexdef(index, 1, true)``, catalog text like the partial-index predicate
        below, ``%`` doubled for the same reason), in parentheses."""
        if not self.key_is_expression:
            return sql.Identifier(self.key)
        return sql.SQL("({})").format(sql.SQL(self.key.replace("%", "%%")))

    def sample_where_sql(self, within_where: bool) -> sql.Composable:
        """Where query vectors are sampled from: the partial index's predicate, plus the
        ``--where`` filter only when sampling inside it was asked for (see docs/recall.md)."""
        if within_where:
            return self.where_sql()
        if self.index.predicate:
            return sql.SQL("({})").format(sql.SQL(self.index.predicate.replace("%", "%%")))
        return sql.SQL("true")

    def where_sql(self) -> sql.Composable:
        """The partial index's predicate (from pg_get_expr: the query must imply it) and the
        validated ``--where``, ``%`` doubled: every statement using this is executed with
        parameters (at least ``{}``), so psycopg turns ``%%`` back into ``%``."""
        parts: list[sql.Composable] = []
        for text in (self.index.predicate, self.where):
            if text:
                parts.append(sql.SQL("({})").format(sql.SQL(text.replace("%", "%%"))))
        return sql.SQL(" AND ").join(parts) if parts else sql.SQL("true")


# -- query vectors -----------------------------------------------------------------------


def parse_vector_text(vtype: str, text: str) -> F32:
    """A vector's text form (``[1,2]``, ``0101``, ``{1:0.5}/3``) → dense float32 (0/1 for bit)."""
    if vtype == "bit":
        arr = np.frombuffer(text.encode("ascii"), dtype=np.uint8) - ord("0")
        return arr.astype(np.float32)
    if vtype == "sparsevec":
        body, _, dim_text = text.rpartition("/")
        out = np.zeros(int(dim_text), dtype=np.float32)
        inner = body.strip()[1:-1].strip()
        if inner:
            for item in inner.split(","):
                i, _, v = item.partition(":")
                out[int(i) - 1] = float(v)
        return out
    dense: F32 = np.asarray(json.loads(text), dtype=np.float32)
    return dense


def load_query_file(path: str | Path, vtype: str, dims: int) -> F32:
    """``.npy`` (a 2-D array) or ``.jsonl`` (one JSON list per line) → (q, dims) float32."""
    p = Path(path)
    try:
        if p.suffix == ".npy":
            arr = np.load(p, allow_pickle=False)
        elif p.suffix in (".jsonl", ".ndjson"):
            rows = [json.loads(line) for line in p.read_text().splitlines() if line.strip()]
            arr = np.asarray(rows, dtype=np.float32)
        else:
            raise UsageError(f"--vectors {p.name}: use a .npy or .jsonl file")
    except (OSError, ValueError) as exc:
        raise UsageError(f"--vectors {p}: {exc}") from None
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise UsageError(f"--vectors {p.name}: expected a non-empty 2-D array, got {arr.shape}")
    if arr.shape[1] != dims:
        raise UsageError(f"--vectors {p.name}: vectors have {arr.shape[1]} dims, the column {dims}")
    out: F32 = arr.astype(np.float32)
    if not np.isfinite(out).all():
        raise UsageError(f"--vectors {p.name}: contains NaN or infinite values")
    if vtype == "bit" and not np.isin(out, (0.0, 1.0)).all():
        raise UsageError(f"--vectors {p.name}: bit vectors must hold only 0 and 1")
    return out


def bind_vector(vtype: str, v: F32) -> Any:
    """A query vector as the pgvector Python object for the column's type (sent binary)."""
    from pgvector import Bit, HalfVector, SparseVector, Vector

    if vtype == "vector":
        return Vector(v)
    if vtype == "halfvec":
        return HalfVector(v)
    if vtype == "bit":
        return Bit(v.astype(bool))
    return SparseVector(v)


# -- ground truth ------------------------------------------------------------------------


@dataclass(frozen=True)
class GroundTruth:
    ids: tuple[tuple[Any, ...], ...]  # per query, nearest first
    distances: tuple[tuple[float, ...], ...]
    rows: int
    seconds: float


async def _sample(
    cur: Any, target: Target, n: int, seed: int, within_where: bool = False
) -> tuple[list[Any], F32]:
    q = sqlfiles.query("recall_sample").format(
        id=sql.Identifier(target.id_column),
        col=target.key_sql(),
        table=target.table_ident,
        where=target.sample_where_sql(within_where),
    )
    await cur.execute(q, {"seed": str(seed), "n": n})
    rows = await cur.fetchall()
    if not rows:
        raise RecallError("no rows to sample query vectors from (empty table or --where)")
    ids = [r[0] for r in rows]
    vecs: F32 = np.stack([parse_vector_text(target.vtype, r[1]) for r in rows])
    return ids, vecs


class _CopyReader:
    """Reads ``COPY TO STDOUT`` data in blocks straight from libpq.

    psycopg's ``Copy.read()`` costs one trip through its wait machinery per CopyData message —
    one message per row, so ~10 µs a row, most of the pass. This drains every message libpq has
    buffered in one go and waits on the socket (one reader registered for the whole COPY) only
    when the buffer is empty. It uses only the public ``pgconn`` (``get_copy_data``,
    ``consume_input``, ``is_busy``, ``get_result``); if the COPY block is left with an
    exception, :meth:`close` first, then psycopg's own copy exit cancels and drains the rest
    as usual (this reader consumed data messages only, until the end)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.pgconn = conn.pgconn
        self.done = False
        self._loop = asyncio.get_running_loop()
        self._fd = self.pgconn.socket
        self._ready = asyncio.Event()
        self._loop.add_reader(self._fd, self._ready.set)
        self._open = True

    def close(self) -> None:
        if self._open:
            self._open = False
            self._loop.remove_reader(self._fd)

    async def _readable(self) -> None:
        self._ready.clear()
        await self._ready.wait()

    async def read(self, max_bytes: int) -> bytes:
        """About ``max_bytes`` of COPY data (less at the end); ``b""`` once the COPY ended."""
        chunks: list[Any] = []
        size = 0
        while size < max_bytes and not self.done:
            nbytes, data = self.pgconn.get_copy_data(1)
            if nbytes > 0:
                chunks.append(data)
                size += nbytes
            elif nbytes == 0:
                await self._readable()
                self.pgconn.consume_input()
            elif nbytes == -1:
                self.done = True
                await self._finish()
            else:
                msg = self.pgconn.get_error_message().decode(errors="replace")
                raise psycopg.OperationalError(msg or "COPY failed")
        return b"".join(chunks)

    async def _finish(self) -> None:
        results = []
        while True:
            while self.pgconn.is_busy():
                await self._readable()
                self.pgconn.consume_input()
            res = self.pgconn.get_result()
            if res is None:
                break
            results.append(res)
        for res in results:
            if res.status != psycopg.pq.ExecStatus.COMMAND_OK:
                raise psycopg.errors.error_from_result(res, encoding=self.conn.info.encoding)


async def _stream_topk(
    cur: Any,
    target: Target,
    queries: F32,
    k: int,
    on_rows: Callable[[int], None],
    should_stop: Callable[[], bool],
) -> tuple[np.ndarray[Any, Any], dict[int, int], int]:
    """One binary COPY pass; parse + distances run in a worker thread while the next chunk
    arrives. Returns (the winners' codes per query, partitions, rows)."""
    decoder = RowDecoder(target.vtype, target.dims)
    acc = ExactTopK(Kernel(target.metric, queries), k)
    q = sqlfiles.query("recall_stream").format(
        col=target.key_sql(),
        table=target.table_ident,
        where=target.where_sql(),
    )
    buf = bytearray()
    header_done = False
    pending: asyncio.Future[None] | None = None
    threshold = decoder.chunk_bytes
    loop = asyncio.get_running_loop()

    def work(data: bytes) -> None:
        chunk, _used = decoder.decode(data)
        acc.add(chunk.x, chunk.codes)

    async def flush(final: bool) -> None:
        nonlocal pending, header_done
        if not header_done:
            hl = copy_header_length(buf)
            if hl is None:
                if final:
                    raise StreamFormatError("truncated COPY header")
                return
            del buf[:hl]
            header_done = True
        if decoder.row_dtype is not None:
            size = decoder.row_dtype.itemsize
            cut = (len(buf) // size) * size
            data = bytes(buf[:cut])
            del buf[:cut]
            if pending is not None:
                await pending
            pending = loop.run_in_executor(pool, work, data)
        else:
            while True:
                chunk, used = decoder.decode(bytes(buf))
                del buf[:used]
                if pending is not None:
                    await pending
                pending = loop.run_in_executor(pool, acc.add, chunk.x, chunk.codes)
                if used == 0 or chunk.x.shape[0] < decoder.chunk_rows:
                    break
        on_rows(acc.rows)

    # One worker thread: chunks are processed in order, and one malloc arena holds their buffers.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pgvtui-recall")
    try:
        async with cur.copy(q, {}):  # params: see Target.where_sql
            reader = _CopyReader(cur.connection)
            try:
                while data := await reader.read(threshold):
                    buf += data
                    if len(buf) >= threshold:
                        await flush(False)
                        if should_stop():
                            raise Stopped("ground_truth")
            finally:
                reader.close()
            await flush(True)
        if pending is not None:
            await pending
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    if bytes(buf) != b"\xff\xff":
        raise StreamFormatError(f"unexpected {len(buf)} bytes at the end of the COPY stream")
    _dist, codes = acc.result()
    on_rows(acc.rows)
    return codes, decoder.parts, acc.rows


async def _resolve_codes(
    cur: Any, target: Target, codes: np.ndarray[Any, Any], parts: dict[int, int]
) -> dict[int, tuple[Any, F32]]:
    """Winning positions → (row id, vector), read by ctid in the same snapshot."""
    wanted = sorted({int(c) for c in codes.ravel().tolist() if c >= 0})
    if not wanted:
        return {}
    keyed = {split_code(c, parts): c for c in wanted}
    q = sqlfiles.query("recall_resolve").format(
        id=sql.Identifier(target.id_column),
        col=target.key_sql(),
        table=target.table_ident,
    )
    tids = sorted({tid for _toid, tid in keyed})
    await cur.execute(q, {"tids": tids})
    out: dict[int, tuple[Any, F32]] = {}
    for toid, tid, rid, vec in await cur.fetchall():
        code = keyed.get((int(toid), tid))
        if code is not None:
            out[code] = (rid, parse_vector_text(target.vtype, vec))
    missing = len(wanted) - len(out)
    if missing:
        raise RecallError(f"{missing} ground-truth rows could not be found again by ctid")
    return out


async def ground_truth(
    session: Session,
    target: Target,
    *,
    k: int,
    sample: int,
    seed: int,
    query_vectors: F32 | None = None,
    vectors_file: str | None = None,
    estimate: int = 0,
    on_progress: Callable[[str, int, int], None] = lambda _phase, _done, _total: None,
    stop: Callable[[], bool] = lambda: False,
    sample_within_where: bool = False,
) -> tuple[GroundTruth, list[Any], F32]:
    """Query vectors (given, from a file, or ``sample`` rows by ``seed`` — from the whole table,
    or inside ``--where`` with ``sample_within_where``) and their exact top-k,
    in one read-only REPEATABLE READ transaction. Returns (truth, query ids, query vectors).
    ``on_progress(phase, done, total)`` with phase ``sample`` or ``ground_truth``; raises
    :class:`Stopped` when ``stop()`` turns true between chunks."""
    async with session.read_only() as cur:
        await cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if query_vectors is not None or vectors_file is not None:
            queries = (
                np.asarray(query_vectors, dtype=np.float32)
                if query_vectors is not None
                else load_query_file(str(vectors_file), target.vtype, target.dims)
            )
            if queries.ndim != 2 or queries.shape[1] != target.dims:
                raise UsageError(f"query vectors must be (n, {target.dims}), got {queries.shape}")
            query_ids: list[Any] = list(range(queries.shape[0]))
        else:
            on_progress("sample", 0, sample)
            query_ids, queries = await _sample(cur, target, sample, seed, sample_within_where)
        t0 = time.perf_counter()

        def on_rows(n: int) -> None:
            on_progress("ground_truth", n, max(estimate, n))

        on_rows(0)
        try:
            codes, parts, rows = await _stream_topk(cur, target, queries, k, on_rows, stop)
        except StreamFormatError as exc:
            raise RecallError(f"could not read the vector stream: {exc}") from None
        id_of = await _resolve_codes(cur, target, codes, parts)
        seconds = time.perf_counter() - t0
    # The stream ranked with float32 BLAS (‖x‖² + ‖q‖² − 2x·q loses digits for near vectors);
    # the winners' distances are recomputed exactly in float64 and re-sorted.
    ids: list[tuple[Any, ...]] = []
    dists: list[tuple[float, ...]] = []
    for qi in range(codes.shape[0]):
        winners = [id_of[int(c)] for c in codes[qi][codes[qi] >= 0].tolist()]
        if not winners:
            ids.append(())
            dists.append(())
            continue
        exact = exact_distances(target.metric, queries[qi], np.stack([v for _i, v in winners]))
        order = np.argsort(exact, kind="stable")
        ids.append(tuple(winners[i][0] for i in order.tolist()))
        dists.append(tuple(float(exact[i]) for i in order.tolist()))
    return (
        GroundTruth(ids=tuple(ids), distances=tuple(dists), rows=rows, seconds=seconds),
        query_ids,
        queries,
    )
