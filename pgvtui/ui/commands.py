"""Command palette provider: every screen and every app action (themes come from Textual's own
system commands). Everything runs through Textual's action strings and modes, so this module
needs neither the App class nor a cast to it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from pgvtui.ui.screens.registry import SCREENS


class PgvtuiCommands(Provider):
    """Screens (Overview … Recall) and actions (reconnect, reload, help, example queries …)."""

    def _screen_action(self, mode: str, action: str) -> None:
        """Switch to ``mode`` and run one of its screen's actions."""
        app = self.app
        app.switch_mode(mode)
        app.call_after_refresh(app.run_action, action, app.screen)

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        run = self.app.run_action
        on = self._screen_action
        out: list[tuple[str, Callable[[], object], str]] = [
            (f"Screen: {s.label}", partial(run, f"goto('{s.mode}')"), f"key {s.key}")
            for s in SCREENS
        ]
        out += [
            ("Reconnect", partial(run, "reconnect"), "ctrl+r: open the session again"),
            ("Connect: another database or server", partial(run, "connect"), "ctrl+o"),
            ("Reload inventory and findings", partial(run, "reload"), "re-read the catalog"),
            ("Help: key bindings", partial(run, "help"), "?"),
            (
                "Theme: save the current theme in the config file",
                partial(run, "save_theme"),
                "pick one with 'Change theme' first",
            ),
            ("Search: example queries", partial(on, "search", "examples"), "F2 on Search"),
            ("Search: run", partial(on, "search", "run"), "F5"),
            ("Search: copy plan", partial(on, "search", "copy_plan"), "F7"),
            ("Search: export Markdown", partial(on, "search", "export('md')"), "F8"),
            ("Search: export JSON", partial(on, "search", "export('json')"), "F9"),
            ("Residency: measure again", partial(on, "residency", "refresh"), "r"),
            # The key binding's path (action_quit closes the sessions before exiting).
            ("Quit", partial(run, "quit"), "ctrl+q"),
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
