"""Pilot tests that need no server: the recorded backend of the snapshot tests, slowed down where
a test needs a run to still be going."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from pgvtui.core.models import Inventory
from pgvtui.ui.app import create_app
from pgvtui.ui.backend import SearchOutcome
from pgvtui.ui.screens.recall import RecallScreen
from pgvtui.ui.screens.search import SearchScreen
from tests.snapshots.recorded import RecordedBackend

SIZE = (160, 48)


class HeldBackend(RecordedBackend):
    """Searches wait until ``release`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def search(
        self, sql: str, settings: Mapping[str, str], inventory: Inventory | None
    ) -> SearchOutcome:
        await self.release.wait()
        return await super().search(sql, settings, inventory)


async def loaded(pilot: Pilot[Any]) -> None:
    for _ in range(100):
        await pilot.pause(0.02)
        if pilot.app.inventory is not None:
            return
    raise AssertionError("inventory never arrived")


async def test_a_run_replaced_by_a_newer_one_is_not_a_failure() -> None:
    backend = HeldBackend()
    app = create_app("host=db.example", initial_screen="search", backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        screen.editor.load_text("SELECT id FROM items LIMIT 10")
        screen.action_run()
        await pilot.pause()
        screen.action_run()  # e.g. a control changed: the exclusive worker cancels the first
        await pilot.pause(0.1)
        assert screen.running
        assert "failed" not in str(screen.query_one("#search-status").render())
        backend.release.set()
        for _ in range(100):
            await pilot.pause(0.02)
            if not screen.running:
                break
        assert screen.outcome is not None and not screen.running


async def test_escape_leaves_a_recall_field() -> None:
    app = create_app("host=db.example", initial_screen="recall", backend=RecordedBackend())
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, RecallScreen)
        screen.query_one("#recall-k", Input).focus()
        await pilot.pause()
        await pilot.press("escape")
        assert not isinstance(app.focused, Input)
        await pilot.press("4")  # the number keys switch screens again
        assert app.current_mode == "residency"
