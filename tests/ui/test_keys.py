"""Keys from issue #14: the footer starts with ? Help and z Zoom on every screen, z zooms the
focused pane (Esc or z back), q quits outside text fields, ctrl+c's hint is plain text, and a
new run starts with the plan scrolled to the top."""

from __future__ import annotations

from textual.screen import ModalScreen
from textual.widgets import Input

from pgvtui.ui.screens.registry import SCREENS
from pgvtui.ui.widgets.plan_tree import PlanTree

from ..snapshots.test_snapshots import make_app, settle


async def test_footer_starts_with_help_and_zoom_on_every_screen() -> None:
    app = make_app("overview")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for entry in SCREENS:
            app.switch_mode(entry.mode)
            await pilot.pause()
            actions = [b.binding.action for b in app.screen.active_bindings.values()]
            assert actions[:2] == ["help", "zoom"], (entry.label, actions[:4])


async def test_zoom_and_back() -> None:
    app = make_app("inventory")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#columns-table")
        assert table.has_focus
        await pilot.press("z")
        assert app.screen.maximized is table
        await pilot.press("escape")
        assert app.screen.maximized is None
        await pilot.press("z", "z")
        assert app.screen.maximized is None


async def test_q_quits_outside_text_fields_only() -> None:
    app = make_app("inventory")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "q")
        assert app.screen.query_one("#inventory-filter", Input).value == "q"
        assert app.is_running
        await pilot.press("escape", "q")
        await pilot.pause()
    assert app.return_code == 0  # quit (the recorded backend "connected")


async def test_q_in_a_dialog_does_not_quit() -> None:
    app = make_app("search")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")  # the example picker: a list has the focus, not a text field
        await pilot.pause()
        assert isinstance(app.screen, ModalScreen)
        await pilot.press("q")  # app bindings do not reach into a modal screen
        await pilot.pause()
        assert isinstance(app.screen, ModalScreen) and app.is_running


async def test_ctrl_c_hint_is_plain_text() -> None:
    app = make_app("overview")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert any("ctrl+q" in m for m in messages), messages
        assert not any("[b]" in m for m in messages)


async def test_a_new_run_starts_at_the_top_of_the_plan() -> None:
    app = make_app("search")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        plan = app.screen.query_one(PlanTree)
        assert plan.max_scroll_y > 0  # the wrapped plan is taller than its pane at 80×24
        plan.scroll_to(0, plan.max_scroll_y, animate=False)
        await pilot.pause()
        assert plan.scroll_y > 0
        await pilot.press("f5")
        await settle(pilot)
        assert plan.scroll_y == 0 and plan.scroll_x == 0
