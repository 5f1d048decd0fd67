"""Text and markdown for ``pgvtui workload``: one block per statement (fits any width)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from pgvtui.core.workload import EntryDiagnosis, Workload, WorkloadEntry
from pgvtui.render.check import shorten_sql
from pgvtui.render.fmt import human_count

SORT_LABEL = {
    "total": "total time",
    "mean": "mean time",
    "calls": "calls",
    "rows": "rows",
    "reads": "shared blocks read",
}


def ms(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:,.1f} s"
    if value >= 100:
        return f"{value:,.0f} ms"
    return f"{value:.2f} ms"


def per_call(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def stats_lines(e: WorkloadEntry) -> list[str]:
    return [
        f"calls {human_count(e.calls)}  total {ms(e.total_ms)}  mean {ms(e.mean_ms)}"
        f"  max {ms(e.max_ms)}  stddev {ms(e.stddev_ms)}",
        f"rows/call {per_call(e.rows_per_call)}  shared hit/call {per_call(e.hit_per_call)}"
        f"  read/call {per_call(e.read_per_call)}  temp blocks {human_count(e.temp_blocks)}",
    ]


def diagnosis_lines(d: EntryDiagnosis) -> list[str]:
    if d.skipped:
        return ["not diagnosed: the --budget time was used up"]
    if d.error and not d.findings:
        return [f"not diagnosed: {d.error}"]
    where = f" of the search inside {d.function}()" if d.function else ""
    kind = "generic plan" if d.generic else "plan"
    lines = [f"diagnosis ({kind}{where}): {len(d.findings) or 'no'} finding(s)"]
    lines += [f"  {f.severity.value.upper()} {f.rule}: {f.message}" for f in d.findings]
    return lines


def header(w: Workload) -> str:
    shown = len(w.entries)
    return f"{w.matched} vector statement(s) in pg_stat_statements" + (
        f", top {shown} by {SORT_LABEL[w.sort]}" if w.matched else ""
    )


def render_workload(console: Console, w: Workload) -> None:
    if not w.available:
        console.print(Text(f"pg_stat_statements: {w.problem}", style="bold"))
        if w.hint:
            console.print(f"To enable it: {w.hint}")
        return
    console.print(Text(header(w), style="bold"))
    for note in w.notes:
        console.print(f"Note: {note}")
    for i, e in enumerate(w.entries, start=1):
        console.print()
        head = Text(f"{i}. ", style="bold")
        head.append(e.searches, style="bold")
        if e.operators:
            head.append(f"  {' '.join(e.operators)}")
        console.print(head)
        ident = f"   queryid {e.queryid}" + (f"  user {e.username}" if e.username else "")
        if not e.toplevel:
            ident += "  (run inside a function)"
        console.print(Text(ident, style="dim"))
        for line in stats_lines(e):
            console.print(f"   {line}")
        console.print(Text(f"   {shorten_sql(e.query)}", style="italic"), soft_wrap=True)
        d = w.diagnoses.get(e.queryid)
        if d is not None:
            for line in diagnosis_lines(d):
                console.print(f"   {line}")


def _fence(body: str, lang: str = "") -> str:
    fence = "```"
    while fence in body:
        fence += "`"
    return f"{fence}{lang}\n{body.rstrip()}\n{fence}"


def render_workload_markdown(w: Workload) -> str:
    out = ["# pgvtui workload", ""]
    if not w.available:
        out += [f"pg_stat_statements: {w.problem}", ""]
        if w.hint:
            out += [f"To enable it: {w.hint}", ""]
        return "\n".join(out)
    out += [header(w), ""]
    out += [f"> Note: {n}" for n in w.notes]
    if w.notes:
        out.append("")
    for i, e in enumerate(w.entries, start=1):
        title = e.searches.replace("|", "\\|")
        out += [f"## {i}. {title}", ""]
        out += [f"queryid `{e.queryid}`" + (f", user `{e.username}`" if e.username else ""), ""]
        out += [f"- {line}" for line in stats_lines(e)]
        out += ["", _fence(shorten_sql(e.query), "sql"), ""]
        d = w.diagnoses.get(e.queryid)
        if d is not None:
            out += [f"- {line.strip()}" for line in diagnosis_lines(d)] + [""]
    return "\n".join(out)
