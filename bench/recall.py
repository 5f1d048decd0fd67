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
    args = ap.parse_args()
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


if __name__ == "__main__":
    raise SystemExit(main())
