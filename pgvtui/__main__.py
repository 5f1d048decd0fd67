"""``python -m pgvtui``."""

from pgvtui.cli import main

raise SystemExit(main())
