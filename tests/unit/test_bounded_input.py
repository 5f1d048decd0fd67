"""Bounded input: plan files, query files and --sql have a size limit (16 MB by default,
``--max-input-size`` / ``PGVTUI_MAX_INPUT_SIZE``) that is checked before the input is read into
memory, and text output cuts long strings (expressions, vectors) short with a note."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from pgvtui.render.plan_text import MAX_SHOWN, elide

LIMIT_HINT = "(raise the limit with --max-input-size or PGVTUI_MAX_INPUT_SIZE)"
RSS_BOUND_KB = 200 * 1024  # a process that read a 50 MB file whole would be far above this


def plan_with_filter(path: Path, chars: int) -> Path:
    """An EXPLAIN (FORMAT JSON) document whose Filter holds one string literal of ``chars``."""
    head = "(name = '"
    doc = [
        {
            "Plan": {
                "Node Type": "Seq Scan",
                "Relation Name": "items",
                "Alias": "items",
                "Startup Cost": 0.0,
                "Total Cost": 1.0,
                "Plan Rows": 1,
                "Plan Width": 4,
                "Filter": "@",
            },
            "Planning Time": 0.1,
            "Execution Time": 1.0,
        }
    ]
    before, after = json.dumps(doc).split('"@"')
    with path.open("w") as f:  # written in pieces: the test process stays small
        f.write(before + '"' + head)
        for _ in range(chars // 65536):
            f.write("x" * 65536)
        f.write("x" * (chars % 65536) + "'::text)\"" + after)
    return path


# Runs the CLI and then writes its own high-water mark (VmHWM: this process image only, not the
# forking parent's) to the file named in argv[1].
_MEASURED = (
    "import sys\n"
    "from pgvtui.cli import main\n"
    "out = sys.argv.pop(1)\n"
    "try:\n"
    "    code = main(sys.argv[1:])\n"
    "finally:\n"
    "    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
    "    open(out, 'w').write(hwm)\n"
    "sys.exit(code)\n"
)


def run_cli(
    *args: str, stdin: Path | None = None, env: dict[str, str] | None = None
) -> tuple[int, str, str, int]:
    """``pgvtui …`` in a subprocess: (exit code, stdout, stderr, its peak RSS in kB)."""
    with tempfile.TemporaryDirectory() as tmp, open(stdin or os.devnull, "rb") as inp:
        hwm = Path(tmp) / "hwm"
        proc = subprocess.run(
            [sys.executable, "-c", _MEASURED, str(hwm), *args],
            stdin=inp,
            capture_output=True,
            env={**os.environ, **(env or {})},
            timeout=120,
            check=False,
        )
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode(), int(hwm.read_text())


@pytest.fixture(scope="module")
def big_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return plan_with_filter(tmp_path_factory.mktemp("big") / "plan50.json", 50 * 1024 * 1024)


def test_50_mb_plan_file_is_refused_before_it_is_read(big_plan: Path) -> None:
    code, out, err, rss = run_cli("check", "--plan-file", str(big_plan))
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        f"Input too large: plan file {str(big_plan)!r} is larger than 16 MB {LIMIT_HINT}"
    ]
    assert rss < RSS_BOUND_KB, rss


def test_50_mb_plan_on_stdin_is_read_only_up_to_the_limit(big_plan: Path) -> None:
    code, _out, err, rss = run_cli(
        "check", "--plan-file", "-", stdin=big_plan, env={"PGVTUI_MAX_INPUT_SIZE": "4MB"}
    )
    assert code == 2
    assert err.strip() == f"Input too large: plan file (stdin) is larger than 4 MB {LIMIT_HINT}"
    assert rss < RSS_BOUND_KB, rss


def test_flag_limits_sql_and_query_files(tmp_path: Path) -> None:
    query = tmp_path / "q.sql"
    query.write_text("SELECT 1 -- " + "x" * 3000)
    code, _out, err, _rss = run_cli("check", "--file", str(query), "--max-input-size", "2kB")
    assert code == 2
    assert err.strip() == (
        f"Input too large: query file {str(query)!r} is larger than 2,048 bytes {LIMIT_HINT}"
    )
    code, _out, err, _rss = run_cli(
        "check", "--sql", "SELECT 1 -- " + "x" * 3000, "--max-input-size", "2kB"
    )
    assert code == 2
    assert err.strip().startswith("Input too large: the query (--sql) is larger than 2,048 bytes")


def test_a_long_string_is_elided_in_text_and_whole_in_json(tmp_path: Path) -> None:
    size = 3 * 1024 * 1024
    plan = plan_with_filter(tmp_path / "plan3.json", size)
    _code, _out, _err, base = run_cli(
        "check", "--plan-file", str(plan_with_filter(tmp_path / "tiny.json", 10))
    )
    code, out, err, rss = run_cli("check", "--plan-file", str(plan), "--max-input-size", "8MB")
    assert code == 0, err
    assert (rss - base) * 1024 < 12 * size, (rss, base)  # a small multiple of the input
    lines = out.splitlines()
    assert len(lines) < 60, len(lines)  # 3 MB would wrap to ~40,000 lines at 80 columns
    assert "characters)" in out and "… (+" in out
    assert "strings over 1,000 characters are cut short; --format json has them in full" in out
    code, out, err, _rss = run_cli(
        "check", "--plan-file", str(plan), "--max-input-size", "8MB", "--format", "json"
    )
    assert code == 0, err
    assert "x" * (3 * 1024 * 1024) in out


def test_elide() -> None:
    assert elide("short") == "short"
    text = "y" * (MAX_SHOWN + 25)
    assert elide(text) == "y" * MAX_SHOWN + "… (+25 characters)"
