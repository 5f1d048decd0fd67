"""The Workload screen (key 7) against a database built as the client libraries build it:
pg_stat_statements' vector statements listed; Enter diagnoses the selected one in a worker."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import psycopg
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from pgvtui.errors import QueryFailed
from pgvtui.ui.app import create_app
from pgvtui.ui.screens.param_values import ParamValuesScreen
from pgvtui.ui.screens.workload import WorkloadScreen
from pgvtui.ui.widgets.findings_list import FindingsList
from tests.db import clients
from tests.snapshots.recorded import RecordedBackend
from tests.ui.test_app import connected, wait_until


async def open_workload(pilot: Pilot[Any]) -> WorkloadScreen:
    """Once connected, key 7: the Workload screen."""
    app = pilot.app
    await connected(pilot)
    await pilot.press("7")
    await wait_until(pilot, lambda: isinstance(app.screen, WorkloadScreen))
    screen = app.screen
    assert isinstance(screen, WorkloadScreen)
    return screen


async def test_lists_and_diagnoses_a_function_search(
    dsn: str, admin: psycopg.Connection[Any]
) -> None:
    clients.recorded_workload(admin, dsn, ("supabase", "haystack"), rows=800, times=2)
    app = create_app(dsn)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_workload(pilot)
        table = screen.query_one("#workload-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 3)
        row = next(
            i for i, e in enumerate(screen._entries) if "match_documents(query_embedding" in e.query
        )
        table.move_cursor(row=row)
        await pilot.press("enter")
        findings = screen.query_one("#workload-findings", FindingsList)
        await wait_until(pilot, lambda: findings.option_count > 0)
        head = str(screen.query_one("#wl-head").render())
        values = str(screen.query_one("#wl-values").render())
        assert "generic plan" in head
        assert "the search inside public.match_documents(" in values
        assert "no values: generic plan" in values
        # s: the next sort (mean), read again from the server
        await pilot.press("s")
        await wait_until(pilot, lambda: screen.sort == "mean" and table.row_count == 3)
        means = [e.mean_ms for e in screen._entries]
        assert means == sorted(means, reverse=True)
        # v: values sampled from the data; the ones it cannot give are asked for, never
        # invented (Haystack's meta->>$4 = $1, its score offset $2, the LIMIT $5)
        haystack = next(i for i, e in enumerate(screen._entries) if "haystack" in e.query)
        table.move_cursor(row=haystack)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ParamValuesScreen))
        dialog = app.screen
        assert isinstance(dialog, ParamValuesScreen)
        assert set(dialog.needed) == {1, 2, 4, 5} and dialog.needed[5] == "the LIMIT"
        for n, value in ((1, "news"), (2, "1"), (4, "topic"), (5, "5")):
            dialog.query_one(f"#param-{n}", Input).value = value
        dialog.query_one("#param-5", Input).focus()
        await pilot.press("enter")
        values = screen.query_one("#wl-values")
        await wait_until(pilot, lambda: "values used" in str(values.render()))
        text = str(values.render())
        assert "$5 (limit) — typed in: 5" in text and "$3 (vector) — a random row of" in text
        assert "EXPLAIN ANALYZE" in str(screen.query_one("#wl-head").render())
        # Esc in the dialog: nothing runs
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ParamValuesScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        assert not screen.running


async def test_without_pg_stat_statements_says_how_to_enable(dsn: str) -> None:
    app = create_app(dsn)
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        await pilot.press("7")
        await wait_until(pilot, lambda: isinstance(app.screen, WorkloadScreen))
        status = app.screen.query_one("#workload-status")
        await wait_until(pilot, lambda: "To enable it" in str(status.render()))
        assert "CREATE EXTENSION pg_stat_statements" in str(status.render())


class StuckBackend(RecordedBackend):
    """The recorded workload; a diagnosis that only ends when the server cancels it."""

    def __init__(self) -> None:
        super().__init__()
        self.cancelled = asyncio.Event()
        self.started = asyncio.Event()

    async def cancel(self) -> None:
        self.cancelled.set()

    async def check_statement(
        self, text: str, *, sample: bool = False, params: Mapping[int, str] | None = None
    ) -> Any:
        self.started.set()
        await self.cancelled.wait()
        raise QueryFailed("canceling statement due to user request")


async def test_escape_cancels_a_running_diagnosis() -> None:
    backend = StuckBackend()
    app = create_app("host=db.example", backend=backend, initial_screen="workload")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, WorkloadScreen)
        table = screen.query_one("#workload-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: backend.started.is_set() and screen.running)
        assert "Esc cancels" in str(screen.query_one("#wl-head").render())
        await pilot.press("escape")
        await wait_until(pilot, lambda: backend.cancelled.is_set() and not screen.running)
        await pilot.pause()
        assert "diagnosis cancelled" in str(screen.query_one("#wl-head").render())
        assert app.screen is screen  # Esc did not leave or close anything else
