"""Text rendering of ``pgvtui residency``: memory, per-index fit and residency bars."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from pgvtui.core.residency import IndexResidency, ResidencyReport
from pgvtui.render.fmt import human_bytes, human_count
from pgvtui.render.layout import Cell, Col, TableData, print_data, print_indented
from pgvtui.render.sql_text import print_sql

BAR_WIDTH = 20


def bar(pct: float | None, width: int = BAR_WIDTH) -> str:
    """'█████░░░░░  50 %' (plain characters, so NO_COLOR output stays readable)."""
    if pct is None:
        return "—"
    filled = round(max(0.0, min(100.0, pct)) / 100 * width)
    return "█" * filled + "░" * (width - filled) + f" {pct:3.0f} %"


def _fit(ok: bool) -> Text:
    return Text("✓", style="green") if ok else Text("✗", style="red")


def _drift(i: IndexResidency) -> Text:
    if i.drift_pct is None:
        return Text("")
    return Text(f"({i.drift_pct:+.0f} %)", style="yellow" if abs(i.drift_pct) > 10 else "")


def _factor(x: float) -> str:
    return f"{x:.2f}×" if x < 10 else f"{x:,.0f}×"


def _usage(i: IndexResidency) -> str:
    if not i.usage_counts:
        return "—"
    return " ".join(str(i.usage_counts.get(str(k), 0)) for k in range(6))


def index_table(report: ResidencyReport) -> TableData:
    cols = [
        Col("index"),
        Col("size", "number"),
        Col("model", "number"),
        Col("share", "number"),
        Col("cached"),
        Col("fits sb·ecs·RAM"),
        Col("outgrows sb at", "number"),
    ]
    rows: list[list[Cell]] = []
    for i in report.indexes:
        fits = Text(" ").join(_fit(x) for x in (i.fits_shared_buffers, i.fits_cache, i.fits_ram))
        rows.append(
            [
                Text.assemble(f"{i.qualified_name} ", (i.method, "dim")),
                human_bytes(i.size_bytes),
                Text.assemble(f"{human_bytes(i.estimated_bytes)} ", _drift(i)),
                f"{i.share_pct:.0f} %",
                bar(i.resident_pct, 10),
                fits,
                (
                    f"{human_count(i.rows_to_exceed_shared_buffers)} rows"
                    if i.rows_to_exceed_shared_buffers is not None
                    else ("now" if not i.fits_shared_buffers else "—")
                ),
            ]
        )
    return TableData(f"ANN indexes ({len(report.indexes)})", cols, rows)


def render_residency(console: Console, report: ResidencyReport) -> None:
    m = report.memory
    ram_label = {
        "option": "(--ram)",
        "local": "(this host)",
        "unknown": "(unknown: using effective_cache_size)",
    }[m.ram_source]
    console.print(
        Text.assemble(
            "shared_buffers ",
            (human_bytes(m.shared_buffers_bytes), "bold"),
            "  effective_cache_size ",
            (human_bytes(m.effective_cache_size_bytes), "bold"),
            "  RAM ",
            (human_bytes(m.ram_bytes), "bold"),
            f" {ram_label}",
        )
    )
    total = report.total_ann_bytes
    share = bar(100 * total / max(1, m.shared_buffers_bytes))
    console.print(
        Text.assemble(
            "all ANN indexes: ", (human_bytes(total), "bold"), f" — {share} of shared_buffers"
        )
    )
    if report.growth_to_exceed_shared_buffers is not None and report.total_fits_shared_buffers:
        console.print(
            f"  together they outgrow shared_buffers at "
            f"{_factor(report.growth_to_exceed_shared_buffers)} today's rows"
            + (
                f", RAM at {_factor(report.growth_to_exceed_ram)}"
                if report.growth_to_exceed_ram and report.total_fits_ram
                else ""
            )
        )
    bc = report.buffercache
    if not bc.available:
        console.print(Text.assemble(("measured residency unavailable:", "yellow"), f" {bc.reason}"))
        if bc.needs_confirmation:
            console.print(f"  pass --scan-buffercache to run it anyway: {bc.scan_cost}")
        if bc.create_sql:
            print_sql(console, bc.create_sql, indent=2)
    console.print()

    print_data(console, index_table(report))
    if any(i.usage_counts for i in report.indexes):
        console.print(Text("cached pages by usage count 0…5 (5 = hottest):", style="dim"))
        for i in report.indexes:
            if i.usage_counts:
                console.print(Text(f"  {i.qualified_name}: {_usage(i)}", style="dim"))
    notes = [f"{i.qualified_name}: {i.model_note}" for i in report.indexes if i.model_note]
    for n in notes:
        console.print(Text(f"model: {n}", style="dim"))

    if report.prewarmed:
        console.print(Text.assemble("\n", ("Prewarmed", "bold"), " (pg_prewarm, buffer mode)"))
        for p in report.prewarmed:
            what = f"{p.blocks:,} blocks" if p.blocks is not None else f"skipped: {p.skipped}"
            console.print(f"  {p.index}: {what}")
    if report.suggestions:
        console.print(Text.assemble("\n", ("Suggestions", "bold")))
        for s in report.suggestions:
            print_indented(console, f"• {s.text}", hang=2)
            if s.sql:
                print_sql(console, s.sql, indent=4)
    if bc.available and bc.scan_cost:
        console.print(Text(f"\npg_buffercache: {bc.scan_cost}.", style="dim"))
