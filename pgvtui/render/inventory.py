"""Text rendering of the inventory (tables from render/layout; NO_COLOR respected by the
console). The pieces (``server_lines``, ``column_table``, ``index_table``) are shared with the
Markdown report."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from pgvtui.core.models import Inventory
from pgvtui.render.fmt import human_bytes, human_count
from pgvtui.render.layout import Cell, Col, Kind, TableData, print_data

SIZE_SETTINGS = ("shared_buffers", "effective_cache_size", "maintenance_work_mem", "work_mem")
SHOWN_SETTINGS = (
    *SIZE_SETTINGS,
    "max_parallel_maintenance_workers",
    "hnsw.ef_search",
    "hnsw.iterative_scan",
    "hnsw.max_scan_tuples",
    "ivfflat.probes",
    "ivfflat.iterative_scan",
)
DEFAULTS_NOTE = "* pgvector default (not set in the index options)"


def server_line(inv: Inventory) -> Text:
    s = inv.server
    newest = s.pgvector_available or "?"
    return Text.assemble(
        (f"PostgreSQL {s.version}", "bold"),
        f"  pgvector {s.pgvector_version or 'not installed'} (newest available {newest})"
        "  database ",
        (s.database, "bold"),
        f" as {s.user}",
    )


def extensions_text(inv: Inventory) -> str:
    def state(v: dict[str, str | None]) -> str:
        if v.get("installed"):
            return f"✓ {v['installed']}"
        return "available" if v.get("available") else "missing"

    return ", ".join(
        f"{name} {state(v)}" for name, v in inv.server.extensions.items() if name != "vector"
    )


def settings_items(inv: Inventory) -> list[str]:
    return [f"{k}={v}" for k, v in inv.settings.items() if v is not None and k in SHOWN_SETTINGS]


def column_table(inv: Inventory) -> TableData:
    kinds: tuple[tuple[str, Kind], ...] = (
        ("table", "name"),
        ("column", "name"),
        ("type", "name"),
        ("dims", "number"),
        ("rows", "number"),
        ("null %", "number"),
        ("avg width", "number"),
        ("storage", "name"),
        ("table size", "number"),
        ("toast", "number"),
        ("total", "number"),
    )
    rows: list[list[Cell]] = [
        [
            c.qualified_table,
            c.column,
            c.type,
            str(c.dims or "—"),
            human_count(c.rows_estimate),
            "—" if c.null_frac is None else f"{c.null_frac * 100:.0f}",
            "—" if c.avg_width is None else str(c.avg_width),
            c.storage,
            human_bytes(c.table_bytes),
            human_bytes(c.toast_bytes),
            human_bytes(c.total_bytes),
        ]
        for c in inv.columns
    ]
    return TableData(f"Vector columns ({len(inv.columns)})", [Col(h, k) for h, k in kinds], rows)


def index_table(inv: Inventory) -> TableData:
    show_state = any(not i.valid or i.building for i in inv.indexes)
    # key and predicate are SQL expressions: whole, like names (records when they do not fit)
    cols = [Col(h) for h in ("index", "table", "method", "opclass", "op", "key", "params")]
    cols += [Col("where")]
    cols += [Col("state")] if show_state else []
    cols += [Col("size", "number"), Col("scans", "number")]
    rows: list[list[Cell]] = []
    for i in inv.indexes:
        if i.method == "hnsw":
            params = f"m={i.m}{'*' if 'm' in i.defaults else ''} ef_c={i.ef_construction}" + (
                "*" if "ef_construction" in i.defaults else ""
            )
        else:
            params = f"lists={i.lists}{'*' if 'lists' in i.defaults else ''}"
        row: list[Cell] = [
            i.name,
            i.qualified_table,
            i.method,
            i.opclass,
            i.operator or "?",
            i.key_column or i.key_expression or "?",
            params,
            i.predicate or "",
        ]
        if show_state:
            row.append(
                "building" if i.building else "valid" if i.valid else Text("INVALID", style="red")
            )
        row += [human_bytes(i.size_bytes), "—" if i.idx_scan is None else str(i.idx_scan)]
        rows.append(row)
    return TableData(f"ANN indexes ({len(inv.indexes)})", cols, rows)


def render_inventory(console: Console, inv: Inventory) -> None:
    console.print(server_line(inv))
    console.print(f"extensions: {extensions_text(inv)}")
    console.print("settings: " + "  ".join(settings_items(inv)) + "\n")
    print_data(console, column_table(inv))
    print_data(console, index_table(inv))
    if any(i.defaults for i in inv.indexes):
        console.print(Text(DEFAULTS_NOTE, style="dim"))
