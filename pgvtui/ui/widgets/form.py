"""Small building blocks of the compact forms (Search controls, what-if panel)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import Select


def choice(values: Iterable[str], value: str, id: str) -> Select[str]:
    """A compact, never-blank Select over plain strings (each value is its own label)."""
    return Select([(v, v) for v in values], value=value, allow_blank=False, compact=True, id=id)
