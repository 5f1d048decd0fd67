"""TUI start-up: time from launching ``pgvtui <conninfo>`` to the first screen painted.

Each measurement is a fresh process, launched the way the CLI runs (``pgvtui.cli.main``), with
the App run headless; the child prints wall-clock timestamps of (a) the first refresh after the
first screen mounted ("first paint") and (b) the inventory arriving ("data shown"), then exits.
Side by side in the same run: ``python -c pass``, ``python -c "import textual"`` and a bare
Textual App's first paint, so the numbers can be read against what Python and Textual cost.

The CLI's own start-up rows, ``pgvtui --version`` and ``pgvtui --help`` (the installed console
script, a fresh process each), are read against ``python -c pass`` (goal: at most 2×);
``--cli-only`` measures just those, without a server.

Usage: python bench/startup.py [--runs 7] [--dsn CONNINFO] [--cli-only]
Without --dsn an embedded PostgreSQL + pgvector is started in a temporary directory, with one
table (2,000 × vector(64) and an HNSW index).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pgvtui.core.embedded import EmbeddedServer

CHILD_PGVTUI = r"""
import sys, time, json
from pgvtui.ui.app import PgvtuiApp
marks = {}
orig_mount = PgvtuiApp.on_mount
def shown(app):
    marks.setdefault("data_shown", time.time())
    app.exit()
def on_mount(self):
    orig_mount(self)
    self.call_after_refresh(lambda: marks.setdefault("first_paint", time.time()))
    self.watch(self, "inventory", lambda inv: inv is not None and self.call_after_refresh(
        shown, self), init=False)
PgvtuiApp.on_mount = on_mount
orig_run = PgvtuiApp.run
PgvtuiApp.run = lambda self, *a, **k: orig_run(self, headless=True, size=(160, 48))
from pgvtui.cli import main
rc = main([sys.argv[1]])
print(json.dumps(marks))
"""

CHILD_BARE = r"""
import time, json
from textual.app import App
from textual.widgets import Static
marks = {}
class Bare(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.call_after_refresh(lambda: (marks.setdefault("first_paint", time.time()), self.exit()))
Bare().run(headless=True, size=(160, 48))
print(json.dumps(marks))
"""


def timed(cmd: list[str]) -> tuple[float, dict[str, float]]:
    """(seconds until the process exited, {mark: seconds since launch})."""
    start = time.time()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    end = time.time()
    marks: dict[str, float] = {}
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    if last.startswith("{"):
        marks = {k: v - start for k, v in json.loads(last).items()}
    return end - start, marks


def start_server(tmp: Path) -> tuple[EmbeddedServer, str]:
    import psycopg

    from pgvtui.core.embedded import EmbeddedServer

    server = EmbeddedServer(tmp / "pg")
    server.start()
    dsn = server.dsn()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_buffercache")
        conn.execute("DROP TABLE IF EXISTS bench_items")
        conn.execute("CREATE TABLE bench_items (id int PRIMARY KEY, emb vector(64))")
        conn.execute(
            "INSERT INTO bench_items SELECT i, (SELECT array_agg(random())::vector(64) "
            "FROM generate_series(1, 64) WHERE i > 0) FROM generate_series(1, 2000) i"
        )
        conn.execute("CREATE INDEX ON bench_items USING hnsw (emb vector_l2_ops)")
        conn.execute("ANALYZE bench_items")
    return server, dsn


def median_ms(values: list[float]) -> float:
    return 1000 * statistics.median(values)


def cli_startup(runs: int) -> dict[str, list[float]]:
    """``pgvtui --version`` / ``--help`` (the console script next to this interpreter) against
    ``python -c pass``, interleaved; prints a table of medians and ratios."""
    exe = str(Path(sys.executable).with_name("pgvtui"))
    cmds = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "pgvtui --version": [exe, "--version"],
        "pgvtui --help": [exe, "--help"],
    }
    rows: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            rows[name].append(timed(cmd)[0])
    base = median_ms(rows["python -c pass"])
    print(f"CLI start-up, runs per row: {runs} (median; each run a fresh process)\n")
    print(f"| {'command':<18} | median ms | vs python -c pass |")
    print(f"| {'-' * 18} | --------: | ----------------: |")
    for name, values in rows.items():
        ms = median_ms(values)
        print(f"| {name:<18} | {ms:9.0f} | {ms / base:16.2f}x |")
    print()
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--dsn", help="use this server instead of an embedded one")
    ap.add_argument("--cli-only", action="store_true", help="only --version/--help vs python")
    args = ap.parse_args()
    py = sys.executable
    cli_startup(args.runs)
    if args.cli_only:
        return 0
    server = None
    with tempfile.TemporaryDirectory(prefix="pgvtui-bench-") as tmp:
        dsn = args.dsn
        if dsn is None:
            server, dsn = start_server(Path(tmp))
        try:
            rows: dict[str, list[float]] = {
                "python -c pass (exit)": [],
                'python -c "import textual" (exit)': [],
                "bare Textual App: first paint": [],
                "pgvtui <conninfo>: first paint": [],
                "pgvtui <conninfo>: inventory shown": [],
            }
            for _ in range(args.runs):
                rows["python -c pass (exit)"].append(timed([py, "-c", "pass"])[0])
                rows['python -c "import textual" (exit)'].append(
                    timed([py, "-c", "import textual"])[0]
                )
                rows["bare Textual App: first paint"].append(
                    timed([py, "-c", CHILD_BARE])[1]["first_paint"]
                )
                _total, marks = timed([py, "-c", CHILD_PGVTUI, dsn])
                rows["pgvtui <conninfo>: first paint"].append(marks["first_paint"])
                rows["pgvtui <conninfo>: inventory shown"].append(marks["data_shown"])
        finally:
            if server is not None:
                server.destroy()
    bare = median_ms(rows["bare Textual App: first paint"])
    imp = median_ms(rows['python -c "import textual" (exit)'])
    print(f"runs per row: {args.runs} (median; each run a fresh process)\n")
    print(f"| {'measurement':<38} | median ms | vs import textual | vs bare App |")
    print(f"| {'-' * 38} | --------: | ----------------: | ----------: |")
    for name, values in rows.items():
        ms = median_ms(values)
        print(f"| {name:<38} | {ms:9.0f} | {ms / imp:16.2f}x | {ms / bare:10.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
