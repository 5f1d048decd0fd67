"""Recall ground truth: one streamed exact pass for 100 queries vs one sequential read.

Starts its own embedded PostgreSQL + pgvector in a temp dir, loads 100k × halfvec(384) (clustered
Gaussian data, binary COPY), builds an HNSW index (halfvec_cosine_ops, m=16, ef_construction=64,
parallel, maintenance_work_mem 1GB), then measures side by side, alternating, several rounds:

- the sequential pass: ``SELECT sum(vector_dims(emb)) FROM t`` (every vector read once);
- the server-side floor of any COPY-based pass: ``COPY (SELECT tableoid, ctid, emb FROM t) TO
  '/dev/null' (FORMAT BINARY)`` (superuser; the halfvec_send serialisation without the client);
- pgvtui's ground truth for 100 sampled queries (k=10): binary COPY streamed into numpy with a
  running top-k, plus the ctid → id look-up and exact float64 re-ranking of the winners.

Prints the median times, the ratio ground truth / sequential pass (goal ≤ 3×), peak RSS
(``resource.getrusage``) and a short recall sweep. Markdown on stdout.

    python bench/recall.py            # ~2-4 minutes on 2 cores (most of it the index build)
    python bench/recall.py --rows 20000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import struct
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psycopg
from psycopg import sql

from pgvtui.core.embedded import EmbeddedServer
from pgvtui.core.recall.sweep import RecallReport, RecallSpec, exact_ground_truth, run_recall
from pgvtui.core.session import connect

DIMS = 384


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def load(dsn: str, rows: int) -> float:
    rng = np.random.default_rng(1)
    centers = rng.standard_normal((1000, DIMS)).astype(np.float32)
    rec_dtype = np.dtype(
        [("nf", ">i2"), ("l1", ">i4"), ("id", ">i8"), ("l2", ">i4"), ("dim", ">u2"),
         ("unused", ">u2"), ("v", ">f2", (DIMS,))]
    )  # fmt: skip
    t0 = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn.execute(
            sql.SQL("CREATE TABLE t (id bigint PRIMARY KEY, emb halfvec({}))").format(
                sql.Literal(DIMS)
            )
        )
        with conn.cursor().copy("COPY t (id, emb) FROM STDIN (FORMAT BINARY)") as cp:
            cp.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
            for start in range(0, rows, 10_000):
                n = min(10_000, rows - start)
                x = centers[rng.integers(0, len(centers), n)] + 0.8 * rng.standard_normal(
                    (n, DIMS), dtype=np.float32
                )
                rec = np.zeros(n, dtype=rec_dtype)
                rec["nf"], rec["l1"], rec["l2"], rec["dim"] = 2, 8, 4 + 2 * DIMS, DIMS
                rec["id"] = np.arange(start, start + n)
                rec["v"] = x
                cp.write(rec.tobytes())
            cp.write(struct.pack(">h", -1))
        conn.execute("VACUUM ANALYZE t")
    return time.perf_counter() - t0


def build(dsn: str) -> float:
    t0 = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        conn.execute(
            "CREATE INDEX t_hnsw ON t USING hnsw (emb halfvec_cosine_ops) "
            "WITH (m = 16, ef_construction = 64)"
        )
    return time.perf_counter() - t0


@dataclass
class Measured:
    """Seconds per round of each pass, peak RSS (MB) around them, and a recall sweep."""

    seq: list[float] = field(default_factory=list)  # SELECT sum(vector_dims(emb))
    floor: list[float] = field(default_factory=list)  # server-only binary COPY
    gt: list[float] = field(default_factory=list)  # ground truth, all queries
    gt1: list[float] = field(default_factory=list)  # ground truth, one query
    rss_before: float = 0.0
    rss_after: float = 0.0
    sweep: RecallReport | None = None


async def measure(dsn: str, rounds: int, queries: int) -> Measured:
    session = await connect(dsn)
    admin = psycopg.connect(dsn, autocommit=True)
    m = Measured()
    spec = RecallSpec(index="t_hnsw", k=10, queries=queries, seed=7)
    spec1 = RecallSpec(index="t_hnsw", k=10, queries=1, seed=7)
    m.rss_before = rss_mb()
    seq_q = sql.SQL("SELECT sum(vector_dims(emb)) FROM t")
    for _ in range(rounds):
        t0 = time.perf_counter()
        await session.fetch_value(seq_q)
        m.seq.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        admin.execute("COPY (SELECT tableoid, ctid, emb FROM t) TO '/dev/null' (FORMAT BINARY)")
        m.floor.append(time.perf_counter() - t0)
        _target, truth, _ids = await exact_ground_truth(session, spec)
        m.gt.append(truth.seconds)
        _target, truth, _ids = await exact_ground_truth(session, spec1)
        m.gt1.append(truth.seconds)
    m.rss_after = rss_mb()
    m.sweep = await run_recall(session, RecallSpec(index="t_hnsw", ef_search=(10, 40, 100, 200)))
    await session.close()
    admin.close()
    return m


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--truth", action="store_true", help="issue #17's ground-truth measurements")
    ap.add_argument("--dims", type=int, default=256, help="with --truth")
    args = ap.parse_args()
    if args.truth:
        return truth_main(args)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="pgvtui-bench-recall-"))
    server = EmbeddedServer(
        tmp / "pg",
        settings={
            "shared_buffers": "256MB",
            "max_parallel_maintenance_workers": "2",
            "max_worker_processes": "8",
        },
    )
    server.start()
    try:
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        dsn = server.dsn("bench")
        t_load = load(dsn, args.rows)
        t_build = build(dsn)
        res = asyncio.run(measure(dsn, args.rounds, args.queries))
    finally:
        server.destroy()
        shutil.rmtree(tmp, ignore_errors=True)
    seq, floor, gt, gt1 = (statistics.median(x) for x in (res.seq, res.floor, res.gt, res.gt1))
    print(f"## Recall ground truth — {args.rows:,} × halfvec({DIMS}), {args.queries} queries\n")
    print(f"load {t_load:.1f} s, HNSW build {t_build:.1f} s (parallel, maintenance_work_mem 1GB)\n")
    print(f"| measurement (median of {args.rounds} rounds) | seconds | × seq pass |")
    print("| --- | ---: | ---: |")
    print(f"| sequential pass `SELECT sum(vector_dims(emb)) FROM t` | {seq:.3f} | 1.0 |")
    print(f"| server-only binary COPY to /dev/null (floor) | {floor:.3f} | {floor / seq:.1f} |")
    print(f"| pgvtui ground truth, 1 query (stream + decode) | {gt1:.3f} | {gt1 / seq:.1f} |")
    print(f"| pgvtui ground truth, {args.queries} queries, k=10 | {gt:.3f} | {gt / seq:.1f} |")
    print(
        f"\npeak RSS {res.rss_after:.0f} MB (before the ground-truth rounds "
        f"{res.rss_before:.0f} MB)\n"
    )
    print("ground truth rounds:", ", ".join(f"{x:.3f}" for x in res.gt))
    print("seq pass rounds:", ", ".join(f"{x:.3f}" for x in res.seq))
    assert res.sweep is not None
    print("\n| ef_search | recall@10 | p50 ms | p95 ms |\n| ---: | ---: | ---: | ---: |")
    for r in res.sweep.results:
        print(
            f"| {r.settings['hnsw.ef_search']} | {r.recall_mean:.3f} | "
            f"{r.latency_ms_p50:.2f} | {r.latency_ms_p95:.2f} |"
        )
    load1, load5, _ = os.getloadavg()
    print(f"\nload average during the run: {load1:.1f} (1 min), {load5:.1f} (5 min) on 2 cores")
    print(f"\ntotal bench time {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


# -- issue #17: ground truth against its own floor, the exact queries, and memory ------------
#
#     python bench/recall.py --truth [--rows 100000] [--dims 256] [--rounds 3]
#
# On a table of ``--rows`` × halfvec(``--dims``) with an IVFFlat index (only to name the column
# and metric; the ground truth never uses it), side by side, alternating:
# - the floor for reading the vectors: a binary COPY of the id and key column, read and
#   discarded by psycopg (``async for _ in copy``);
# - pgvtui's ground truth for 100 and for 1,000 sampled queries (k = 10);
# - exact queries one by one (``ORDER BY emb <=> q LIMIT 10`` with index scans off), a sample of
#   them timed and scaled to 1,000;
# then, each in a fresh process, the ground truth's peak RSS (VmHWM) over 50k and 200k ×
# vector(128) rows, less the process's RSS before it.

TRUTH_CHILD = r"""
import asyncio, sys
from pgvtui.core.recall.sweep import RecallSpec, exact_ground_truth
from pgvtui.core.session import connect

def hwm():
    return int([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])

async def main(dsn, index):
    session = await connect(dsn)
    before = hwm()
    await exact_ground_truth(session, RecallSpec(index=index, k=10, queries=100, seed=3))
    print(before, hwm())
    await session.close()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def load_typed(dsn: str, table: str, rows: int, dims: int, vtype: str) -> None:
    rng = np.random.default_rng(2)
    elem, size = (">f2", 2) if vtype == "halfvec" else (">f4", 4)
    rec_dtype = np.dtype(
        [("nf", ">i2"), ("l1", ">i4"), ("id", ">i8"), ("l2", ">i4"), ("dim", ">u2"),
         ("unused", ">u2"), ("v", elem, (dims,))]
    )  # fmt: skip
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn.execute(
            sql.SQL("CREATE TABLE {} (id bigint PRIMARY KEY, emb {}({}))").format(
                sql.Identifier(table), sql.SQL(vtype), sql.Literal(dims)
            )
        )
        copy_sql = sql.SQL("COPY {} (id, emb) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(table)
        )
        with conn.cursor().copy(copy_sql) as cp:
            cp.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
            for start in range(0, rows, 10_000):
                n = min(10_000, rows - start)
                rec = np.zeros(n, dtype=rec_dtype)
                rec["nf"], rec["l1"], rec["l2"], rec["dim"] = 2, 8, 4 + size * dims, dims
                rec["id"] = np.arange(start, start + n)
                rec["v"] = rng.standard_normal((n, dims), dtype=np.float32)
                cp.write(rec.tobytes())
            cp.write(struct.pack(">h", -1))
        ops = "halfvec_cosine_ops" if vtype == "halfvec" else "vector_cosine_ops"
        conn.execute(
            sql.SQL("CREATE INDEX {} ON {} USING ivfflat (emb {}) WITH (lists = 10)").format(
                sql.Identifier(f"{table}_idx"), sql.Identifier(table), sql.SQL(ops)
            )
        )
        conn.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))


async def truth_rounds(dsn: str, rounds: int, one_by_one: int) -> dict[str, list[float]]:
    session = await connect(dsn)
    times: dict[str, list[float]] = {"floor": [], "gt100": [], "gt1000": [], "exact1": []}
    copy_q = sql.SQL("COPY (SELECT id, emb FROM t17) TO STDOUT (FORMAT BINARY)")
    spec100 = RecallSpec(index="t17_idx", k=10, queries=100, seed=7)
    spec1000 = RecallSpec(index="t17_idx", k=10, queries=1000, seed=7)
    conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
    await conn.execute("SET enable_indexscan = off")
    probe = await (await conn.execute("SELECT emb FROM t17 LIMIT %s", (one_by_one,))).fetchall()
    exact_q = "SELECT id FROM t17 ORDER BY emb <=> %s LIMIT 10"
    for _ in range(rounds):
        t0 = time.perf_counter()
        async with conn.cursor().copy(copy_q) as cp:
            async for _data in cp:
                pass
        times["floor"].append(time.perf_counter() - t0)
        times["gt100"].append((await exact_ground_truth(session, spec100))[1].seconds)
        times["gt1000"].append((await exact_ground_truth(session, spec1000))[1].seconds)
        t0 = time.perf_counter()
        for (vec,) in probe:
            await (await conn.execute(exact_q, (vec,))).fetchall()
        times["exact1"].append((time.perf_counter() - t0) / len(probe))
    await conn.close()
    await session.close()
    return times


def truth_main(args: argparse.Namespace) -> int:
    import subprocess

    tmp = Path(tempfile.mkdtemp(prefix="pgvtui-bench-truth-"))
    server = EmbeddedServer(tmp / "pg", settings={"shared_buffers": "256MB"})
    server.start()
    rss: dict[int, tuple[int, int]] = {}
    try:
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        dsn = server.dsn("bench")
        load_typed(dsn, "t17", args.rows, args.dims, "halfvec")
        times = asyncio.run(truth_rounds(dsn, args.rounds, 20))
        for rows in (50_000, 200_000):
            table = f"r{rows}"
            load_typed(dsn, table, rows, 128, "vector")
            out = subprocess.run(
                [sys.executable, "-c", TRUTH_CHILD, dsn, f"{table}_idx"],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            before, peak = (int(x) for x in out.stdout.split())
            rss[rows] = (before, peak)
    finally:
        server.destroy()
        shutil.rmtree(tmp, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"## Ground truth — {args.rows:,} × halfvec({args.dims}), k = 10\n")
    print(f"| measurement (median of {args.rounds} rounds) | seconds | ratio |")
    print("| --- | ---: | ---: |")
    floor, gt100, gt1000 = med["floor"], med["gt100"], med["gt1000"]
    one_by_one = med["exact1"] * 1000
    rows_out = [
        ("floor: binary COPY of id + emb, read and discarded by psycopg", floor, "1.00"),
        ("ground truth, 100 queries", gt100, f"{gt100 / floor:.2f}× floor (goal ≤ 1.5×)"),
        (
            "ground truth, 1,000 queries",
            gt1000,
            f"{one_by_one / gt1000:.1f}× faster than one by one (goal ≥ 10×)",
        ),
        (f"exact queries one by one × 1,000 ({med['exact1'] * 1000:.1f} ms each)", one_by_one, ""),
    ]
    for name, secs, ratio in rows_out:
        print(f"| {name} | {secs:.3f} | {ratio} |")
    print("\n| table (vector(128)) | RSS before | peak | the ground truth's own |")
    print("| ---: | ---: | ---: | ---: |")
    for rows, (before, peak) in rss.items():
        own = (peak - before) / 1024
        print(f"| {rows:,} rows | {before / 1024:.0f} MB | {peak / 1024:.0f} MB | {own:.0f} MB |")
    load1, load5, _ = os.getloadavg()
    print(f"\nload average: {load1:.1f} (1 min), {load5:.1f} (5 min) on 2 cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
