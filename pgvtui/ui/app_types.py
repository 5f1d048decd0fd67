"""Small value types shared by the App and its screens (kept apart to avoid import cycles)."""

from __future__ import annotations

from dataclasses import dataclass

from pgvtui.core.models import ColumnInfo


@dataclass(frozen=True)
class SearchRequest:
    """Ask the Search screen to load a query: a column's golden path, or given SQL."""

    column: ColumnInfo | None = None
    sql: str | None = None
    settings: tuple[tuple[str, str], ...] = ()
    title: str = ""
