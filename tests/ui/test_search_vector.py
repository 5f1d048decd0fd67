"""The Search screen's query vector arrives as a message from its worker; one for a column the
screen has since left is ignored."""

from __future__ import annotations

from pgvtui.ui.app import create_app
from pgvtui.ui.messages import QueryVectorChosen
from pgvtui.ui.screens.search import SearchScreen
from tests.snapshots.recorded import INVENTORY, RecordedBackend
from tests.ui.test_recorded import SIZE, loaded


async def test_vector_for_the_current_column_applies_a_stale_one_does_not() -> None:
    app = create_app("host=db.example", initial_screen="search", backend=RecordedBackend())
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        first, second = INVENTORY.columns[0], INVENTORY.columns[1]
        screen.load_column(first, run=False)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.golden.key == "id" and screen.controls.vector_choice() == ("id", "42")
        sql = screen.editor.text
        assert first.table in sql

        screen.golden.post_message(QueryVectorChosen(second, "other_key", "id", "99", run=False))
        await pilot.pause()
        assert screen.golden.key == "id" and screen.editor.text == sql  # not the current column

        screen.golden.post_message(QueryVectorChosen(first, "id", "id", "7", run=False))
        await pilot.pause()
        assert screen.controls.vector_choice() == ("id", "7") and "7" in screen.editor.text
