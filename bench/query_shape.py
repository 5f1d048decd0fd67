"""Time to read a query's shape: the hand-written analyser (before #11) against the one on
PostgreSQL's parser (after), side by side in one run.

The old analyser is loaded from git history (commit d88bf0e, ``pgvtui/core/query/analysis.py``),
so run this in a git checkout:

    python bench/query_shape.py --repeat 7

Prints, per input, the median milliseconds of each (interleaved runs) and the ratio new/old, or
what the old one raised.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pgvtui.core.query import analyze_query  # noqa: E402

OLD_COMMIT = "d88bf0e"


def old_analyser() -> Callable[[str], Any]:
    source = subprocess.run(
        ["git", "show", f"{OLD_COMMIT}:pgvtui/core/query/analysis.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType("old_analysis")
    sys.modules["old_analysis"] = module  # dataclasses look their module up
    exec(compile(source, "old_analysis.py", "exec"), module.__dict__)
    fn: Callable[[str], Any] = module.analyze_query
    return fn


def inputs() -> dict[str, str]:
    recorded = json.loads((ROOT / "tests/data/plans-pg18.json").read_text())
    out = {"recorded " + e["name"].split(" ", 1)[0]: e["sql"] for e in recorded[:6]}
    out["pg_stat_statements text"] = (
        "SELECT id, content, 1 - (embedding <=> $1) AS similarity FROM documents"
        " WHERE collection_id = $2::UUID AND (metadata->>$3) = $4"
        " ORDER BY embedding <=> $1 LIMIT $5"
    )
    out["IN list of 3,400 ids"] = (
        "SELECT id FROM items WHERE id IN ("
        + ", ".join(str(i) for i in range(3_400))
        + ") ORDER BY emb <-> $1 LIMIT 5"
    )
    out["ARRAY of 4,096 elements"] = (
        "SELECT id FROM items ORDER BY emb <-> ARRAY["
        + ", ".join("0.5" for _ in range(4_096))
        + "]::vector LIMIT 5"
    )
    out["2,000 UNION ALL branches"] = " UNION ALL ".join(
        f"SELECT id FROM t{i}" for i in range(2_000)
    )
    out["1,000 nested parentheses"] = (
        "SELECT id FROM items ORDER BY " + "(" * 1_000 + "emb <-> $1" + ")" * 1_000 + " LIMIT 3"
    )
    return out


def timed(fn: Callable[[str], Any], sql: str) -> float | str:
    start = time.perf_counter()
    try:
        fn(sql)
    except Exception as exc:
        return type(exc).__name__
    return (time.perf_counter() - start) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    old = old_analyser()
    print("| input | chars | before ms | after ms | after/before |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, sql in inputs().items():
        before: list[float] = []
        after: list[float] = []
        failed: str | None = None
        for _ in range(args.repeat):
            b = timed(old, sql)
            if isinstance(b, str):
                failed = b
            else:
                before.append(b)
            a = timed(analyze_query, sql)
            assert isinstance(a, float), a
            after.append(a)
        med_a = statistics.median(after)
        if failed is not None:
            print(f"| {name} | {len(sql):,} | {failed} | {med_a:.1f} | – |")
            continue
        med_b = statistics.median(before)
        print(f"| {name} | {len(sql):,} | {med_b:.1f} | {med_a:.1f} | {med_a / med_b:.1f} |")


if __name__ == "__main__":
    main()
