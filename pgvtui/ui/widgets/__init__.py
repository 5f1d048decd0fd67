"""Widgets: one per module, each with DEFAULT_CSS, documented bindings, reactives and messages."""
