"""Screens: one per module; the App switches between them as modes (keys 1–6)."""
