"""Text and markdown rendering of a check report (pure: recorded plan + rules offline)."""

from __future__ import annotations

import io

from rich.console import Console

from pgvtui.commands.check import FAIL_ON, exit_code
from pgvtui.core.search import CheckReport
from pgvtui.render.check import render_check, shorten_sql, summary
from pgvtui.render.markdown import plan_text, render_markdown
from tests.unit.test_query_rules_recorded import ctx_for, fired


def report(key: str) -> CheckReport:
    ctx = ctx_for(key)
    findings = tuple(f for fs in fired(ctx).values() for f in fs)
    plan = ctx.plan
    return CheckReport(
        findings=findings,
        query=ctx.sql,
        execution_ms=plan.execution_ms if plan else None,
        rows=plan.rows if plan else None,
        plan=plan,
        source="plan-file",
    )


def test_text_marks_node_and_shortens_literals() -> None:
    buf = io.StringIO()
    render_check(Console(file=buf, width=200, no_color=True), report("C"))
    out = buf.getvalue()
    assert "Sort  ◀ order-by-desc" in out
    assert "Seq Scan on items" in out and "rows 20.0k" in out
    assert "WARNINGS (1)" in out and "1 warning" in out
    assert "'[…]'" in out and "-0.110549115" not in out
    assert "--format json has the full SQL" in out


def test_markdown_sections_and_full_json_fix() -> None:
    r = report("C")
    md = render_markdown(r)
    assert md.startswith("# pgvtui check\n")
    assert "## Plan" in md and "Sort  (rows 10" in md and "<-- order-by-desc" in md
    assert "### Warnings (1)" in md and "```sql" in md
    # JSON keeps the runnable fix with the full literal
    doc = r.to_json()
    assert doc["findings"][0]["fix"].count("-0.110549115") == 1
    base = {"query", "settings", "execution_ms", "rows", "plan", "findings", "coverage"}
    assert set(doc) == base | {"rule_coverage", "notes"}  # a plan-file report says what ran
    assert set(CheckReport(findings=(), source="query").to_json()) == base


def test_plan_text_tree_indentation() -> None:
    r = report("J2")
    assert r.plan is not None
    lines = plan_text(r.plan, r.findings).splitlines()
    assert lines[0].startswith("Limit")
    assert lines[1].startswith("  -> [CTE qv] Seq Scan on queries")
    assert any(ln.startswith("  -> Sort") and "<-- join-query-vector" in ln for ln in lines)
    assert any(line.startswith("    -> Nested Loop") for line in lines)


def test_fence_survives_backticks() -> None:
    r = CheckReport(findings=(), query="select '```' as x")
    assert "````sql" in render_markdown(r)


def test_summary_and_exit_codes() -> None:
    r = report("F6")
    assert summary(r.findings) == "1 error"
    assert exit_code(r, "error") == 1 and exit_code(r, "never") == 0
    warn = report("C")
    assert exit_code(warn, "error") == 0 and exit_code(warn, "warning") == 1
    assert exit_code(CheckReport(findings=()), "info") == 0
    assert set(FAIL_ON) == {"error", "warning", "info", "never"}


def test_shorten_sql_keeps_short_literals() -> None:
    assert shorten_sql("select '[1,2,3]'") == "select '[1,2,3]'"
    long = "'[" + ",".join(["0.1"] * 30) + "]'"
    assert shorten_sql(f"select {long}") == "select '[…]'"
