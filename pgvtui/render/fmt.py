"""Formatting helpers for the renderers and the UI (the formats themselves live in core)."""

from __future__ import annotations

from pgvtui.core.units import human_bytes, human_count

__all__ = ["human_bytes", "human_count"]
