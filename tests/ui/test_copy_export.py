"""Copy reaches tmux's buffer and a desktop clipboard tool when they exist (fake tools on PATH
record what they were given), the toast says where it went, F7 copies EXPLAIN text, and exports
ask for the path with one numbering for md and json."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from pgvtui.ui.clipboard import clipboard_commands, copy_summary, copy_with_tools
from pgvtui.ui.screens.export_path import ExportPathScreen
from pgvtui.ui.screens.search import SearchScreen

from ..snapshots.test_snapshots import make_app, settle


def _fake_tool(bindir: Path, name: str, out: Path, status: int = 0) -> None:
    script = bindir / name
    script.write_text(f'#!/bin/sh\necho "$@" > "{out}.args"\n/bin/cat > "{out}"\nexit {status}\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


async def test_copy_goes_to_tmux_and_the_desktop_tool(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    _fake_tool(bindir, "tmux", tmp_path / "tmux")
    _fake_tool(bindir, "xclip", tmp_path / "xclip")
    env = {"PATH": str(bindir), "TMUX": "/tmp/tmux-1/default,1,0", "DISPLAY": ":0"}
    done = await copy_with_tools("SELECT 1;\n", env)
    assert done == ["tmux buffer", "xclip"]
    assert (tmp_path / "tmux").read_text() == "SELECT 1;\n"
    assert (tmp_path / "tmux.args").read_text().split() == ["load-buffer", "-w", "-"]
    assert (tmp_path / "xclip").read_text() == "SELECT 1;\n"
    assert "tmux buffer, xclip" in copy_summary("Fix", done)


async def test_an_old_tmux_without_w_and_no_tools_at_all(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    # A tmux that fails on "-w" (before 3.2) but takes "load-buffer -".
    script = bindir / "tmux"
    out = tmp_path / "tmux"
    script.write_text(f'#!/bin/sh\n[ "$2" = "-w" ] && exit 1\n/bin/cat > "{out}"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    assert await copy_with_tools("x", {"PATH": str(bindir), "TMUX": "t"}) == ["tmux buffer"]
    assert out.read_text() == "x"
    # Outside tmux with no display and no tool: nothing but OSC 52, and the toast says so.
    assert clipboard_commands({"PATH": str(bindir)}) == []
    assert await copy_with_tools("x", {"PATH": str(bindir)}) == []
    assert "OSC 52) only" in copy_summary("Fix", [])


async def _searched(pilot: Pilot[Any]) -> SearchScreen:
    await settle(pilot)
    await pilot.press("f5")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SearchScreen) and screen.outcome is not None
    return screen


async def test_f7_copies_explain_text(monkeypatch: Any) -> None:
    monkeypatch.setenv("PATH", os.devnull)  # no tools: OSC 52 only
    monkeypatch.delenv("TMUX", raising=False)
    app = make_app("search")
    async with app.run_test(size=(120, 40)) as pilot:
        await _searched(pilot)
        await pilot.press("f7")
        await settle(pilot)
        text = app.clipboard
        assert text.startswith("Limit  (cost=") and "\n  ->  Sort  (cost=" in text
        assert "Sort Key: ((emb <=> " in text and text.rstrip().endswith(" ms")
        assert app.last_copy == []


async def test_exports_ask_for_the_path_and_share_one_number(tmp_path: Path) -> None:
    (tmp_path / "pgvtui-search-1.json").write_text("{}")  # an older export
    app = make_app("search")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _searched(pilot)
        screen.export_dir = tmp_path
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, ExportPathScreen)
        assert app.screen.query_one(Input).value == str(tmp_path / "pgvtui-search-2.md")
        await pilot.press("enter")
        await pilot.press("f9")
        await pilot.pause()
        field = app.screen.query_one(Input)
        assert field.value == str(tmp_path / "pgvtui-search-2.json")  # same run, same N
        (tmp_path / "sub").mkdir()
        field.value = str(tmp_path / "sub")  # a directory: the default name inside it
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f8")  # this run's N is taken in md: the next free one
        await pilot.pause()
        assert app.screen.query_one(Input).value == str(tmp_path / "pgvtui-search-3.md")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportPathScreen)
    md = (tmp_path / "pgvtui-search-2.md").read_text()
    assert "Database: `demo@db.example:5432/pgvtui_demo`" in md and "Exported: " in md
    assert "## EXPLAIN" in md and "->  Sort  (cost=" in md
    assert (tmp_path / "sub" / "pgvtui-search-2.json").exists()
    assert not (tmp_path / "pgvtui-search-2.json").exists()
