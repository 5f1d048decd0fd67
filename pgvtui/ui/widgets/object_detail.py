"""The detail pane of the Inventory screen: one column or index, its findings and fixes."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from pgvtui.core.models import ColumnInfo, IndexInfo, Inventory
from pgvtui.core.rules.base import Finding
from pgvtui.render.fmt import human_bytes, human_count
from pgvtui.ui.widgets.findings_list import finding_renderable
from pgvtui.ui.widgets.plain_table import PlainTable


def _grid() -> Table:
    t = PlainTable.grid(padding=(0, 2))
    t.add_column(style="bold", no_wrap=True)
    t.add_column()
    return t


def option_text(index: IndexInfo) -> str:
    """m=16* ef_construction=64* (``*`` = pgvector's default, not set explicitly)."""
    parts = []
    for name in ("m", "ef_construction", "lists"):
        value = getattr(index, name)
        if value is None or (index.method == "hnsw") == (name == "lists"):
            continue
        short = {"ef_construction": "efc"}.get(name, name)
        parts.append(f"{short}={value}{'*' if name in index.defaults else ''}")
    return " ".join(parts)


def findings_for(findings: Sequence[Finding], *names: str) -> list[Finding]:
    """Findings whose object names one of ``names`` (as a whole name, qualified or not)."""
    pats = [
        re.compile(r"(?:^|[\s,(\"])(?:[\w$]+\.)?" + re.escape(n) + r"(?:$|[\s,)\"])")
        for n in names
        if n
    ]
    return [f for f in findings if any(p.search(f.object or "") for p in pats)]


def object_findings(
    findings: Sequence[Finding], item: ColumnInfo | IndexInfo | None
) -> list[Finding]:
    """Findings about an index (by its name) or a column (by ``schema.table.column`` or its
    table); none for no item."""
    if isinstance(item, IndexInfo):
        return findings_for(findings, item.qualified_name, item.name)
    if isinstance(item, ColumnInfo):
        return findings_for(findings, item.qualified_name, item.qualified_table)
    return []


def index_detail(
    index: IndexInfo,
    findings: Sequence[Finding],
    estimate: str | None,
    residency: str | None,
) -> RenderableType:
    t = _grid()
    t.add_row("index", index.qualified_name)
    t.add_row("table", index.qualified_table)
    t.add_row("method", f"{index.method} · {index.opclass} (serves {index.operator or '?'})")
    t.add_row("options", (option_text(index) or "—") + ("   * = default" if index.defaults else ""))
    key = index.key_column or index.key_expression or "?"
    t.add_row("key", f"{key} · {index.key_type or '?'}({index.key_dims or '?'})")
    if index.predicate:
        t.add_row("partial", f"WHERE {index.predicate}")
    state = "valid" if index.valid else "INVALID"
    if index.building:
        state += " · building"
    t.add_row("state", state)
    t.add_row("size", human_bytes(index.size_bytes) + (f"  ({estimate})" if estimate else ""))
    t.add_row("residency", residency or Text("—", style="dim"))
    t.add_row(
        "scans",
        human_count(index.idx_scan)
        + (f" · last {index.last_idx_scan}" if index.last_idx_scan else ""),
    )
    parts: list[RenderableType] = [
        t,
        Text(""),
        Text("definition", style="bold"),
        Text(index.definition, style="green"),
        Text(""),
    ]
    parts += _findings_block(findings)
    return Group(*parts)


def column_detail(col: ColumnInfo, inv: Inventory, findings: Sequence[Finding]) -> RenderableType:
    t = _grid()
    t.add_row("column", col.qualified_name)
    t.add_row(
        "type",
        f"{col.type}({col.dims})" if col.dims else f"{col.type} (no dims: cannot be indexed)",
    )
    t.add_row(
        "rows",
        human_count(col.rows_estimate)
        + (f" · {100 * col.null_frac:.0f} % NULL" if col.null_frac else ""),
    )
    t.add_row("storage", f"{col.storage} · avg width {col.avg_width or '?'} B")
    t.add_row(
        "sizes",
        f"heap {human_bytes(col.table_bytes)} · TOAST "
        f"{human_bytes(col.toast_bytes)} · total {human_bytes(col.total_bytes)}",
    )
    if col.n_dead_tup is not None:
        t.add_row("dead rows", human_count(col.n_dead_tup))
    idxs = [
        i
        for i in inv.indexes_on(col.schema, col.table)
        if i.key_column == col.column or (i.key_expression and col.column in i.key_expression)
    ]
    t.add_row(
        "indexes",
        ", ".join(f"{i.name} ({i.method} {i.operator or ''})" for i in idxs)
        or Text("none — k-NN queries scan the whole table", style="yellow"),
    )
    parts: list[RenderableType] = [t, Text("")]
    parts += _findings_block(findings)
    parts.append(Text("\npress e to open this column in Search", style="dim"))
    return Group(*parts)


def _findings_block(findings: Sequence[Finding]) -> list[RenderableType]:
    if not findings:
        return [Text("no findings", style="dim")]
    out: list[RenderableType] = [
        Text(f"findings ({len(findings)}) — c copies the first fix", style="bold")
    ]
    out += [finding_renderable(f) for f in findings]
    return out


class ObjectDetail(VerticalScroll):
    """Scrollable pane; :meth:`show` replaces its content."""

    DEFAULT_CSS = """
    ObjectDetail { height: 1fr; padding: 0 1; }
    """

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(Text("select a row", style="dim"), id="detail-body")

    def show(self, renderable: RenderableType) -> None:
        self.query_one("#detail-body", Static).update(renderable)
        self.scroll_home(animate=False)
