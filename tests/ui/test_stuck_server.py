"""The TUI with a stuck server: Esc on a running Search whose backend is stopped (SIGSTOP) gives
control back — the banner says the connection was abandoned and ctrl+r reconnects. While the
query runs, the Search screen keeps its keys and its "running…" status."""

from __future__ import annotations

import asyncio
from typing import Any

from pgvtui.core.session import ABANDONED
from pgvtui.ui.app import create_app
from pgvtui.ui.widgets.banner import ConnectionBanner
from tests.db.test_stuck_server import RETURNS_CONTROL_S, stopped, wait_active
from tests.ui.test_app import SIZE, items, run_sql, start_long_query, wait_until

__all__ = ["items"]  # the fixture, shared with test_app


def _status(screen: Any) -> str:
    return str(screen.query_one("#search-status").render())


async def test_esc_with_a_stopped_backend_abandons_and_ctrl_r_reconnects(
    dsn: str, items: str
) -> None:
    app = create_app(dsn)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_long_query(pilot)
        assert app.backend.session is not None
        pid = app.backend.session.basics.backend_pid
        await asyncio.to_thread(wait_active, dsn, pid)
        with stopped(pid):
            await pilot.pause(0.3)
            assert screen.running and "running…" in _status(screen)
            keys = {b.binding.key for b in screen.active_bindings.values()}
            assert {"e", "f5", "escape"} <= keys, keys
            await pilot.press("e")
            await pilot.pause()
            assert app.focused is screen.editor
            assert "running…" in _status(screen)  # editing does not stop or hide the run
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.connection_state == "lost", RETURNS_CONTROL_S)
            assert not screen.running
            assert "running…" not in _status(screen)
            banner = screen.query_one(ConnectionBanner)
            await pilot.pause()
            text = str(banner.render())
            assert ABANDONED in text and "ctrl+r" in text, text
            # other keys answer while the backend is still stopped (Esc leaves the editor now)
            await pilot.press("escape", "1")
            await pilot.pause()
            assert app.screen is not screen
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda: app.connection_state == "connected", 20)
        assert app.backend.session is not None
        assert app.backend.session.basics.backend_pid != pid
        again = await run_sql(pilot, "SELECT 1 AS one")
        assert again.outcome is not None and again.outcome.error is None
