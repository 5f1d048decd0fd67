"""The screens the App switches between (one mode each, keys 1–7), in one place: the App builds
its modes and number-key bindings from :data:`SCREENS`, the command palette and the help screen
list them from it. Adding a screen = one module and one line here.

Screens import neither this module's users nor the App: what they need from the App is
:class:`pgvtui.ui.services.AppServices`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.screen import Screen

from pgvtui.ui.screens.base import PgvScreen


@dataclass(frozen=True)
class ScreenEntry:
    """One screen: the key that shows it, its mode name, its label, where its class lives.

    The class is imported when the screen is first shown (or the help lists its keys): the
    first screen paints without loading what only the others need (the SQL parser, the SQL
    editor, the plan tree …)."""

    key: str
    mode: str
    label: str
    module: str
    class_name: str

    @property
    def cls(self) -> type[PgvScreen]:
        cls = getattr(importlib.import_module(self.module), self.class_name)
        if not (isinstance(cls, type) and issubclass(cls, PgvScreen)):  # pragma: no cover
            raise TypeError(f"{self.module}.{self.class_name} is not a pgvtui screen")
        return cls

    def create(self) -> PgvScreen:
        return self.cls()


_HERE = "pgvtui.ui.screens"
SCREENS: tuple[ScreenEntry, ...] = (
    ScreenEntry("1", "overview", "Overview", f"{_HERE}.overview", "OverviewScreen"),
    ScreenEntry("2", "inventory", "Inventory", f"{_HERE}.inventory", "InventoryScreen"),
    ScreenEntry("3", "search", "Search", f"{_HERE}.search", "SearchScreen"),
    ScreenEntry("4", "residency", "Residency", f"{_HERE}.residency", "ResidencyScreen"),
    ScreenEntry("5", "activity", "Activity", f"{_HERE}.activity", "ActivityScreen"),
    ScreenEntry("6", "recall", "Recall", f"{_HERE}.recall", "RecallScreen"),
    ScreenEntry("7", "workload", "Workload", f"{_HERE}.workload", "WorkloadScreen"),
)

SCREENS_BY_KEY: tuple[tuple[str, str, str], ...] = tuple((s.key, s.mode, s.label) for s in SCREENS)
"""(key, mode, label) for each screen."""


def modes() -> dict[str, str | Callable[[], Screen[Any]]]:
    """The App's MODES: mode name → a factory that imports the screen's module when the mode is
    first shown (Textual's own type for MODES)."""
    return {s.mode: s.create for s in SCREENS}
