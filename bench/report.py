"""``pgvtui report`` concurrency: wall time of N databases checked with --jobs N, against the
slowest of them checked alone (and against --jobs 1, one after the other).

Starts its own embedded PostgreSQL + pgvector in a temp dir and builds N demo databases
(``build_demo`` at --rows rows each: 9 ANN indexes, the demo's flaws). Then, several rounds,
interleaved: each database alone (one target, jobs 1), all N with jobs N, all N with jobs 1.
The report's own collection code runs (``collect_fleet``), in-process, as the CLI runs it.

Prints the medians and the ratios as Markdown. Everything shares this machine's cores — the
client, and one server serving all N databases — so the ratio is an upper bound on what a real
fleet (one server per database) would show.

    python bench/report.py                 # 6 databases × 2000 rows, 3 rounds (~1-2 minutes)
    python bench/report.py --dbs 8 --rows 1000 --rounds 5
    python bench/report.py --dbs 6 --rows 1000 --recall-sample 10   # with the recall check
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

from pgvtui.core.demo import build_demo
from pgvtui.core.embedded import EmbeddedServer
from pgvtui.core.report.collect import Checked, ReportOptions, collect_fleet
from pgvtui.core.report.targets import Target, make_targets

RECALL_SAMPLE = 0


def wall(targets: list[Target], jobs: int) -> float:
    opts = ReportOptions(jobs=jobs, recall_sample=RECALL_SAMPLE)
    start = time.perf_counter()
    outcomes = asyncio.run(collect_fleet(targets, opts))
    took = time.perf_counter() - start
    bad = [o for o in outcomes if not isinstance(o, Checked)]
    assert not bad, bad
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dbs", type=int, default=6)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--recall-sample", type=int, default=0, help="as pgvtui report's")
    args = ap.parse_args()
    global RECALL_SAMPLE
    RECALL_SAMPLE = args.recall_sample
    tmp = Path(tempfile.mkdtemp(prefix="pgvtui-bench-report-"))
    server = EmbeddedServer(tmp / "pg", settings={"shared_buffers": "128MB"})
    try:
        server.start()
        names = [f"fleet_{i}" for i in range(args.dbs)]
        t0 = time.perf_counter()
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            for n in names:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(n)))
        for n in names:
            build_demo(server.dsn(n), rows=args.rows)
        print(f"built {args.dbs} demo databases × {args.rows} rows in "
              f"{time.perf_counter() - t0:.0f} s\n")  # fmt: skip
        targets = make_targets([server.dsn(n) for n in names])
        wall([targets[0]], 1)  # warm-up: imports, catalog caches
        alone: dict[str, list[float]] = {t.label: [] for t in targets}
        together: list[float] = []
        serial: list[float] = []
        for _ in range(args.rounds):
            for t in targets:
                alone[t.label].append(wall([t], 1))
            together.append(wall(targets, len(targets)))
            serial.append(wall(targets, 1))
        med = {k: statistics.median(v) for k, v in alone.items()}
        slowest = max(med.values())
        per_db = statistics.median(med.values())
        tog, ser = statistics.median(together), statistics.median(serial)
        head = ["databases", "rows each", "recall sample", "rounds", "slowest alone s",
                "median alone s", f"all, --jobs {args.dbs} s", "all, --jobs 1 s",
                "jobs N / slowest alone", "jobs N / jobs 1"]  # fmt: skip
        row = [args.dbs, args.rows, args.recall_sample, args.rounds, f"{slowest:.2f}",
               f"{per_db:.2f}", f"{tog:.2f}", f"{ser:.2f}", f"{tog / slowest:.2f}",
               f"{tog / ser:.2f}"]  # fmt: skip
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join(" ---: " for _ in head) + "|")
        print("| " + " | ".join(map(str, row)) + " |")
    finally:
        server.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
