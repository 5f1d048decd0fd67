"""What-if: size and build memory of an index for other rows / type / m, from the sizing model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from pgvtui.core.models import (
    HNSW_DEFAULT_EF_CONSTRUCTION,
    HNSW_DEFAULT_M,
    IVFFLAT_DEFAULT_LISTS,
    IndexInfo,
)
from pgvtui.render.fmt import human_bytes
from pgvtui.ui.widgets.fit_bars import bar, ratio
from pgvtui.ui.widgets.form import choice
from pgvtui.ui.widgets.plain_table import PlainTable

if TYPE_CHECKING:
    from pgvtui.core import sizing
    from pgvtui.core.residency import IndexResidency, MemoryInfo

TYPES = ("vector", "halfvec", "bit", "sparsevec")
METHODS = ("hnsw", "ivfflat")


def what_if_table(
    spec: sizing.IndexSpec, memory: MemoryInfo | None, mwm: int | None, workers: int
) -> Table | Text:
    from pgvtui.core import sizing

    try:
        sizing.validate(spec)
        est = sizing.estimate_size(spec)
    except (sizing.SizingError, ValueError) as exc:
        return Text(str(exc), style="yellow")
    t = PlainTable.grid(padding=(0, 1))
    t.add_column(style="bold", no_wrap=True, width=6)
    t.add_column()
    t.add_column(no_wrap=True, justify="right")
    t.add_row("size", Text(f"{human_bytes(est.bytes)} · {est.bytes_per_row:,.0f} B/row"), "")
    if memory is not None:
        for label, cap in (
            ("s_b", memory.shared_buffers_bytes),
            ("cache", memory.effective_cache_size_bytes),
            ("RAM", memory.ram_bytes),
        ):
            t.add_row(label, bar(est.bytes, cap, 24), ratio(est.bytes, cap))
    if mwm:
        bm = sizing.build_memory(spec, mwm, parallel_workers=workers)
        mode = f"parallel, {workers} workers" if bm.parallel else "serial"
        verdict = (
            Text("fits", style="green")
            if bm.fits
            else Text(bm.consequence or "does not fit", style="bold red")
        )
        t.add_row(
            "build",
            Text(
                f"{human_bytes(bm.required_bytes)} of {human_bytes(bm.available_bytes)}"
                + (f" ({mode})" if bm.method == "hnsw" else "")
            ),
            "",
        )
        t.add_row("", verdict, "")
    return t


class WhatIfPanel(Vertical):
    """Rows, type, dims, method and m/lists in; size, fit and build memory out.

    Attributes:
        spec: the last valid spec (None before an index is loaded).
    """

    DEFAULT_CSS = """
    WhatIfPanel { height: auto; padding: 0 1; }
    WhatIfPanel Horizontal { height: 1; }
    WhatIfPanel Label { width: 8; color: $text-muted; }
    WhatIfPanel Input { width: 12; }
    WhatIfPanel Select { width: 14; }
    WhatIfPanel #what-if-out { margin-top: 1; height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.spec: sizing.IndexSpec | None = None
        self.memory: MemoryInfo | None = None
        self.mwm: int | None = None
        self.parallel_workers = 0
        # heap (main fork) bytes per row of the loaded index's table: decides, with the rows
        # typed in, whether CREATE INDEX would get parallel workers (None: not known)
        self.heap_bytes_per_row: float | None = None

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label("rows")
            yield Input("", id="wi-rows", type="integer", compact=True)
            yield Label(" type")
            yield choice(TYPES, "vector", "wi-type")
        with Horizontal():
            yield Label("dims")
            yield Input("", id="wi-dims", type="integer", compact=True)
            yield Label(" method")
            yield choice(METHODS, "hnsw", "wi-method")
        with Horizontal():
            yield Label("m")
            yield Input(str(HNSW_DEFAULT_M), id="wi-m", type="integer", compact=True)
            yield Label(" lists")
            yield Input(str(IVFFLAT_DEFAULT_LISTS), id="wi-lists", type="integer", compact=True)
        yield Static(Text("select an index (w)", style="dim"), id="what-if-out")

    def set_memory(self, memory: MemoryInfo, settings: Mapping[str, str | None]) -> None:
        self.memory = memory
        from pgvtui.core import sizing

        self.mwm = sizing.parse_pg_size(settings.get("maintenance_work_mem"))
        workers = settings.get("max_parallel_maintenance_workers") or "0"
        self.parallel_workers = int(workers) if workers.isdigit() else 0
        self._recompute()

    def load_index(
        self, r: IndexResidency, index: IndexInfo | None, heap_bytes: int | None = None
    ) -> None:
        """Fill the inputs from an index; ``heap_bytes`` is its table's main fork size."""
        self.heap_bytes_per_row = heap_bytes / r.rows if heap_bytes is not None and r.rows else None
        values = {
            "#wi-rows": str(r.rows or 0),
            "#wi-dims": str(r.key_dims or ""),
            "#wi-m": str(index.m if index and index.m else HNSW_DEFAULT_M),
            "#wi-lists": str(index.lists if index and index.lists else IVFFLAT_DEFAULT_LISTS),
        }
        with self.prevent(Input.Changed, Select.Changed):
            for wid, value in values.items():
                self.query_one(wid, Input).value = value
            if r.key_type in TYPES:
                self.query_one("#wi-type", Select).value = r.key_type
            if r.method in METHODS:
                self.query_one("#wi-method", Select).value = r.method
        self.border_subtitle = Text(r.qualified_name)  # a name, not markup
        self._recompute()

    def focus_first(self) -> None:
        self.query_one("#wi-rows", Input).focus()

    def _int(self, wid: str, default: int) -> int:
        text = self.query_one(wid, Input).value.strip()
        return int(text) if text.lstrip("-").isdigit() else default

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        self._recompute()

    def _recompute(self) -> None:
        out = self.query_one("#what-if-out", Static)
        dims = self._int("#wi-dims", 0)
        if dims <= 0:
            return
        from pgvtui.core import sizing

        m = self._int("#wi-m", HNSW_DEFAULT_M)
        spec = sizing.IndexSpec(
            method=str(self.query_one("#wi-method", Select).value),
            type=str(self.query_one("#wi-type", Select).value),
            dims=dims,
            rows=max(0, self._int("#wi-rows", 0)),
            m=m,
            lists=self._int("#wi-lists", IVFFLAT_DEFAULT_LISTS),
            ef_construction=max(HNSW_DEFAULT_EF_CONSTRUCTION, 2 * m),
        )
        self.spec = spec
        heap = None if self.heap_bytes_per_row is None else int(self.heap_bytes_per_row * spec.rows)
        workers = sizing.maintenance_workers(self.parallel_workers, heap)
        out.update(what_if_table(spec, self.memory, self.mwm, workers))
