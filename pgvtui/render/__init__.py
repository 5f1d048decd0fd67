"""Rich renderers for the CLI's text output (no Textual)."""
