"""Guard + query-shape time per query, before and after a change, side by side in one run.

The "before" tree is ``git archive REV`` unpacked into a temporary directory and timed in a
child process with that tree first on ``sys.path``; the "after" tree is this checkout, timed in
another child the same way. Each input is timed as ``guard.check_sql`` followed by
``query.analyze_query`` (what ``pgvtui check --sql`` does before anything is sent), best of
``--runs``. An input one side refuses is timed until the refusal; one that crashes or takes
longer than ``--timeout`` seconds is reported as such.

Usage: python bench/guard.py [--before d424d05] [--runs 5] [--timeout 60]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

INPUTS = {
    "knn (golden path)": "SELECT id FROM items ORDER BY embedding <=> $1 LIMIT 10",
    "langchain (3 params)": (
        "SELECT e.id, e.document, e.embedding <=> $1 AS distance FROM langchain_pg_embedding e "
        "JOIN langchain_pg_collection c ON e.collection_id = c.uuid "
        "WHERE e.collection_id = $2::UUID ORDER BY distance LIMIT $3"
    ),
    "cte + join": (
        "WITH q AS MATERIALIZED (SELECT embedding FROM items WHERE id = 42) "
        "SELECT i.id FROM items i, q ORDER BY i.embedding <-> q.embedding LIMIT 10"
    ),
    "vector(1536) literal": (
        "SELECT id FROM items ORDER BY embedding <-> '["
        + ",".join(f"{i / 1536:.6f}" for i in range(1536))
        + "]' LIMIT 10"
    ),
    "IN list of 3,400 ids": "SELECT id FROM items WHERE id IN ("
    + ", ".join(str(i) for i in range(3_400))
    + ") ORDER BY embedding <-> $1 LIMIT 10",
    "ARRAY of 4,096": "SELECT ARRAY[" + ", ".join("0.5" for _ in range(4_096)) + "]::vector",
    "2,000 UNION ALL": " UNION ALL ".join(f"SELECT {i}" for i in range(2_000)),
    "101 nested parens": "SELECT " + "(" * 101 + "1" + ")" * 101,
    "4.8 MB string": "SELECT '" + "x" * 4_800_000 + "'",
}

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from pgvtui.core import guard
from pgvtui.core.query import analyze_query
name, text, runs = sys.argv[2], sys.stdin.read(), int(sys.argv[3])
best = None
outcome = "accepted"
for _ in range(runs):
    t = time.perf_counter()
    try:
        guard.check_sql(text)
        analyze_query(text)
        outcome = "accepted"
    except Exception as exc:
        outcome = f"{type(exc).__name__}"
    dt = time.perf_counter() - t
    best = dt if best is None else min(best, dt)
print(json.dumps({"ms": best * 1000, "outcome": outcome}))
"""


def unpack(rev: str, into: Path) -> Path:
    archive = into / "tree.tar"
    with archive.open("wb") as fh:
        subprocess.run(["git", "archive", rev, "pgvtui"], cwd=ROOT, stdout=fh, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


def measure(tree: Path, name: str, text: str, runs: int, timeout: float) -> str:
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(tree), name, str(runs)],
            input=text,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"> {timeout:.0f} s (killed)"
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        return f"crash: {tail[0][:40]}" if done.returncode < 0 else f"error: {tail[0][:40]}"
    res = json.loads(done.stdout)
    return f"{res['ms']:.2f} ms ({res['outcome']})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default="d424d05", help="git revision to compare with")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pgvtui-bench-guard-") as tmp:
        before = unpack(args.before, Path(tmp))
        print(f"| input | before ({args.before}) | after |")
        print("| --- | --- | --- |")
        for name, text in INPUTS.items():
            old = measure(before, name, text, args.runs, args.timeout)
            new = measure(ROOT, name, text, args.runs, args.timeout)
            print(f"| {name} | {old} | {new} |", flush=True)


if __name__ == "__main__":
    main()
