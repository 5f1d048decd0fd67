"""``pgvtui workload`` against databases built as real vector-store clients build them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from pgvtui.cli import main
from pgvtui.core.search import diagnose
from pgvtui.core.session import SessionOptions, connect
from pgvtui.core.workload import OWN_TAG, PREVIEW_TAG, collect
from tests.conftest import TestServer, create_database, drop_database
from tests.db import clients

PREVIEWED = (
    "SELECT id FROM documents ORDER BY embedding <=> (SELECT embedding FROM documents "
    "WHERE id = 1) LIMIT 5"
)


async def _recall_check(dsn: str) -> None:
    from pgvtui.core.recall.sweep import RecallSpec, run_recall

    session = await connect(dsn, SessionOptions())
    try:
        spec = RecallSpec(index="public.haystack_hnsw_index", k=5, queries=3, ef_search=(40,))
        await run_recall(session, spec)
        # a search run the way the Search screen and `check` run it: EXPLAIN, then the preview
        preview = await diagnose(session, PREVIEWED)
        assert preview.search.result_rows and preview.search.error is None
    finally:
        await session.close()


@pytest.fixture(scope="module")
def app_db(pg_server: TestServer) -> Iterator[tuple[str, dict[str, clients.Client]]]:
    name = create_database(pg_server, "workload")
    dsn = pg_server.dsn_for(name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        clients.enable_pg_stat_statements(conn)
        built = clients.build(conn, rows=1500)
        conn.execute("SELECT pg_stat_statements_reset()")
        # statements that must not be listed: no distance, or '<=>' only inside a string
        conn.execute("SELECT count(*) FROM documents WHERE id = %s", (3,))
        conn.execute("SELECT %s::text || ' <=> cosine_distance'", ("x",))
    clients.run_queries(dsn, built, times=3)
    asyncio.run(_recall_check(dsn))  # pgvtui's own searches: recorded, never listed
    yield dsn, built
    drop_database(pg_server, name)


@pytest.fixture(autouse=True)
def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["workload", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_lists_every_client_statement_json(
    app_db: tuple[str, dict[str, clients.Client]], capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, built = app_db
    code, out, _ = run(capsys, dsn, "--format", "json", "--top", "50")
    assert code == 0
    doc = json.loads(out)
    assert doc["available"] is True
    entries = doc["entries"]
    # every statement the clients sent (9 shapes) and nothing else
    assert doc["matched"] == sum(len(c.statements) for c in built.values()) == len(entries)
    searched = {f"{s['table']}.{s['column']}" for e in entries for s in e["searches"]}
    for c in built.values():
        assert f"{c.table}.{c.column}" in searched, c.name
    # the text as pg_stat_statements holds it, with its queryid
    with psycopg.connect(dsn) as conn:
        held = dict(conn.execute("SELECT queryid::text, query FROM pg_stat_statements").fetchall())
    for e in entries:
        assert held[e["queryid"]] == e["query"]
        assert e["calls"] == 3 and e["mean_ms"] > 0 and e["rows_per_call"] > 0
    rpc = next(e for e in entries if "match_documents(query_embedding" in e["query"])
    # the operators of the search in its body
    assert rpc["functions"] == ["public.match_documents"] and rpc["operators"] == ["<=>"]
    lc = next(e for e in entries if "langchain_pg_embedding" in e["query"])
    assert lc["operators"] == ["<=>"]
    assert not any("count(*)" in e["query"] or "|| $2" in e["query"] for e in entries)


def test_sort_and_top_text(
    app_db: tuple[str, dict[str, clients.Client]], capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, _ = app_db
    code, out, _ = run(capsys, dsn, "--format", "json", "--sort", "rows", "--top", "3")
    doc = json.loads(out)
    rows = [e["rows"] for e in doc["entries"]]
    assert code == 0 and len(rows) == 3 and rows == sorted(rows, reverse=True)
    assert doc["matched"] > 3
    code, out, _ = run(capsys, dsn, "--top", "2")
    assert code == 0
    assert "vector statement(s) in pg_stat_statements, top 2 by total time" in out
    assert out.count("queryid") == 2
    assert max(len(line) for line in out.splitlines()) <= 80 or "SELECT" in out
    code, out, _ = run(capsys, dsn, "--format", "markdown", "--top", "1")
    assert code == 0 and out.startswith("# pgvtui workload") and "```sql" in out


def test_without_the_extension_says_how_to_enable(
    dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, dsn, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["available"] is False and doc["entries"] == []
    assert "not installed in this database" in doc["problem"]
    assert "CREATE EXTENSION pg_stat_statements" in doc["hint"]
    code, out, _ = run(capsys, dsn)
    assert code == 0 and "To enable it: run CREATE EXTENSION pg_stat_statements" in out


async def test_role_without_read_all_stats_is_told(
    app_db: tuple[str, dict[str, clients.Client]], pg_server: TestServer
) -> None:
    dsn, _ = app_db
    role = "pgvtui_wl_reader"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'pw'").format(sql.Identifier(role)))
        dbname = conn.info.dbname
        conn.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(dbname), sql.Identifier(role)
            )
        )
    try:
        session = await connect(
            pg_server.dsn_for(dbname, user=role, password="pw"), SessionOptions()
        )
        try:
            w = await collect(session)
        finally:
            await session.close()
        assert w.available and w.entries == () and w.hidden > 0
        assert any("pg_read_all_stats" in n for n in w.notes)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_diagnose_each_statement_from_its_text(
    app_db: tuple[str, dict[str, clients.Client]], capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, _ = app_db
    code, out, err = run(capsys, dsn, "--diagnose", "--top", "50", "--format", "json")
    assert code == 0, err
    entries = json.loads(out)["entries"]
    for e in entries:
        d = e["diagnosis"]
        assert d["plan_kind"] == "generic plan" and d["error"] is None, (e["query"], d)
        # LIMIT $n in a generic plan is not a LIMIT of the planner's guess
        assert "limit-over-ef-search" not in {f["rule"] for f in d["findings"]}
    by_text = {e["query"]: e["diagnosis"] for e in entries}
    rpc = next(d for q, d in by_text.items() if "match_documents(query_embedding" in q)
    assert rpc["function"] == "public.match_documents"
    assert "function-not-inlined" in {f["rule"] for f in rpc["findings"]}
    hay = next(d for q, d in by_text.items() if "haystack_documents" in q)
    assert "order-by-expression" in {f["rule"] for f in hay["findings"]}
    code, out, _ = run(capsys, dsn, "--diagnose", "--top", "2")
    assert code == 0 and out.count("diagnosis (generic plan") == 2


def test_diagnose_budget_marks_the_rest_skipped(
    app_db: tuple[str, dict[str, clients.Client]], capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, _ = app_db
    code, out, _ = run(capsys, dsn, "--diagnose", "--budget", "0.000001", "--format", "json")
    entries = json.loads(out)["entries"]
    assert code == 0 and entries[0]["diagnosis"]["skipped"] is False
    assert all(e["diagnosis"]["skipped"] for e in entries[1:])


async def test_pgvtui_own_recall_checks_are_not_listed(
    app_db: tuple[str, dict[str, clients.Client]],
) -> None:
    """The recall check's searches are in pg_stat_statements (tagged) and not in the workload."""
    dsn, _ = app_db
    with psycopg.connect(dsn) as conn:
        tagged = conn.execute(
            "SELECT count(*) FROM pg_stat_statements WHERE strpos(query, %s) > 0", (OWN_TAG,)
        ).fetchone()
    assert tagged is not None and tagged[0] >= 1
    session = await connect(dsn, SessionOptions())
    try:
        w = await collect(session, top=100)
    finally:
        await session.close()
    assert not any(OWN_TAG in e.query for e in w.entries)
    assert any("pgvtui's own recall checks and result previews" in n for n in w.notes)
    # the Search screen's / check's result preview is recorded too, and not listed either
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_statements WHERE strpos(query, %s) > 0", (PREVIEW_TAG,)
        ).fetchone()
    assert row is not None and row[0] >= 1
    assert not any("pgvtui_rows" in e.query for e in w.entries)


def test_text_output_at_80_columns_has_no_trailing_spaces(
    app_db: tuple[str, dict[str, clients.Client]], capsys: pytest.CaptureFixture[str]
) -> None:
    """Wrapped notes and findings (COLUMNS=80, into a pipe) end their lines without spaces."""
    dsn, _ = app_db
    code, out, _ = run(capsys, dsn, "--diagnose")
    assert code == 0 and any(len(line) > 70 for line in out.splitlines())
    assert not [line for line in out.splitlines() if line != line.rstrip()]
