"""Text rendering of ``pgvtui check``: the query, the plan as a tree, findings by severity.

Findings are grouped error → warning → info; a fix that is SQL is syntax-highlighted. The plan
is an indented tree (rich Tree) with rows / loops / time / buffers per node; nodes a finding
points at (``Finding.node_id``) are marked with the rule id. NO_COLOR is honoured by the console.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.syntax import Syntax
from rich.text import Text
from rich.tree import Tree

from pgvtui.core.plan import Plan, PlanNode
from pgvtui.core.plan.coverage import Coverage
from pgvtui.core.rules.base import Finding, Severity
from pgvtui.core.search import CheckReport
from pgvtui.render.plan_text import findings_by_node, node_detail_items, node_stats

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)
_LITERAL = re.compile(r"'\[[^']{40,}\]'")


def by_severity(
    findings: tuple[Finding, ...] | list[Finding],
) -> list[tuple[Severity, list[Finding]]]:
    """The non-empty groups of ``findings``, error → warning → info (each in its order)."""
    groups = [(sev, [f for f in findings if f.severity is sev]) for sev in SEVERITY_ORDER]
    return [(sev, group) for sev, group in groups if group]


def shorten_sql(text: str) -> str:
    """Long vector literals → ``'[…]'`` so the query stays readable."""
    return _LITERAL.sub("'[…]'", text)


def _node_details(node: PlanNode) -> list[str]:
    return [
        f"{key}: {value}"
        for key, value in node_detail_items(node, shorten_sql)
        if key != "Disabled"
    ]


def plan_tree(plan: Plan, findings: tuple[Finding, ...] | list[Finding] = ()) -> Tree:
    marks = findings_by_node(findings)

    def label(node: PlanNode) -> Text:
        t = Text()
        t.append(node.label(), style="bold")
        for f in marks.get(node.id, []):
            t.append(f"  ◀ {f.rule}", style=SEVERITY_STYLE[f.severity])
        stats = node_stats(node)
        if stats:
            t.append(f"  {stats}", style="dim")
        for line in _node_details(node):
            t.append(f"\n{line}", style="italic")
        return t

    head = "Plan"
    if plan.execution_ms is not None:
        head += f"  (execution {plan.execution_ms:.3f} ms"
        if plan.planning_ms is not None:
            head += f", planning {plan.planning_ms:.3f} ms"
        head += ")"
    tree = Tree(Text(head, style="bold underline"))

    def add(parent: Tree, node: PlanNode) -> None:
        branch = parent.add(label(node))
        for child in node.children:
            add(branch, child)

    add(tree, plan.root)
    return tree


def render_finding(console: Console, f: Finding) -> None:
    style = SEVERITY_STYLE[f.severity]
    head = Text()
    head.append(f"{f.severity.value.upper():<7} ", style=style)
    head.append(f.rule, style="bold")
    if f.object:
        head.append(f"  {f.object}", style="dim")
    console.print(head)
    console.print(Text(f"  {f.message}"))
    if f.evidence:
        console.print(Text(f"  evidence: {shorten_sql(f.evidence)}", style="dim"))
    if f.fix:
        if f.fix_is_sql:
            console.print(Text("  fix:"))
            console.print(
                Syntax(
                    shorten_sql(f.fix),
                    "sql",
                    theme="ansi_dark",
                    word_wrap=True,
                    padding=(0, 0, 0, 4),
                    background_color="default",
                )
            )
        else:
            console.print(Text(f"  fix: {f.fix}"))
    console.print()


def summary(findings: tuple[Finding, ...] | list[Finding], coverage: Coverage | None = None) -> str:
    """``2 warnings, 1 info``; "no findings" only when every rule ran (``coverage`` None)."""
    if not findings:
        if coverage is not None:
            return (
                f"no findings from the {len(coverage.ran)} rules that ran; "
                f"{len(coverage.skipped)} did not run (see coverage)"
            )
        return "no findings"
    return ", ".join(
        f"{len(group)} {sev.value}{'' if len(group) == 1 else 's'}"
        for sev, group in by_severity(findings)
    )


def coverage_lines(coverage: Coverage) -> list[str]:
    """The coverage section of a report on a recorded plan, as plain lines."""
    by_need: dict[str, list[str]] = {}
    for rule, need in coverage.skipped:
        by_need.setdefault(need, []).append(rule)
    return [
        f"Ran ({len(coverage.ran)}): {', '.join(coverage.ran)}",
        *(
            f"Not run, need {need} ({len(rules)}): {', '.join(rules)}"
            for need, rules in by_need.items()
        ),
        f"To run them: {coverage.hint()}.",
    ]


def render_plan_heading(console: Console, number: int, total: int) -> None:
    """``Plan 2 of 3`` before each report when a plan file holds several plans."""
    if number > 1:
        console.print()
    console.print(Text(f"━━ Plan {number} of {total} ━━", style="bold reverse"))


def render_check(console: Console, report: CheckReport) -> None:
    if report.query:
        console.print(Text("Query", style="bold underline"))
        console.print(
            Syntax(
                shorten_sql(report.query),
                "sql",
                theme="ansi_dark",
                word_wrap=True,
                background_color="default",
            )
        )
    if report.settings:
        console.print(
            Text("SET LOCAL " + ", ".join(f"{k} = {v}" for k, v in report.settings.items()))
        )
    if report.query and report.execution_ms is not None:
        console.print(
            Text(
                f"{report.rows if report.rows is not None else '?'} rows in "
                f"{report.execution_ms:.3f} ms",
                style="dim",
            )
        )
    if report.error:
        console.print(Text(f"The query failed: {report.error}", style="red"))
    if report.query or report.plan:
        console.print()
    if report.plan is not None:
        console.print(plan_tree(report.plan, report.findings))
        console.print()
    if report.notes:
        console.print(Text("Reading the plan", style="bold underline"))
        for note in report.notes:
            console.print(Text(f"  {note}", style="dim"))
        console.print()
    for sev, group in by_severity(report.findings):
        console.print(
            Text(f"{sev.value.upper()}S ({len(group)})", style=SEVERITY_STYLE[sev] + " underline")
        )
        for f in group:
            render_finding(console, f)
    if report.coverage is not None:
        console.print(Text("COVERAGE", style="bold underline"))
        for line in coverage_lines(report.coverage):
            console.print(Text(f"  {line}"))
        console.print()
    console.print(Text(summary(report.findings, report.coverage), style="bold"))
    if any(f.fix and _LITERAL.search(f.fix) for f in report.findings):
        console.print(
            Text("(long vector literals shown as '[…]'; --format json has the full SQL)", "dim")
        )
