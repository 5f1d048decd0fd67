"""Command palette provider: every screen and every app action (themes come from Textual's own
system commands)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from pgvtui.ui.app import PgvtuiApp


class PgvtuiCommands(Provider):
    """Screens (Overview … Recall) and actions (reconnect, reload, help, example queries …)."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        from pgvtui.ui.app import SCREENS_BY_KEY

        app = cast("PgvtuiApp", self.app)
        out: list[tuple[str, Callable[[], object], str]] = [
            (f"Screen: {label}", partial(app.action_goto, mode), f"key {key}")
            for key, mode, label in SCREENS_BY_KEY
        ]
        out += [
            ("Reconnect", app.action_reconnect, "ctrl+r: open the session again"),
            ("Reload inventory and findings", app.refresh_inventory, "re-read the catalog"),
            ("Help: key bindings", app.action_help, "?"),
            (
                "Search: example queries",
                partial(app.run_screen_action, "search", "examples"),
                "F2 on the Search screen",
            ),
            ("Search: run", partial(app.run_screen_action, "search", "run"), "F5"),
            ("Search: copy plan", partial(app.run_screen_action, "search", "copy_plan"), "F7"),
            (
                "Search: export Markdown",
                partial(app.run_screen_action, "search", "export('md')"),
                "F8",
            ),
            (
                "Search: export JSON",
                partial(app.run_screen_action, "search", "export('json')"),
                "F9",
            ),
            (
                "Residency: measure again",
                partial(app.run_screen_action, "residency", "refresh"),
                "r",
            ),
            # The key binding's path (action_quit closes the sessions before exiting).
            ("Quit", partial(app.run_action, "quit"), "ctrl+q"),
        ]
        return out

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
