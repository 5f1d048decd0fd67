"""F4 on the Search screen: paste a recorded plan (a real one people posted, pgAdmin-quoted),
see its tree and findings as for a live run; text that is no plan says which line."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static, TextArea

from pgvtui.ui.app import create_app
from pgvtui.ui.screens.plan_paste import PlanPaste, pasted_outcome
from pgvtui.ui.screens.search import SearchScreen
from tests.snapshots.recorded import INVENTORY, RecordedBackend
from tests.ui.test_recorded import SIZE, loaded

POSTED = (
    (Path(__file__).parent.parent / "data" / "public-plans" / "03-pgadmin-desc.txt")
    .read_text(encoding="utf-8")
    .split("\n", 1)[1]
)


def test_pasted_outcome_reads_and_diagnoses() -> None:
    outcome, note = pasted_outcome(POSTED, INVENTORY)
    assert outcome.error is None and outcome.plan is not None
    assert outcome.plan.find("Seq Scan")[0].relation == "km-default"
    assert [f.rule for f in outcome.findings] == ["knn-sort-without-index"]
    assert note and "not in this database: km-default" in note
    bad, _ = pasted_outcome("select 1;\n", INVENTORY)
    assert bad.error is not None and "line 1" in bad.error.message


async def test_paste_plan_in_the_search_screen() -> None:
    app = create_app("host=db.example", initial_screen="search", backend=RecordedBackend())
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, PlanPaste)
        app.screen.query_one(TextArea).load_text(POSTED)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen
        assert screen.outcome is not None and screen.outcome.plan is not None
        assert screen.outcome.plan.root.node_type == "Limit"
        assert "knn-sort-without-index" in [f.rule for f in screen.outcome.findings]
        # not a plan: the status line names the line, nothing else changes
        await pilot.press("f3")
        await pilot.pause()
        app.screen.query_one(TextArea).load_text("hello\n")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(screen.query_one("#search-status", Static).render())
        assert "Bad plan file" in status and "line 1" in status
