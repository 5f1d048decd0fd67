"""The Inventory's detail pane follows the filter: an object the filter hides is not described
while the table shows others."""

from __future__ import annotations

from pgvtui.ui.screens.inventory import InventoryScreen

from ..snapshots.test_snapshots import make_app, settle


async def test_detail_follows_the_filter() -> None:
    app = make_app("inventory")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InventoryScreen)
        selected = screen._selected
        assert selected is not None and "articles" in selected.qualified_name
        await pilot.press("slash", "d", "o", "c")
        await pilot.pause()
        assert "documents" in screen._selected.qualified_name  # type: ignore[union-attr]
        # a filter that keeps it: the detail stays where it is
        await pilot.press("backspace", "backspace", "backspace")
        await pilot.pause()
        assert "documents" in screen._selected.qualified_name  # type: ignore[union-attr]
