"""Text rendering of a recall report (rich; NO_COLOR respected by the console)."""

from __future__ import annotations

import math

from rich import box
from rich.console import Console
from rich.text import Text

from pgvtui.core.recall.sweep import RecallReport, SettingResult
from pgvtui.render.layout import Cell, Col, TableData, print_data
from pgvtui.render.sql_text import print_sql


def _ms(x: float) -> str:
    if math.isnan(x):
        return "—"
    return f"{x:.3f}" if x < 1 else f"{x:.2f}" if x < 100 else f"{x:.0f}"


def _short(name: str) -> str:
    return {"hnsw.ef_search": "ef", "ivfflat.probes": "probes"}.get(
        name, name.split(".", 1)[-1].replace("iterative_scan", "iter")
    )


def _recall_style(r: SettingResult, target: float) -> str:
    return (
        "green" if r.recall_mean >= target else "yellow" if r.recall_mean >= target - 0.1 else "red"
    )


def settings_label(rep: RecallReport, r: SettingResult) -> str:
    label = " ".join(
        f"{_short(k)}={str(v).removesuffix('_order')}"
        for k, v in r.settings.items()
        if not (k.endswith("iterative_scan") and v == "off")
    )
    if r.queries < len(rep.query_ids):
        label += f" (partial: {r.queries} queries)"
    return label


def results_table(rep: RecallReport) -> TableData:
    any_not_index = any(r.index_used < 1.0 for r in rep.results)
    extra = ("index",) if any_not_index else ()
    cols = [Col("settings", "text")] + [
        Col(c, "number")
        for c in ("recall", "p10", "min", "rows", "p50", "p95", "p99", "hit", "read", *extra)
    ]
    rows: list[list[Cell]] = []
    for r in rep.results:
        label = settings_label(rep, r)
        style = _recall_style(r, rep.target)
        mean_rows = Text(f"{r.rows_mean:.1f}", style="yellow" if r.rows_mean < rep.k - 1e-9 else "")
        rows.append(
            [
                label,
                Text(f"{r.recall_mean:.3f}", style=style),
                Text(f"{r.recall_p10:.2f}", style="" if r.recall_p10 >= rep.floor else "red"),
                Text(f"{r.recall_min:.2f}", style="" if r.recall_min > 0 else "red"),
                mean_rows,
                _ms(r.latency_ms_p50),
                _ms(r.latency_ms_p95),
                _ms(r.latency_ms_p99),
                f"{r.shared_hit:.0f}",
                f"{r.shared_read:.0f}",
                *((f"{r.index_used * 100:.0f} %",) if any_not_index else ()),
            ]
        )
    return TableData(f"recall@{rep.k} by setting (target {rep.target:g})", cols, rows)


LEGEND = (
    "p10/min: per-query recall of the worst 10 % / the worst query; "
    "p50/p95/p99: server execution time in ms (EXPLAIN ANALYZE, planning excluded); "
    "hit/read: shared buffers per query; rows: rows returned per query (mean)"
)


def run_details(rep: RecallReport) -> str:
    """``(hnsw, cosine <=>) on t.c — k=10, 50 sampled queries (seed 0)``."""
    source = (
        f"{len(rep.query_ids)} queries from file"
        if rep.query_source == "file"
        else f"{len(rep.query_ids)} sampled queries (seed {rep.seed}"
        + (
            ", sampled inside the filter)"
            if rep.query_source == "sample-within-where"
            else ", sampled from the whole table, not only the filtered rows)"
            if rep.where
            else ")"
        )
    )
    return f"({rep.method}, {rep.metric} {rep.operator}) on {rep.column} — k={rep.k}, {source}" + (
        f", where {rep.where}" if rep.where else ""
    )


def render_recall(console: Console, rep: RecallReport) -> None:
    console.print(Text.assemble((f"Recall of {rep.index}", "bold"), f" {run_details(rep)}"))
    if rep.ground_truth_seconds is not None:
        console.print(
            f"ground truth: exact top-{rep.k} over {rep.ground_truth_rows:,} rows in one pass, "
            f"{rep.ground_truth_seconds:.2f} s"
        )
    if not rep.complete:
        console.print(
            Text(
                f"Interrupted during {rep.stopped_during or 'the run'}: partial results",
                style="bold yellow",
            )
        )
    if rep.results:
        print_data(console, results_table(rep), box=box.SIMPLE_HEAD)
        console.print(Text(LEGEND, style="dim"))
    rec = rep.recommendation
    if rec is not None:
        lines = recommendation_lines(rep)
        console.print(lines[0])
        if rec.met and rec.set_sql:
            print_sql(console, rec.set_sql, indent=2)  # a whole line, nothing else on it
        for line in lines[1:]:
            console.print(line)
    for w in rep.warnings:
        console.print(Text.assemble(("note:", "yellow"), f" {w}"))


def recommendation_lines(rep: RecallReport) -> list[Text]:
    """The recommendation, the policy it follows, what would help, and the worst queries —
    shared by the CLI and the TUI's Recall screen so both say the same."""
    rec = rep.recommendation
    out: list[Text] = []
    if rec is None:
        return out
    if rec.met:
        out.append(
            Text.assemble(
                ("Recommendation:", "bold green"),
                f" {rec.message}" + ("" if rec.set_sql else " (the defaults)"),
            )
        )
    else:
        out.append(Text.assemble(("No safe setting:", "bold red"), f" {rec.message}"))
    policy = (
        f"policy: mean recall@{rep.k} ≥ {rep.target:g}, p{rec.floor_percentile} ≥ {rec.floor:g}, "
        "fastest p95"
    )
    if rec.baseline:
        b = rec.baseline
        if rec.allow_lower:
            policy += f", lower than {b['name']} {b['value']} allowed"
        else:
            policy += f", not below {b['name']} {b['value']} ({b['source']})"
    out.append(Text(policy, style="dim"))
    for hint in rec.hints:
        out.append(Text.assemble(("would help:", "yellow"), f" {hint}"))
    worst = rep.worst
    if worst is not None and worst.queries:
        ids = ", ".join(f"{w.id} ({w.recall:.1f})" for w in worst.queries[:5]) + (
            f" +{len(worst.queries) - 5}" if len(worst.queries) > 5 else ""
        )
        out.append(Text.assemble(("worst queries", "bold"), f" at {worst.setting}: {ids}"))
        out.append(Text(f"  {worst.explanation}"))
    return out
