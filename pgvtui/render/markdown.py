"""Markdown for a check report (``pgvtui check --format markdown``; the UI's export).

Plain GitHub-flavoured markdown: the query and fixes in ```sql blocks, the plan as an indented
text tree in a ```text block with the offending nodes marked, findings grouped by severity.
"""

from __future__ import annotations

from pgvtui.core.plan import Plan, PlanNode
from pgvtui.core.rules.base import Finding, Severity
from pgvtui.core.search import GENERIC_PLAN_NOTE, CheckReport
from pgvtui.render.check import by_severity, coverage_lines, shorten_sql, summary
from pgvtui.render.plan_text import findings_by_node, node_detail_items, node_stats

_MARKDOWN_DETAILS = ("Order By", "Sort Key", "Filter")


def _fence(body: str, lang: str = "") -> str:
    fence = "```"
    while fence in body:
        fence += "`"
    return f"{fence}{lang}\n{body.rstrip()}\n{fence}"


def plan_text(plan: Plan, findings: tuple[Finding, ...] | list[Finding] = ()) -> str:
    marks = findings_by_node(findings)
    lines: list[str] = []

    def walk(node: PlanNode, depth: int) -> None:
        pad = "  " * depth + ("-> " if depth else "")
        line = f"{pad}{node.label()}"
        stats = node_stats(node)
        if stats:
            line += f"  ({stats})"
        if node.id in marks:
            line += "  <-- " + ", ".join(f.rule for f in marks[node.id])
        lines.append(line)
        detail_pad = "  " * depth + ("   " if depth else "") + "  "
        lines.extend(
            f"{detail_pad}{key}: {value}"
            for key, value in node_detail_items(node, shorten_sql)
            if key in _MARKDOWN_DETAILS
        )
        for c in node.children:
            walk(c, depth + 1)

    walk(plan.root, 0)
    if plan.execution_ms is not None:
        lines.append(f"Execution: {plan.execution_ms:.3f} ms")
    return "\n".join(lines)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(report: CheckReport, title: str = "pgvtui check") -> str:
    out: list[str] = [f"# {title}", ""]
    if report.query:
        out += ["## Query", "", _fence(shorten_sql(report.query), "sql"), ""]
        if report.settings:
            out += [
                "Settings: " + ", ".join(f"`{k} = {v}`" for k, v in report.settings.items()),
                "",
            ]
        if report.execution_ms is not None:
            rows = report.rows if report.rows is not None else "?"
            out += [f"{rows} rows in {report.execution_ms:.3f} ms", ""]
        if report.error:
            out += [f"The query failed: `{report.error}`", ""]
        if report.function is not None:
            fn = report.function
            out += [
                f"The search runs inside `{fn['name']}()` ({fn['language']} {fn['volatility']}):"
                " its body is what is diagnosed, with the call's arguments in place.",
                "",
            ]
        if report.generic_plan:
            out += [f"> Note: {GENERIC_PLAN_NOTE}", ""]
        if report.parameters:
            out += [
                f"- `{p['param']}` ({p['role']}) = `{p['value']}` — {p['source']}"
                for p in report.parameters
            ] + [""]
    if report.plan is not None:
        out += ["## Plan", "", _fence(plan_text(report.plan, report.findings), "text"), ""]
    if report.coverage.entries:
        out += ["## Coverage — not checked", ""]
        out += [f"- {_md_escape(line)}" for line in report.coverage.lines()]
        out += [""]
    if report.notes:
        out += ["## Reading the plan", "", *(f"- {_md_escape(n)}" for n in report.notes), ""]
    out += [
        "## Findings",
        "",
        f"**{summary(report.findings, report.coverage, report.rule_coverage)}**",
        "",
    ]
    for sev, group in by_severity(report.findings):
        out += [f"### {_title(sev)} ({len(group)})", ""]
        for f in group:
            head = f"#### `{f.rule}`"
            if f.object:
                head += f" — {_md_escape(f.object)}"
            if f.step is not None:
                head += f" (step {f.step})"
            out += [head, "", _md_escape(f.message), ""]
            out += [f"*Plan:* {_md_escape(note)}" + "  " for note in f.notes]
            out += [""] if f.notes else []
            if f.evidence:
                out += [f"*Evidence:* {_md_escape(shorten_sql(f.evidence))}", ""]
            if f.fix:
                if f.fix_is_sql:
                    out += ["*Fix:*", "", _fence(shorten_sql(f.fix), "sql"), ""]
                else:
                    out += [f"*Fix:* {_md_escape(f.fix)}", ""]
    if report.rule_coverage is not None:
        out += ["## Coverage — rules on the plan alone", ""]
        out += [f"- {_md_escape(line)}" for line in coverage_lines(report.rule_coverage)]
        out += [""]
    return "\n".join(out).rstrip() + "\n"


def _title(sev: Severity) -> str:
    return {"error": "Errors", "warning": "Warnings", "info": "Info"}[sev.value]
