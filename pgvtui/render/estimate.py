"""Text rendering of ``pgvtui estimate``: the estimate, build memory and the what-if table."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from pgvtui.core.sizing import EstimateReport, memory_needed, pg_size_literal
from pgvtui.render.fmt import human_bytes, human_count
from pgvtui.render.layout import Cell, Col, TableData, print_data
from pgvtui.render.sql_text import print_sql


class _Rows:
    def __init__(self) -> None:
        self.rows: list[list[Cell]] = []

    def add_row(self, *cells: Cell) -> None:
        self.rows.append(list(cells))


def key_line(report: EstimateReport) -> str:
    s = report.spec
    key = f"{s.type}({s.dims})" + (f", {s.nnz} non-zeros" if s.nnz is not None else "")
    opts = (
        f"m={s.m}, ef_construction={s.ef_construction}"
        if s.method == "hnsw"
        else (f"lists={s.lists}")
    )
    return f"{s.method.upper()} on {key}, {human_count(s.rows)} rows ({opts})"


def facts_table(report: EstimateReport) -> TableData:
    size, build = report.size, report.build
    t = _Rows()
    t.add_row("index size", human_bytes(size.bytes), f"{size.pages:,} pages of 8 kB")
    t.add_row(
        "per row", f"{size.bytes_per_row:,.0f} B", f"stored value {report.spec.value_bytes} B"
    )
    if size.hnsw is not None:
        h = size.hnsw
        split = (
            f"; levels ≥ {h.split_levels[0]} put their neighbor tuple on the next page"
            if h.split_levels
            else ""
        )
        t.add_row(
            "elements per page",
            f"{h.elements_per_page:.2f}",
            f"element {h.element_bytes} B + neighbors {h.neighbor_bytes[0]} B{split}",
        )
    mode = (
        f"parallel ({report.parallel_workers} workers), mwm − 3 MB"
        if build.parallel and build.method == "hnsw"
        else "serial"
    )
    what = "graph" if build.method == "hnsw" else f"k-means ({build.kmeans_samples:,} samples)"
    t.add_row("build memory", human_bytes(build.required_bytes), f"{what}, {mode}")
    t.add_row(
        "maintenance_work_mem",
        human_bytes(build.maintenance_work_mem_bytes),
        f"usable {human_bytes(build.available_bytes)}",
    )
    if build.method == "hnsw":
        verdict = Text("fits", style="green") if build.fits else Text("spills", style="yellow")
        t.add_row(
            "graph in memory",
            verdict,
            f"up to {build.spill_after_rows:,} rows" if build.spill_after_rows is not None else "",
        )
    else:
        verdict = Text("fits", style="green") if build.fits else Text("ERROR", style="red")
        t.add_row("k-means memory", verdict, f"at most {build.max_lists:,} lists at this setting")
    return TableData(None, [Col("estimate"), Col("value", "number"), Col("detail", "text")], t.rows)


def mwm_fix(report: EstimateReport) -> str | None:
    """The SET that lets the build fit, or None when it already fits."""
    if report.build.fits:
        return None
    need = pg_size_literal(memory_needed(report.build))
    return f"SET maintenance_work_mem = '{need}';  -- before CREATE INDEX / REINDEX"


def what_if_table(report: EstimateReport) -> TableData:
    size, build = report.size, report.build
    w = _Rows()
    w.add_row(
        "as given",
        human_bytes(size.bytes),
        "1.00×",
        f"{size.bytes_per_row:,.0f} B",
        human_bytes(build.required_bytes),
        "yes" if build.fits else "no",
        "",
    )
    for v in report.what_ifs:
        ratio = v.size.bytes / size.bytes if size.bytes else 0.0
        w.add_row(
            v.label,
            human_bytes(v.size.bytes),
            f"{ratio:.2f}×",
            f"{v.size.bytes_per_row:,.0f} B",
            human_bytes(v.build.required_bytes),
            "yes" if v.build.fits else "no",
            v.note,
        )
    return TableData(
        "What if",
        [
            Col("variant"),
            Col("size", "number"),
            Col("vs now", "number"),
            Col("per row", "number"),
            Col("build memory", "number"),
            Col("fits mwm"),
            Col("note", "text"),
        ],
        w.rows,
    )


NOTE = "Freshly built index; later inserts and deletes only add pages. Model: docs/residency.md."


def render_estimate(console: Console, report: EstimateReport) -> None:
    console.print(Text(key_line(report), style="bold"))
    print_data(
        console,
        facts_table(report),
        box=None,
        show_header=False,
        styles=("dim", "", "dim"),
    )
    fix = mwm_fix(report)
    if fix is not None:
        console.print(Text(report.build.consequence or "", style="yellow"))
        print_sql(console, fix, indent=2)
    print_data(console, what_if_table(report))
    console.print(Text(NOTE, style="dim"))
