"""A modal to paste a recorded plan (EXPLAIN text as psql prints it, or JSON, wrappers and
all) into the Search screen, and the glue that turns the pasted text into a Search outcome.

The reading and the rules are the core's (:func:`pgvtui.core.plan.read_plans`,
:func:`pgvtui.core.search.diagnose_plan`), the same as ``pgvtui check --plan-file``; with the
inventory of the connected database the catalog rules run too. The dialog runs
:func:`pasted_outcome` in a thread worker and closes with its result.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from pgvtui.core.models import Inventory
from pgvtui.core.plan import read_plans
from pgvtui.core.plan.coverage import missing_tables
from pgvtui.core.search import diagnose_plan
from pgvtui.errors import PgvtuiError
from pgvtui.ui.backend import SearchOutcome

PASTED = "-- pasted plan"


def pasted_outcome(text: str, inventory: Inventory | None) -> tuple[SearchOutcome, str | None]:
    """The first plan in ``text`` diagnosed, as a Search outcome, and a note for the user
    (several plans; rules that could not run). A text that is no plan gives an outcome whose
    ``error`` says which line could not be read."""
    try:
        plans = read_plans(text)
    except PgvtuiError as exc:
        return SearchOutcome(sql=PASTED, settings={}, error=exc), None
    plan = plans[0]
    query = plan.raw[0].get("Query Text") if plan.raw else None
    sql = query if isinstance(query, str) and query.strip() else PASTED
    try:
        findings = diagnose_plan(plan, sql_text=None if sql == PASTED else sql, inventory=inventory)
    except PgvtuiError:  # the plan's own query text was refused by the guard: the plan alone
        findings = diagnose_plan(plan, inventory=inventory)
    notes = []
    if len(plans) > 1:
        notes.append(f"{len(plans)} plans pasted; showing the first (check --plan-file shows all)")
    if inventory is None:
        notes.append("no catalog loaded: only the rules that read the plan alone ran")
    else:
        missing = missing_tables(plan, inventory)
        if missing:
            notes.append(f"not in this database: {', '.join(missing)} (catalog rules skipped them)")
    if plan.truncated:
        notes.append(f"the plan looks cut short: {plan.truncated}")
    return SearchOutcome(sql=sql, settings={}, plan=plan, findings=tuple(findings)), (
        "; ".join(notes) or None
    )


@dataclass(frozen=True)
class Pasted:
    """What the dialog gives back: the pasted plan as a Search outcome, and a note for the user."""

    outcome: SearchOutcome
    note: str | None


class PlanPaste(ModalScreen[Pasted | None]):
    """Paste a plan; ctrl+s analyses it (:func:`pasted_outcome`, in a thread) with the
    connected database's ``inventory`` and closes with the result, Esc closes.

    Bindings:
        ctrl+s: analyse the pasted plan.  escape: close without analysing.
    """

    DEFAULT_CSS = """
    PlanPaste { align: center middle; }
    PlanPaste > Vertical {
        width: 95%; max-width: 160; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    PlanPaste TextArea { height: 1fr; }
    """
    BINDINGS = [
        Binding("ctrl+s", "analyse", "Analyse", priority=True),
        Binding("escape", "dismiss_none", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                Text(
                    "Paste EXPLAIN output — text as psql prints it, or JSON; from pgAdmin, a "
                    "log, a chat… — ctrl+s analyses, Esc closes",
                    style="bold",
                )
            )
            yield TextArea("", id="plan-paste-text", soft_wrap=False, show_line_numbers=True)

    def __init__(self, inventory: Inventory | None) -> None:
        super().__init__()
        self.inventory = inventory

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_analyse(self) -> None:
        text = self.query_one(TextArea).text
        if not text.strip():
            self.notify("nothing pasted yet", severity="warning")
            return
        self.analyse(text)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def analyse(self, text: str) -> None:
        outcome, note = pasted_outcome(text, self.inventory)
        self.app.call_from_thread(self.dismiss, Pasted(outcome, note))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
