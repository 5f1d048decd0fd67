"""A rich Table whose ``str`` cells are plain text, never markup.

The UI's key/value grids show object names, settings and connection strings from the server; a
rich Table reads ``str`` cells as console markup, so ``[/]`` in a table name would raise and
``[b]…[/b]`` would lose its brackets. Styling stays explicit (``Text(..., style=…)``).
"""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text


class PlainTable(Table):
    def add_row(self, *renderables: RenderableType | None, **kwargs: Any) -> None:
        super().add_row(*(Text(r) if isinstance(r, str) else r for r in renderables), **kwargs)
