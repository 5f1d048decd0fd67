"""Start-up: ``pgvtui --version`` and ``--help`` load no command module and no third-party
library; each headless command loads only what it uses (never Textual). Checked on the modules
a fresh interpreter holds afterwards — not with a clock (bench/startup.py measures the time)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pgvtui.cli import build_parser
from pgvtui.commands import COMMANDS, SUMMARIES

HEAVY = ("psycopg", "numpy", "rich", "textual", "pglast", "sqlparse", "pgvector")

_CHILD = """
import contextlib, io, json, sys
from pgvtui.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print(json.dumps(sorted(sys.modules)))
"""


def modules_after(*argv: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, *argv], capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _top(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_load_nothing_heavy(flag: str) -> None:
    mods = modules_after(flag)
    ours = {m for m in mods if m.startswith("pgvtui")}
    assert ours == {"pgvtui", "pgvtui.cli", "pgvtui.commands", "pgvtui.errors"}, ours
    assert not _top(mods) & set(HEAVY), _top(mods) & set(HEAVY)


@pytest.mark.parametrize("command", [c for c in COMMANDS if c not in ("tui", "demo")])
def test_headless_commands_load_no_ui(command: str) -> None:
    mods = modules_after(command, "--help")
    assert "textual" not in _top(mods)
    assert not any(m.startswith("pgvtui.ui") for m in mods)
    others = {f"pgvtui.commands.{c}" for c in COMMANDS if c != command}
    assert not mods & others, mods & others


def test_the_tui_command_loads_no_numpy_or_sqlparse() -> None:
    mods = modules_after("tui", "--help")
    assert not _top(mods) & {"numpy", "sqlparse", "pglast"}


def test_help_summaries_match_the_commands() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    registered = {a.dest: a.help for a in sub._choices_actions}  # type: ignore[attr-defined]
    assert registered == SUMMARIES


def test_inventory_json_loads_no_rich() -> None:
    from pgvtui.commands import inventory

    assert "text_output" not in vars(inventory)  # imported in the text branch only
    mods = modules_after("inventory", "--help")
    assert "rich" not in _top(mods)
