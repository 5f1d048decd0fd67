"""The Search screen's query history: kept in the state dir (0600), without passwords, recalled
with up/down at the editor's edges and searched with F4."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from pgvtui.ui.history import MAX_ENTRIES, QueryHistory, default_path
from pgvtui.ui.screens.history_picker import HistoryPicker
from pgvtui.ui.screens.search import SearchScreen

from ..snapshots.test_snapshots import make_app, settle


def test_history_file_keeps_queries_without_passwords(tmp_path: Path) -> None:
    path = tmp_path / "state" / "h.jsonl"
    h = QueryHistory(path, passwords=["s3cret-pw"])
    h.add("SELECT 1")
    h.add("SELECT 1")  # a repeat in a row is kept once
    h.add("SELECT * FROM dblink('host=x password=hunter2', 'SELECT 1') AS t(a int)")
    h.add("SELECT 's3cret-pw'")
    text = path.read_text()
    assert "hunter2" not in text and "s3cret-pw" not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with path.open("a") as f:
        f.write("not json\n")  # a damaged line is skipped
    again = QueryHistory(path)
    assert again.entries[0] == "SELECT 1" and len(again.entries) == 3
    assert again.search("dblink")[0].startswith("SELECT * FROM dblink('host=x password=****")


def test_recall_steps_and_the_cap(tmp_path: Path) -> None:
    h = QueryHistory(tmp_path / "h.jsonl")
    for i in range(MAX_ENTRIES + 5):
        h.add(f"SELECT {i}")
    assert len(QueryHistory(tmp_path / "h.jsonl").entries) == MAX_ENTRIES
    assert h.step(+1) is None  # nothing newer than the editor
    assert h.step(-1) == f"SELECT {MAX_ENTRIES + 4}"
    assert h.step(-1) == f"SELECT {MAX_ENTRIES + 3}"
    assert h.step(+1) == f"SELECT {MAX_ENTRIES + 4}"
    assert h.step(+1) is None
    assert h.search("SELECT 7")[:2] == ["SELECT 79", "SELECT 78"]


def test_state_dir_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGVTUI_STATE_DIR", str(tmp_path))
    assert default_path() == tmp_path / "search-history.jsonl"


async def test_up_recalls_and_f4_searches(monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app("search")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        for sql in ("SELECT 1 AS first", "SELECT 2 AS second"):
            screen.editor.load_text(sql)
            await pilot.press("f5")
            await settle(pilot)
        stored = default_path().read_text().splitlines()
        assert [json.loads(line)["sql"] for line in stored][-2:] == [
            "SELECT 1 AS first",
            "SELECT 2 AS second",
        ]
        assert "db.example" not in "".join(stored)  # no conninfo
        screen.editor.load_text("")
        screen.editor.focus()
        await pilot.press("up")
        assert screen.editor.text == "SELECT 2 AS second"
        await pilot.press("up")
        assert screen.editor.text == "SELECT 1 AS first"
        await pilot.press("down")
        assert screen.editor.text == "SELECT 2 AS second"
        await pilot.press("escape", "f4")
        await pilot.pause()
        assert isinstance(app.screen, HistoryPicker)
        await pilot.press(*"first", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        assert screen.editor.text == "SELECT 1 AS first"
    assert os.environ["PGVTUI_STATE_DIR"] in str(default_path())
