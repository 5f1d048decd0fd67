"""Estimator accuracy on fresh builds that are not in tests/data/measured-index-sizes.csv.

Starts its own embedded PostgreSQL + pgvector, builds a grid of HNSW/IVFFlat indexes (types,
dims, m, lists, rows — including dimensions at the HNSW split boundary), and prints the size
model's estimate next to pg_relation_size; then checks the build-memory switch points (the
"hnsw graph no longer fits" NOTICE and IVFFlat's "memory required is" ERROR) against the model,
and the CSV accuracy. Markdown tables on stdout (for docs/benchmarks.md).

    python bench/estimator.py            # ~2-4 minutes on 2 cores
    python bench/estimator.py --quick    # a third of the grid
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from pgvtui.core import sizing
from pgvtui.core.embedded import EmbeddedServer

ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT / "tests" / "data" / "measured-index-sizes.csv"


@dataclass(frozen=True)
class Case:
    method: str
    type: str
    dims: int
    rows: int
    m: int = 16
    lists: int = 100
    nnz: int | None = None
    quick: bool = False

    @property
    def opclass(self) -> str:
        if self.type == "bit":
            return "bit_hamming_ops"
        return f"{self.type}_l2_ops"


GRID = [
    Case("hnsw", "vector", 96, 8000, m=16, quick=True),
    Case("hnsw", "vector", 200, 12000, m=8),
    Case("hnsw", "vector", 256, 6000, m=12),
    Case("hnsw", "vector", 48, 4000, m=48),
    Case("hnsw", "halfvec", 512, 3000, m=24, quick=True),
    Case("hnsw", "bit", 1024, 10000, m=16),
    Case("hnsw", "vector", 1000, 1500, m=4),
    Case("hnsw", "vector", 1968, 1500, m=16, quick=True),  # only upper levels split
    Case("hnsw", "vector", 1976, 1500, m=16),  # level 0 splits too
    Case("hnsw", "vector", 1990, 1500, m=16),
    Case("hnsw", "vector", 1920, 1500, m=32),  # m=32 boundary
    Case("hnsw", "halfvec", 3950, 1000, m=16),
    Case("hnsw", "sparsevec", 30000, 5000, m=16, nnz=100, quick=True),  # the CSV's sparsevec
    Case("hnsw", "sparsevec", 10000, 4000, m=16, nnz=40),
    Case("ivfflat", "vector", 128, 8000, lists=50, quick=True),
    Case("ivfflat", "halfvec", 256, 10000, lists=200),
    Case("ivfflat", "bit", 512, 5000, lists=20),
    Case("ivfflat", "vector", 32, 10000, lists=500),
    Case("ivfflat", "vector", 1000, 3000, lists=30),
]


def column_type(c: Case) -> str:
    return f"{c.type}({c.dims})"


def fill(conn: psycopg.Connection[tuple[object, ...]], c: Case) -> None:
    conn.execute("DROP TABLE IF EXISTS t")
    conn.execute(sql.SQL("CREATE TABLE t (id int, v {})").format(sql.SQL(column_type(c))))
    if c.type in ("vector", "halfvec"):
        value = sql.SQL(
            "(SELECT array_agg(random()) FROM generate_series(1, {d}) WHERE g > 0)::{t}"
        ).format(d=sql.Literal(c.dims), t=sql.SQL(column_type(c)))
    elif c.type == "bit":
        value = sql.SQL(
            "(SELECT string_agg(CASE WHEN random() < 0.5 THEN '1' ELSE '0' END, '') "
            "FROM generate_series(1, {d}) WHERE g > 0)::{t}"
        ).format(d=sql.Literal(c.dims), t=sql.SQL(column_type(c)))
    else:  # sparsevec: nnz distinct random positions
        value = sql.SQL(
            "((SELECT '{{' || string_agg(i || ':' || round(random()::numeric, 4), ',') || "
            "'}}/' || {d} FROM (SELECT DISTINCT i FROM (SELECT 1 + floor(random() * {d})::int "
            "AS i FROM generate_series(1, {n} * 2) WHERE g > 0) s LIMIT {n}) p))::{t}"
        ).format(d=sql.Literal(c.dims), n=sql.Literal(c.nnz), t=sql.SQL(column_type(c)))
    conn.execute(
        sql.SQL("INSERT INTO t SELECT g, {} FROM generate_series(1, {}) g").format(
            value, sql.Literal(c.rows)
        )
    )


def build(conn: psycopg.Connection[tuple[object, ...]], c: Case) -> tuple[int, float]:
    if c.method == "hnsw":
        opts = sql.SQL("m = {}, ef_construction = {}").format(
            sql.Literal(c.m), sql.Literal(max(2 * c.m, 8))
        )
    else:
        opts = sql.SQL("lists = {}").format(sql.Literal(c.lists))
    t0 = time.perf_counter()
    conn.execute(
        sql.SQL("CREATE INDEX t_idx ON t USING {} (v {}) WITH ({})").format(
            sql.SQL(c.method), sql.SQL(c.opclass), opts
        )
    )
    secs = time.perf_counter() - t0
    row = conn.execute("SELECT pg_relation_size('t_idx')").fetchone()
    assert row is not None
    conn.execute("DROP INDEX t_idx")
    return int(str(row[0])), secs


def size_grid(conn: psycopg.Connection[tuple[object, ...]], quick: bool) -> list[float]:
    print(
        "| method | type | dims | nnz | m | lists | rows | measured pages | estimated pages "
        "| error | build s |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    errs: list[float] = []
    conn.execute("SET maintenance_work_mem = '1GB'")  # no spill: a spilled build packs otherwise
    for c in GRID:
        if quick and not c.quick:
            continue
        fill(conn, c)
        actual, secs = build(conn, c)
        spec = sizing.IndexSpec(
            c.method,
            c.type,
            c.dims,
            c.rows,
            m=c.m,
            lists=c.lists,
            nnz=c.nnz,
            ef_construction=max(2 * c.m, 8),
        )
        est = sizing.estimate_size(spec)
        err = (est.bytes - actual) / actual
        errs.append(abs(err))
        print(
            f"| {c.method} | {c.type} | {c.dims} | {c.nnz or ''} | "
            f"{c.m if c.method == 'hnsw' else ''} | {c.lists if c.method == 'ivfflat' else ''} | "
            f"{c.rows:,} | {actual // 8192:,} | {est.pages:,} | {err:+.2%} | {secs:.1f} |",
            flush=True,
        )
    print(f"\n{len(errs)} builds: max |error| {max(errs):.2%}, mean {sum(errs) / len(errs):.2%}\n")
    return errs


def memory_checks(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    print("| build | maintenance_work_mem | predicted | measured |")
    print("| --- | --- | ---: | ---: |")
    notices: list[str] = []
    conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
    conn.execute("SET max_parallel_maintenance_workers = 0")
    c = Case("hnsw", "vector", 128, 10000, m=16)
    fill(conn, c)
    for mwm in (1, 8):
        notices.clear()
        conn.execute(sql.SQL("SET maintenance_work_mem = {}").format(sql.Literal(f"{mwm}MB")))
        build(conn, c)
        got = next((re.search(r"after (\d+) tuples", n) for n in notices if "no longer" in n), None)
        spec = sizing.IndexSpec("hnsw", "vector", 128, c.rows, m=16)
        pred = sizing.build_memory(spec, mwm * 1024 * 1024).spill_after_rows
        print(
            f"| HNSW vector(128) m=16 serial, graph stops fitting after | {mwm}MB | "
            f"{pred:,} rows | {int(got.group(1)):,} rows |"
            if got
            else f"| HNSW vector(128) m=16 serial | {mwm}MB | {pred:,} rows | no NOTICE |"
        )
    c = Case("ivfflat", "vector", 128, 10000, lists=100)
    spec = sizing.IndexSpec("ivfflat", "vector", 128, c.rows, lists=100)
    for setting in ("1MB", "9MB", "9250kB", "9260kB"):
        mwm = sizing.parse_pg_size(setting) or 0
        conn.execute(sql.SQL("SET maintenance_work_mem = {}").format(sql.Literal(setting)))
        pred_b = sizing.build_memory(spec, mwm)
        try:
            build(conn, c)
            measured = "builds"
        except psycopg.errors.ProgramLimitExceeded as exc:
            measured = "ERROR: " + str(exc).strip().splitlines()[0]
        print(
            f"| IVFFlat vector(128) lists=100, 10k rows | {setting} | "
            f"{pred_b.consequence if not pred_b.fits else 'builds'} | {measured} |"
        )
    print()


def csv_accuracy() -> None:
    errs = []
    with CSV.open() as fh:
        for r in csv.DictReader(fh):
            spec = sizing.IndexSpec(
                r["method"],
                r["type"],
                int(r["dims"]),
                int(r["rows"]),
                m=int(r["m"] or 16),
                lists=int(r["lists"] or 100),
                nnz=100 if r["type"] == "sparsevec" else None,
            )
            errs.append(abs(sizing.estimate_size(spec).bytes - int(r["bytes"])) / int(r["bytes"]))
    within = sum(e <= 0.01 for e in errs)
    print(
        f"CSV ({len(errs)} builds): max |error| {max(errs):.2%}, mean {sum(errs) / len(errs):.3%}"
        f", {within} within 1 %"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    t0 = time.perf_counter()
    parent = Path(tempfile.mkdtemp(prefix="pgvtui-bench-est-"))
    server = EmbeddedServer(parent / "pg")
    server.start()
    try:
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION vector")
            row = conn.execute(
                "SELECT current_setting('server_version'), extversion FROM pg_extension "
                "WHERE extname = 'vector'"
            ).fetchone()
            print(f"PostgreSQL {row[0] if row else '?'}, pgvector {row[1] if row else '?'}\n")
            size_grid(conn, args.quick)
            memory_checks(conn)
        csv_accuracy()
    finally:
        server.destroy()
        shutil.rmtree(parent, ignore_errors=True)
    print(f"\ntotal {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
