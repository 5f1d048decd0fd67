"""The Search screen takes statements as the application sends them (issue #13): any number of
``$n`` (F5: the generic plan; v: values sampled from the data, the ones it cannot give asked
for), and a call of a function whose body searches. The statements are the texts
pg_stat_statements recorded for schemas built as LangChain, Haystack and Supabase build them."""

from __future__ import annotations

from typing import Any

import psycopg
from textual.widgets import Input, Static

from pgvtui.ui.app import create_app
from pgvtui.ui.app_types import SearchRequest
from pgvtui.ui.screens.param_values import ParamValuesScreen
from pgvtui.ui.screens.search import SearchScreen
from pgvtui.ui.widgets.plan_tree import PlanTree
from tests.db import clients
from tests.ui.test_app import SIZE, connected, search_screen, wait_until
from tests.ui.test_workload_screen import open_workload


def recorded(admin: psycopg.Connection[Any], like: str) -> str:
    """The one statement pg_stat_statements holds whose text contains ``like``."""
    rows = admin.execute(
        "SELECT query FROM pg_stat_statements WHERE query LIKE %s AND query NOT LIKE %s",
        (f"%{like}%", "%pg_stat_statements%"),
    ).fetchall()
    assert len(rows) == 1, rows
    return str(rows[0][0])


def status(screen: SearchScreen) -> str:
    return str(screen.query_one("#search-status", Static).render())


def plan_text(screen: SearchScreen) -> str:
    tree = screen.query_one(PlanTree)
    return "\n".join(str(n.label) for n in tree.root.children)


async def test_statements_with_placeholders_and_function_calls(
    dsn: str, admin: psycopg.Connection[Any]
) -> None:
    names = ("langchain-pgvectorstore", "haystack", "supabase")
    clients.recorded_workload(admin, dsn, names, rows=600)
    lc = recorded(admin, "lc_docs")  # $1 and $2 the same vector, LIMIT $3
    haystack = recorded(admin, "haystack")  # five parameters: meta->>$4 = $1, LIMIT $5 …
    rpc = recorded(admin, "match_documents(query_embedding")
    assert "$3" in lc and "$5" in haystack

    app = create_app(dsn)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        app.request_search(SearchRequest(sql=lc))
        await pilot.pause()
        screen = search_screen(app)

        def done(sql: str) -> bool:
            out = screen.outcome
            return out is not None and out.sql == sql and not screen.running

        # loaded and run: its generic plan, nothing executed, said so
        await wait_until(pilot, lambda: done(lc))
        out = screen.outcome
        assert out is not None and out.error is None and out.generic, out.error
        assert out.plan is not None and not out.rows and not out.bound
        assert "generic plan" in status(screen) and "nothing executed" in status(screen)
        assert "execution not in the plan" in plan_text(screen)

        # v: $1/$2 sampled from lc_docs.embedding; the LIMIT $3 is asked for, never invented
        screen.query_one(PlanTree).focus()
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ParamValuesScreen))
        dialog = app.screen
        assert isinstance(dialog, ParamValuesScreen) and set(dialog.needed) == {3}
        dialog.query_one("#param-3", Input).value = "4"
        dialog.query_one("#param-3", Input).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: done(lc) and screen.outcome is not out)
        ran = screen.outcome
        assert ran is not None and ran.error is None and not ran.generic, ran.error
        assert len(ran.rows) == 4  # the LIMIT typed in, rows from the data
        assert {b.number for b in ran.bound} == {1, 2, 3}
        assert {b.role for b in ran.bound if b.number < 3} == {"vector"}
        assert "$3=4" in status(screen) and "ms" in status(screen)
        # F5 again: the same values are kept for the same text (the controls and the watch too)
        await pilot.press("f5")
        await wait_until(pilot, lambda: done(lc) and screen.outcome is not ran)
        again = screen.outcome
        assert again is not None and not again.generic and len(again.rows) == 4

        # five parameters, one of them inside a JSON path: generic plan, no error
        app.request_search(SearchRequest(sql=haystack))
        await pilot.pause()
        await wait_until(pilot, lambda: done(haystack))
        out = screen.outcome
        assert out is not None and out.error is None and out.generic and out.plan is not None

        # a call of a function whose body searches: its body is what gets diagnosed
        app.request_search(SearchRequest(sql=rpc))
        await pilot.pause()
        await wait_until(pilot, lambda: done(rpc))
        out = screen.outcome
        assert out is not None and out.function is not None, out.error
        assert out.function.function.name == "match_documents"
        assert "inside public.match_documents()" in status(screen)
        ids = {f.rule for f in out.findings}
        assert "function-not-inlined" in ids, ids
        # v: the vector argument is sampled; match_count (the body's LIMIT) only the core can
        # name, after unwrapping the function: the dialog asks for it, then the body runs
        screen.query_one(PlanTree).focus()
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ParamValuesScreen))
        dialog = app.screen
        assert isinstance(dialog, ParamValuesScreen) and set(dialog.needed) == {2}
        assert "values needed: $2" in status(screen)
        dialog.query_one("#param-2", Input).value = "3"
        dialog.query_one("#param-2", Input).focus()
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: done(rpc) and screen.outcome is not None and screen.outcome.rows != ()
        )
        ran = screen.outcome
        assert ran is not None and ran.function is not None and not ran.generic
        assert len(ran.rows) == 3 and "$2=3" in status(screen)


async def test_workload_e_opens_the_statement_in_search(
    dsn: str, admin: psycopg.Connection[Any]
) -> None:
    clients.recorded_workload(admin, dsn, ("langchain-pgvectorstore",), rows=300)
    app = create_app(dsn)
    async with app.run_test(size=(80, 24)) as pilot:
        workload = await open_workload(pilot)
        await wait_until(pilot, lambda: len(workload._entries) == 1)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen))
        screen = search_screen(app)
        text = workload._entries[0].query
        await wait_until(pilot, lambda: screen.outcome is not None and not screen.running)
        assert screen.editor.text == text
        assert screen.outcome is not None and screen.outcome.generic
