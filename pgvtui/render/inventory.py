"""Text rendering of the inventory (rich tables; NO_COLOR respected by the console)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from pgvtui.core.models import Inventory
from pgvtui.render.fmt import human_bytes, human_count
from pgvtui.render.layout import Col, Kind, print_table

SIZE_SETTINGS = ("shared_buffers", "effective_cache_size", "maintenance_work_mem", "work_mem")


def render_inventory(console: Console, inv: Inventory) -> None:
    s = inv.server
    newest = s.pgvector_available or "?"
    console.print(
        Text.assemble(
            (f"PostgreSQL {s.version}", "bold"),
            f"  pgvector {s.pgvector_version or 'not installed'} (newest available {newest})"
            "  database ",
            (s.database, "bold"),
            f" as {s.user}",
        )
    )

    def ext_state(v: dict[str, str | None]) -> str:
        if v.get("installed"):
            return f"✓ {v['installed']}"
        return "available" if v.get("available") else "missing"

    ext = ", ".join(
        f"{name} {ext_state(v)}" for name, v in s.extensions.items() if name != "vector"
    )
    console.print(f"extensions: {ext}")
    settings = "  ".join(
        f"{k}={v}"
        for k, v in inv.settings.items()
        if v is not None
        and k
        in (
            *SIZE_SETTINGS,
            "max_parallel_maintenance_workers",
            "hnsw.ef_search",
            "hnsw.iterative_scan",
            "hnsw.max_scan_tuples",
            "ivfflat.probes",
            "ivfflat.iterative_scan",
        )
    )
    console.print(f"settings: {settings}\n")

    col_kinds: tuple[tuple[str, Kind], ...] = (
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
    print_table(
        console,
        [Col(h, k) for h, k in col_kinds],
        [
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
        ],
        title=f"Vector columns ({len(inv.columns)})",
    )

    show_state = any(not i.valid or i.building for i in inv.indexes)
    cols = [Col(h) for h in ("index", "table", "method", "opclass", "op")]
    cols += [Col("key", "text"), Col("params"), Col("where", "text")]
    cols += [Col("state")] if show_state else []
    cols += [Col("size", "number"), Col("scans", "number")]
    rows: list[list[str | Text]] = []
    for i in inv.indexes:
        if i.method == "hnsw":
            params = f"m={i.m}{'*' if 'm' in i.defaults else ''} ef_c={i.ef_construction}" + (
                "*" if "ef_construction" in i.defaults else ""
            )
        else:
            params = f"lists={i.lists}{'*' if 'lists' in i.defaults else ''}"
        row: list[str | Text] = [
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
    print_table(console, cols, rows, title=f"ANN indexes ({len(inv.indexes)})")
    if any(i.defaults for i in inv.indexes):
        console.print(Text("* pgvector default (not set in the index options)", style="dim"))
