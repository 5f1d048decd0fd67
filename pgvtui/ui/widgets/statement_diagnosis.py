"""The diagnosis of one pg_stat_statements entry: what kind of plan it comes from, the values
that were used (none for a generic plan, the call's arguments for a search inside a function,
the sampled values otherwise), the findings and the plan (the widgets the Search screen uses)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label

from pgvtui.ui.widgets.findings_list import FindingsList
from pgvtui.ui.widgets.plan_tree import PlanTree

if TYPE_CHECKING:
    from pgvtui.core.appcheck import StatementCheck
    from pgvtui.core.binding import BoundValue

IDLE = "Enter diagnoses the selected statement (generic plan) · v with sampled values"


def bound_line(b: BoundValue) -> str:
    """``$2 (compared) — sampled from t.c: 'abc'``: where it came from first (a vector's text
    is cut at the edge); a value given in the TUI is "typed in"."""
    source = "typed in" if b.source == "--param" else b.source
    return f"${b.number} ({b.role}) — {source}: {b.shown}"


def values_text(result: StatementCheck) -> Text:
    """Which values the diagnosis used, one line each (``$2 (compared) = 'abc' — sampled …``)."""
    lines: list[str] = []
    if result.function is not None:
        args = ", ".join(f"{k} => {v}" for k, v in result.function.arguments.items())
        lines.append(f"the search inside {result.function.function.display}({args})")
        if result.function.outer_limit:
            lines.append(f"LIMIT {result.function.outer_limit} outside the call")
    if result.generic:
        lines.append("no values: generic plan (EXPLAIN (GENERIC_PLAN), nothing executed)")
    elif result.bound:
        lines.append("values used:")
        lines.extend(f"  {bound_line(b)}" for b in result.bound)
    else:
        lines.append("no parameters: the statement ran as recorded (EXPLAIN ANALYZE)")
    return Text("\n".join(lines), style="dim")


class StatementDiagnosis(Vertical):
    """Head line, values used, then findings and plan side by side."""

    DEFAULT_CSS = """
    StatementDiagnosis { height: 1fr; border: round $primary 50%; border-title-color: $primary; }
    StatementDiagnosis:focus-within { border: round $primary; }
    StatementDiagnosis #wl-head, StatementDiagnosis #wl-values { height: auto; padding: 0 1; }
    StatementDiagnosis #wl-panes { height: 1fr; }
    StatementDiagnosis #workload-findings { width: 1fr; height: 1fr; }
    StatementDiagnosis #workload-plan { width: 1fr; height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        self.border_title = "Diagnosis"
        yield Label(Text(IDLE, style="dim"), id="wl-head")
        yield Label("", id="wl-values")
        with Horizontal(id="wl-panes"):
            findings = FindingsList("no findings", id="workload-findings")
            findings.border_title = "Findings (c copies the fix)"
            yield findings
            plan = PlanTree(id="workload-plan")
            plan.border_title = "Plan"
            yield plan

    def _head(self, text: Text) -> None:
        self.query_one("#wl-head", Label).update(text)

    def running(self, queryid: int, sample: bool) -> None:
        how = "with sampled values" if sample else "generic plan"
        self._head(Text(f"⏳ diagnosing queryid {queryid} ({how}) … Esc cancels", style="yellow"))
        self.query_one("#wl-values", Label).update("")

    def failed(self, queryid: int, message: str) -> None:
        self._head(Text(f"queryid {queryid}: {message}", style="red"))
        self.query_one("#wl-values", Label).update("")
        self.query_one(FindingsList).show(())
        self.query_one(PlanTree).clear()

    def show(self, queryid: int, result: StatementCheck) -> None:
        head = Text(f"queryid {queryid}: ", style="bold")
        head.append("generic plan" if result.generic else "EXPLAIN ANALYZE")
        head.append(f" · {len(result.findings)} finding(s)")
        err = result.diagnosis.search.error
        if err is not None and not result.findings:
            head.append(f" · {err.message}", style="red")
        self._head(head)
        self.query_one("#wl-values", Label).update(values_text(result))
        self.query_one(FindingsList).show(result.findings)
        self.query_one(PlanTree).show_plan(result.diagnosis.plan, result.findings)
