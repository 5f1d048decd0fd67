"""First paint with the server's data: pgvtui against Harlequin and pgcli, in tmux, same run.

Each tool is started in a fresh tmux session at 160×48 against the same embedded server
(PostgreSQL 18 + pgvector, one small table); the pane is captured every 20 ms until the tool
shows something it can only know from the server:

- pgvtui: the server version on the Overview (``PostgreSQL  18.x``);
- pgcli: its banner's ``Server: PostgreSQL 18.x``;
- Harlequin (``-a postgres``): the database in its Data Catalog (``bench db``), which it lists
  from the server (it shows no version).

Runs are interleaved (tool A, B, C, A, B, C …); medians. Harlequin and pgcli are not pgvtui
dependencies: install them into a separate environment and pass its bin directory, e.g.

    python -m venv /tmp/clients && /tmp/clients/bin/pip install harlequin harlequin-postgres pgcli
    python bench/first_paint.py --clients /tmp/clients/bin [--runs 7]

Goal (issue #17): pgvtui ≤ 0.5 s on an idle machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from pgvtui.core.embedded import EmbeddedServer

DB = "bench"


def first_paint(name: str, command: str, marker: re.Pattern[str], timeout: float = 30.0) -> float:
    """Seconds from starting ``command`` in a new tmux session until ``marker`` is on screen."""
    session = f"pgvtui-bench-{name}"
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
    t0 = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "48", command], check=True
    )
    try:
        while time.perf_counter() - t0 < timeout:
            pane = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
            ).stdout
            if marker.search(pane):
                return time.perf_counter() - t0
            time.sleep(0.02)
        raise RuntimeError(f"{name}: marker not seen within {timeout} s")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--clients", type=Path, required=True, help="bin dir with harlequin, pgcli")
    args = ap.parse_args()
    parent = Path(tempfile.mkdtemp(prefix="pgvtui-paint-"))
    server = EmbeddedServer(parent / "pg")
    server.start()
    try:
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DB}")
        with psycopg.connect(server.dsn(DB), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION vector")
            conn.execute("CREATE TABLE items (id int PRIMARY KEY, emb vector(3))")
            conn.execute("CREATE INDEX ON items USING hnsw (emb vector_l2_ops)")
        port = psycopg.conninfo.conninfo_to_dict(server.dsn())["port"]
        uri = f"postgresql://postgres@127.0.0.1:{port}/{DB}"
        pgvtui = shlex.quote(str(Path(sys.executable).with_name("pgvtui")))
        if os.environ.get("PYTHONPATH"):  # a tmux session does not inherit it
            pgvtui = f"env PYTHONPATH={shlex.quote(os.environ['PYTHONPATH'])} {pgvtui}"
        tools = {
            "pgvtui": (f"{pgvtui} {uri}", re.compile(r"PostgreSQL\s+18\.")),
            "pgcli": (
                f"{shlex.quote(str(args.clients / 'pgcli'))} {uri}",
                re.compile(r"Server: PostgreSQL 18"),
            ),
            "harlequin": (
                f"{shlex.quote(str(args.clients / 'harlequin'))} -a postgres {uri}",
                re.compile(rf"{DB} db"),
            ),
        }
        times: dict[str, list[float]] = {name: [] for name in tools}
        for _ in range(args.runs):
            for name, (command, marker) in tools.items():
                times[name].append(first_paint(name, command, marker))
    finally:
        server.destroy()
        shutil.rmtree(parent, ignore_errors=True)
    base = statistics.median(times["pgvtui"])
    print(f"runs: {args.runs} per tool, interleaved; medians (min–max)\n")
    print("| tool | first paint with server data | vs pgvtui |")
    print("| --- | ---: | ---: |")
    for name, values in times.items():
        med = statistics.median(values)
        print(
            f"| {name} | {med * 1000:.0f} ms ({min(values) * 1000:.0f}–{max(values) * 1000:.0f}) "
            f"| {med / base:.2f}× |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
