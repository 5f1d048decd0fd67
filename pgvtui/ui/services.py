"""What a screen may ask of the App it runs in: a narrow protocol, so that screens never import
(or cast to) the App class. :class:`pgvtui.ui.app.PgvtuiApp` implements it; a screen reaches it
through :attr:`pgvtui.ui.screens.base.PgvScreen.papp`, which checks that its app does.

Shared state the screens watch (``self.watch(self.app, "inventory", …)``) is named here too: the
App holds it as reactives, and a screen reads or sets it through this protocol.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from pgvtui.core.coverage import Coverage
    from pgvtui.core.models import Inventory
    from pgvtui.core.residency import ResidencyReport
    from pgvtui.core.rules.base import Finding
    from pgvtui.ui.app_types import SearchRequest
    from pgvtui.ui.backend import Backend


@runtime_checkable
class AppServices(Protocol):
    """The App's services and shared state, as the screens use them."""

    backend: Backend
    """The one door to the database (sessions, workers' coroutines)."""
    connection_state: str
    """connecting | connected | lost | failed."""
    connection_detail: str
    """The last connection error (one line), or the redacted target while connecting."""
    inventory: Inventory | None
    catalog_findings: tuple[Finding, ...]
    catalog_coverage: Coverage
    """What the catalog check could not see, and why."""
    residency: ResidencyReport | None
    search_request: SearchRequest | None
    recall_settings: dict[str, str] | None

    def refresh_inventory(self) -> object:
        """Re-read the catalog in a worker (the result arrives as the ``inventory`` reactive)."""
        ...

    def copy_text(self, text: str, what: str) -> None:
        """Copy ``text`` to every clipboard within reach and say what was done."""
        ...

    def request_search(self, request: SearchRequest) -> None:
        """Load a query into the Search screen and show it."""
        ...

    def show_screen(self, name: str) -> None:
        """Switch to the screen registered as ``name`` (see :mod:`pgvtui.ui.screens.registry`)."""
        ...


def services_of(app: object) -> AppServices:
    """``app`` as pgvtui's services (screens and widgets reach the App only through this)."""
    if not isinstance(app, AppServices):  # pragma: no cover - a programming error
        raise TypeError(f"{type(app).__name__} does not provide pgvtui's AppServices")
    return app
