"""Text rendering of ``pgvtui check``: the query, the plan as a tree, findings by severity.

Findings are grouped error → warning → info; a fix that is SQL is syntax-highlighted. The plan
is an indented tree (rich Tree) with rows / loops / time / buffers per node; nodes a finding
points at (``Finding.node_id``) are marked with the rule id. NO_COLOR is honoured by the console.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from pgvtui.core.coverage import Coverage, not_checked, verdict
from pgvtui.core.plan import Plan, PlanNode
from pgvtui.core.plan.coverage import RuleCoverage
from pgvtui.core.reconcile import action, action_plan
from pgvtui.core.rules.base import Finding, Severity
from pgvtui.core.search import GENERIC_PLAN_NOTE, CheckReport
from pgvtui.render.layout import print_indented
from pgvtui.render.plan_text import (
    MAX_SHOWN,
    findings_by_node,
    node_detail_items,
    node_stats,
    node_texts,
)
from pgvtui.render.sql_text import print_sql

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
    """Long vector literals → ``'[…]'`` so the query stays readable; then anything still longer
    than :data:`MAX_SHOWN` characters is elided (bounded work on any input)."""
    head = text[: 8 * MAX_SHOWN]
    short = _LITERAL.sub("'[…]'", head)
    if len(short) <= MAX_SHOWN and len(head) == len(text):
        return short
    hidden = len(short) - MAX_SHOWN + len(text) - len(head)
    return f"{short[:MAX_SHOWN]}… (+{hidden:,} characters)"


def elided(report: CheckReport) -> bool:
    """Whether text output cut anything of ``report`` (it then says so)."""
    texts: list[str] = [report.query or ""]
    if report.plan is not None:
        texts += [t for node in report.plan.nodes() for t in node_texts(node)]
    texts += [t for f in report.findings for t in (f.evidence, f.fix) if t]
    return any("… (+" in shorten_sql(t) for t in texts if len(t) > MAX_SHOWN)


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
    if f.step is not None:
        head.append(f"  step {f.step}", style="bold")
    console.print(head)
    print_indented(console, f.message)
    for note in f.notes:
        print_indented(console, Text(f"plan: {note}", style="italic"))
    if f.evidence:
        print_indented(console, Text(f"evidence: {shorten_sql(f.evidence)}", style="dim"))
    if f.fix:
        if f.fix_is_sql:
            console.print(Text("  fix:"))
            print_sql(console, shorten_sql(f.fix), indent=4)  # whole lines, nothing else on them
        else:
            print_indented(console, f"fix: {f.fix}")
    console.print()


def summary(
    findings: tuple[Finding, ...] | list[Finding],
    coverage: Coverage | None = None,
    rules: RuleCoverage | None = None,
) -> str:
    """The count line; with coverage gaps (what the role could not see, or rules a recorded
    plan could not run) it never says "no findings" (core.coverage.verdict)."""
    if rules is not None and not findings:
        return (
            f"no findings from the {len(rules.ran)} rules that ran; "
            f"{len(rules.skipped)} did not run (see coverage)"
        )
    if coverage is not None and not coverage.complete:
        head = ", ".join(
            f"{len(group)} {sev.value}{'' if len(group) == 1 else 's'}"
            for sev, group in by_severity(findings)
        )
        if not head:
            return verdict(0, coverage)
        return f"{head} in what could be checked; {not_checked(coverage)}"
    if not findings:
        return "no findings"
    return ", ".join(
        f"{len(group)} {sev.value}{'' if len(group) == 1 else 's'}"
        for sev, group in by_severity(findings)
    )


def coverage_lines(coverage: RuleCoverage) -> list[str]:
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
        print_sql(console, shorten_sql(report.query))
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
    if report.function is not None:
        fn = report.function
        console.print(
            Text(
                f"The search runs inside {fn['name']}() ({fn['language']} {fn['volatility']}):"
                " its body is what is diagnosed, with the call's arguments in place",
                style="bold",
            )
        )
    if report.generic_plan:
        console.print(Text(f"Note: {GENERIC_PLAN_NOTE}", style="bold"))
    if report.parameters:
        console.print(Text("Values used:", style="bold"))
    for p in report.parameters:
        console.print(
            Text(
                f"${p['param'].lstrip('$')} ({p['role']}) = {p['value']}  — {p['source']}",
                style="dim",
            )
        )
    if report.query or report.plan:
        console.print()
    if report.plan is not None:
        console.print(plan_tree(report.plan, report.findings))
        console.print()
    render_coverage(console, report.coverage)
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
    plan = action_plan(report.findings)
    if len(plan) > 1:
        console.print(Text("Action plan (do this first)", style="bold underline"))
        for f in plan:
            console.print(Text(f"  {f.step}. {action(f):<7} {f.object or ''}  ({f.rule})"))
    if report.rule_coverage is not None:
        console.print(Text("COVERAGE — rules on the plan alone", style="bold underline"))
        for line in coverage_lines(report.rule_coverage):
            print_indented(console, line)
        console.print()
    console.print(
        Text(summary(report.findings, report.coverage, report.rule_coverage), style="bold")
    )
    if any(f.fix and _LITERAL.search(f.fix) for f in report.findings):
        console.print(
            Text("(long vector literals shown as '[…]'; --format json has the full SQL)", "dim")
        )
    if elided(report):
        console.print(
            Text(
                f"(strings over {MAX_SHOWN:,} characters are cut short; "
                "--format json has them in full)",
                "dim",
            )
        )


def render_coverage(console: Console, coverage: Coverage) -> None:
    """ "Coverage — not checked": what could not be seen and why, before any conclusion."""
    if not coverage.entries:
        return
    n = coverage.objects_not_checked
    head = f"COVERAGE — not checked{f' ({n} objects)' if n else ''}"
    console.print(Text(head, style="bold yellow underline"))
    for e in coverage.entries:
        print_indented(console, f"• {e.line()}", hang=2)
        if e.fix:
            print_sql(console, e.fix, indent=4)
    console.print()
