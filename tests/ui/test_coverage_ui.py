"""The TUI as a role with no grants on a database with a problem: the Overview states what it
could not see instead of an all clear, and Inventory → e shows the failed row sample instead of
opening Search with an empty editor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql
from textual.widgets import Static

from pgvtui.ui.app import create_app
from pgvtui.ui.screens.inventory import InventoryScreen
from tests.conftest import TestServer
from tests.ui.test_app import SIZE, connected, search_screen, wait_until


@pytest.fixture
def bare_dsn(admin: psycopg.Connection[Any], pg_server: TestServer, dbname: str) -> Iterator[str]:
    admin.execute("CREATE TABLE items (id int PRIMARY KEY, emb vector(8))")
    admin.execute(
        "INSERT INTO items SELECT i, (SELECT array_agg(random())::vector(8) "
        "FROM generate_series(1, 8) WHERE i > 0) FROM generate_series(1, 500) AS i"
    )
    # the problem: an IVFFlat index with far too many lists, probed once
    admin.execute(
        "CREATE INDEX items_ivf ON items USING ivfflat (emb vector_l2_ops) WITH (lists = 100)"
    )
    admin.execute("ANALYZE items")
    role = f"bare_{dbname}"[:60]
    admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'pw'").format(sql.Identifier(role)))
    try:
        yield pg_server.dsn_for(dbname, user=role, password="pw")
    finally:
        admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


async def test_overview_and_inventory_sample_as_a_role_without_grants(bare_dsn: str) -> None:
    app = create_app(bare_dsn)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        counts = app.screen.query_one("#finding-counts", Static)
        await wait_until(pilot, lambda: "objects not checked" in str(counts.render()))
        gaps = str(app.screen.query_one("#overview-coverage", Static).render())
        assert "tables (1 not checked: public.items)" in gaps and "no SELECT privilege" in gaps
        assert not app.catalog_coverage.complete
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, InventoryScreen)
        await pilot.press("e")
        await pilot.pause()
        screen = search_screen(app)
        await wait_until(pilot, lambda: "FROM" in screen.editor.text)  # not an empty editor
        status = screen.query_one("#search-status", Static)
        await wait_until(pilot, lambda: "could not sample" in str(status.render()))
        assert "permission denied" in str(status.render()).lower()
        assert any("could not sample" in n.message for n in app._notifications)
