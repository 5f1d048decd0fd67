"""The Textual UI: :func:`pgvtui.ui.app.create_app` builds it (CLI, ``pgvtui demo``, tests)."""
