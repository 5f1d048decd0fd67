"""The Residency what-if panel decides serial vs parallel builds like build-memory-low does."""

from __future__ import annotations

import io
from dataclasses import replace

from rich.console import Console
from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from pgvtui.core.residency import IndexResidency, MemoryInfo
from pgvtui.ui.widgets.what_if import WhatIfPanel
from tests.snapshots.recorded import RESIDENCY

MB = 1024 * 1024


def _residency(rows: int) -> IndexResidency:
    # the recorded documents index (hnsw, vector), as vector(1536) with ``rows`` rows
    return replace(RESIDENCY.indexes[1], key_type="vector", key_dims=1536, rows=rows)


class PanelApp(App[None]):
    def compose(self) -> ComposeResult:
        yield WhatIfPanel()


async def _build_line(heap_bytes: int | None, rows: str | None = None) -> str:
    app = PanelApp()
    async with app.run_test(size=(100, 30)) as pilot:
        panel = app.query_one(WhatIfPanel)
        memory = MemoryInfo(128 * MB, 4096 * MB, 16384 * MB, "option")
        panel.set_memory(
            memory, {"maintenance_work_mem": "64MB", "max_parallel_maintenance_workers": "2"}
        )
        panel.load_index(_residency(100_000), None, heap_bytes)
        if rows is not None:
            panel.query_one("#wi-rows", Input).value = rows
        await pilot.pause()
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(panel.query_one("#what-if-out", Static).content)
        text = console.export_text()
    return next((line for line in text.splitlines() if line.startswith("build")), text)


async def test_toasted_vectors_small_heap_build_serially() -> None:
    # vector(1536) is TOASTed: 100k rows leave a ~6 MB heap, under min_parallel_table_scan_size.
    line = await _build_line(6 * MB)
    assert "(serial)" in line
    # ten times the rows → a 60 MB heap → parallel workers, with mwm − 3 MB usable
    line = await _build_line(6 * MB, rows="1000000")
    assert "(parallel, 2 workers)" in line and "61.0 MB" in line


async def test_unknown_heap_assumes_the_configured_workers() -> None:
    assert "(parallel, 2 workers)" in await _build_line(None)
