"""The screens the App switches between (one mode each, keys 1–7), in one place: the App builds
its modes and number-key bindings from :data:`SCREENS`, the command palette and the help screen
list them from it. Adding a screen = one module and one line here.

Screens import neither this module's users nor the App: what they need from the App is
:class:`pgvtui.ui.services.AppServices`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.screen import Screen

from pgvtui.ui.screens.activity import ActivityScreen
from pgvtui.ui.screens.base import PgvScreen
from pgvtui.ui.screens.inventory import InventoryScreen
from pgvtui.ui.screens.overview import OverviewScreen
from pgvtui.ui.screens.recall import RecallScreen
from pgvtui.ui.screens.residency import ResidencyScreen
from pgvtui.ui.screens.search import SearchScreen
from pgvtui.ui.screens.workload import WorkloadScreen


@dataclass(frozen=True)
class ScreenEntry:
    """One screen: the key that shows it, its mode name, its label, its class."""

    key: str
    mode: str
    label: str
    cls: type[PgvScreen]


SCREENS: tuple[ScreenEntry, ...] = (
    ScreenEntry("1", "overview", "Overview", OverviewScreen),
    ScreenEntry("2", "inventory", "Inventory", InventoryScreen),
    ScreenEntry("3", "search", "Search", SearchScreen),
    ScreenEntry("4", "residency", "Residency", ResidencyScreen),
    ScreenEntry("5", "activity", "Activity", ActivityScreen),
    ScreenEntry("6", "recall", "Recall", RecallScreen),
    ScreenEntry("7", "workload", "Workload", WorkloadScreen),
)

SCREENS_BY_KEY: tuple[tuple[str, str, str], ...] = tuple((s.key, s.mode, s.label) for s in SCREENS)
"""(key, mode, label) for each screen."""


def modes() -> dict[str, str | Callable[[], Screen[Any]]]:
    """The App's MODES: mode name → screen class (Textual's own type for MODES)."""
    return {s.mode: s.cls for s in SCREENS}
