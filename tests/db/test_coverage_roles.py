"""Coverage before conclusions, as least-privilege roles on a database with problems: a role
with no grants at all and a role with pg_monitor only. Neither may be told "no findings": the
reports (check text/JSON/markdown, inventory, residency) state what they could not see and why.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from pgvtui.cli import main
from pgvtui.core.checkup import check_catalog
from pgvtui.core.session import SessionOptions, connect
from tests.conftest import TestServer
from tests.db.tables import make_table


@pytest.fixture
def roles(
    admin: psycopg.Connection, pg_server: TestServer, dbname: str
) -> Iterator[dict[str, str]]:
    # the problems: duplicate HNSW indexes in a schema PUBLIC may not use, and an IVFFlat index
    # probed with probes = 1 on a table nobody was granted
    admin.execute("CREATE SCHEMA app")
    admin.execute("CREATE TABLE app.reviews (id int PRIMARY KEY, emb vector(8))")
    admin.execute(
        "INSERT INTO app.reviews SELECT g, (SELECT array_agg(random()) FROM generate_series(1, 8)"
        " WHERE g > 0)::vector FROM generate_series(1, 300) g"
    )
    admin.execute("CREATE INDEX reviews_emb ON app.reviews USING hnsw (emb vector_l2_ops)")
    admin.execute("CREATE INDEX reviews_emb1 ON app.reviews USING hnsw (emb vector_l2_ops)")
    make_table(admin, "docs", 8, 2000)
    admin.execute(
        "CREATE INDEX docs_ivf ON docs USING ivfflat (emb vector_l2_ops) WITH (lists = 100)"
    )
    admin.execute("ANALYZE")
    names = {"none": f"none_{dbname}"[:60], "monitor": f"mon_{dbname}"[:60]}
    for name in names.values():
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'pw'").format(sql.Identifier(name)))
    admin.execute(sql.SQL("GRANT pg_monitor TO {}").format(sql.Identifier(names["monitor"])))
    try:
        yield {k: pg_server.dsn_for(dbname, user=v, password="pw") for k, v in names.items()}
    finally:
        for name in names.values():
            admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def _areas(doc: dict[str, object]) -> set[str]:
    cov = doc["coverage"]
    assert isinstance(cov, dict)
    return {e["area"] for e in cov["entries"]}


@pytest.mark.parametrize("who", ["none", "monitor"])
def test_check_states_coverage_and_never_no_findings(
    roles: dict[str, str], who: str, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn = roles[who]
    main(["check", dsn, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    areas = _areas(doc)
    assert doc["coverage"]["complete"] is False
    assert {"tables", "pg_stats", "schemas"} <= areas  # docs without SELECT; app without USAGE
    assert doc["coverage"]["objects_not_checked"] >= 2
    assert ("statistics" in areas) == (who == "none")  # pg_monitor reads all statistics
    tables = next(e for e in doc["coverage"]["entries"] if e["area"] == "tables")
    assert tables["objects"] == ["public.docs"] and "SELECT" in tables["reason"]
    schemas = next(e for e in doc["coverage"]["entries"] if e["area"] == "schemas")
    assert schemas["not_checked"] == 1 and "USAGE" in schemas["reason"]

    main(["check", dsn])
    text = capsys.readouterr().out
    assert "COVERAGE — not checked" in text
    assert "no findings\n" not in text
    flat = " ".join(text.split())
    assert "in what could be checked;" in flat and "objects not checked" in flat

    main(["check", dsn, "--format", "markdown"])
    md = capsys.readouterr().out
    assert "## Coverage — not checked" in md and "public.docs" in md
    assert "(step 1)" in md and "*Plan:*" in md  # one plan: ordered, notes shown


def test_inventory_and_residency_state_coverage(
    roles: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    main(["inventory", roles["none"], "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert {"tables", "schemas"} <= _areas(doc)
    assert [c["table"] for c in doc["columns"]] == ["docs"]  # app.reviews is invisible
    main(["inventory", roles["none"]])
    assert "COVERAGE — not checked" in capsys.readouterr().out
    main(["residency", roles["none"], "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert "pg_buffercache" in _areas(doc)
    main(["residency", roles["none"]])
    assert "COVERAGE — not checked" in capsys.readouterr().out


async def test_overview_catalog_carries_the_coverage(roles: dict[str, str]) -> None:
    s = await connect(roles["monitor"], SessionOptions())
    try:
        result = await check_catalog(s)
    finally:
        await s.close()
    assert not result.coverage.complete
    assert {e.area for e in result.coverage.entries} >= {"tables", "schemas"}
    assert "statistics" not in {e.area for e in result.coverage.entries}
