"""pgvtui.core.search against the real server: EXPLAIN ANALYZE, settings, vectors, safety.

Lives beside the rule tests to share their databases (``items_db``, ``scratch_db``).
"""

from __future__ import annotations

import asyncio
import time

import psycopg
import pytest

from pgvtui.core.search import (
    bind_query,
    diagnose,
    fetch_vector,
    parse_vector_from,
    replan_without_seqscan,
    run_explain,
)
from pgvtui.core.session import Session, SessionOptions
from pgvtui.errors import QueryCancelled, QueryRefused, SettingRefused, UsageError
from tests.db.rules.conftest import VectorDB, open_session, vector_literal

Q = vector_literal()


async def test_explain_plan_rows_and_effective_settings(items_session: Session) -> None:
    res = await run_explain(
        items_session,
        f"select id, emb <-> '{Q}' as d from items order by d limit 10",
        {"hnsw.ef_search": "100", "enable_seqscan": "off"},
    )
    assert res.error is None and res.plan is not None and res.analyzed
    assert [n.node_type for n in res.plan.nodes()] == ["Limit", "Index Scan"]
    assert res.rows == 10 and res.execution_ms is not None and res.execution_ms > 0
    assert res.result_columns == ("id", "d")
    assert len(res.result_rows) == 10
    dists = [r[1] for r in res.result_rows]
    assert dists == sorted(dists)
    assert res.effective_settings["hnsw.ef_search"] == "100"
    assert res.effective_settings["enable_seqscan"] == "off"
    assert res.effective_settings["hnsw.iterative_scan"] == "off"  # server value, lib loaded
    # EXPLAIN (SETTINGS) lists only GUC_EXPLAIN planner settings — not pgvector's hnsw.*
    assert res.plan.settings == {"enable_seqscan": "off"}
    # SET LOCAL died with the transaction
    cur = items_session.conn.cursor()
    await cur.execute("SELECT current_setting('hnsw.ef_search'), current_setting('enable_seqscan')")
    assert await cur.fetchone() == ("40", "on")
    assert items_session.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


async def test_percent_signs_and_preview_cap(items_session: Session) -> None:
    res = await run_explain(
        items_session,
        "select id, '100%' as pct from items where id % 1000 = 7 order by id",
        {},
        preview_rows=5,
    )
    assert res.error is None and res.rows == 20
    assert len(res.result_rows) == 5 and res.result_rows[0] == (7, "100%")


async def test_vector_from_key_and_random(items_session: Session) -> None:
    v = await fetch_vector(items_session, parse_vector_from("public.items.emb:42"))
    assert len(v.to_list()) == 64
    res = await run_explain(
        items_session, "select id from items order by emb <-> $1 limit 3", {}, vector=v
    )
    assert res.result_rows[0] == (42,)  # the row itself is its own nearest neighbour
    assert res.plan is not None and res.plan.ann_scans()
    r = await fetch_vector(items_session, parse_vector_from("items.emb:random"))
    res2 = await run_explain(
        items_session, "select id from items order by emb <-> %(q)s limit 1", {}, vector=r
    )
    assert res2.rows == 1


async def test_vector_from_quoted_identifiers(scratch_db: VectorDB) -> None:
    with scratch_db.admin() as conn:
        conn.execute('CREATE SCHEMA IF NOT EXISTS "Vec Schema"')
        conn.execute(
            'CREATE TABLE IF NOT EXISTS "Vec Schema"."Items Table" ("Key" text PRIMARY KEY, '
            '"select" vector(3))'
        )
        conn.execute(
            """INSERT INTO "Vec Schema"."Items Table" VALUES ('a', '[1,2,3]'), ('b', '[3,2,1]')
               ON CONFLICT DO NOTHING"""
        )
    async with open_session(scratch_db.dsn, SessionOptions()) as s:
        src = parse_vector_from('"Vec Schema"."Items Table"."select":b')
        assert (src.schema, src.table, src.column, src.key) == (
            "Vec Schema",
            "Items Table",
            "select",
            "b",
        )
        v = await fetch_vector(s, src)
        assert v.to_list() == [3.0, 2.0, 1.0]
        res = await run_explain(
            s,
            'select "Key" from "Vec Schema"."Items Table" order by "select" <-> $1 limit 1',
            {},
            vector=v,
        )
        assert res.result_rows == (("b",),)
        rnd = await fetch_vector(s, parse_vector_from('"Vec Schema"."Items Table"."select":random'))
        assert rnd.to_list() in ([1.0, 2.0, 3.0], [3.0, 2.0, 1.0])  # small table: full scan
        with pytest.raises(UsageError, match="no such row"):
            await fetch_vector(s, parse_vector_from('"Vec Schema"."Items Table"."select":zz'))


def test_parse_vector_from_errors() -> None:
    for bad in ("items", "items.emb", "a.b.c.d:1", "items.emb:", ":1", "items..emb:1"):
        with pytest.raises(UsageError):
            parse_vector_from(bad)


def test_bind_query_placeholders() -> None:
    text, values = bind_query("select 7 % 3, $1, $1 from t where x like 'a%'", vector="V")
    assert text == "select 7 %% 3, %(pgvtui_p1)s, %(pgvtui_p1)s from t where x like 'a%%'"
    assert values == {"pgvtui_p1": "V"}
    with pytest.raises(UsageError, match="exactly one placeholder"):
        bind_query("select $1, $2", vector="V")
    with pytest.raises(UsageError, match="--vector-from"):
        bind_query("select $1")
    text, values = bind_query("select %(a)s::int", params={"a": 1})
    assert text == "select %(pgvtui_n_a)s::int" and values == {"pgvtui_n_a": 1}
    text, values = bind_query("select %s, %s", params=[1, 2])
    assert values == {"pgvtui_s0": 1, "pgvtui_s1": 2}


async def test_dimension_mismatch_is_captured_with_planned_shape(items_session: Session) -> None:
    res = await run_explain(
        items_session, "select id from items order by emb <-> '[1,2,3]' limit 10", {}
    )
    assert res.error is not None and res.error.dimension_mismatch == (3, 64)
    assert res.plan is not None and not res.analyzed  # EXPLAIN without ANALYZE
    assert res.rows is None and res.result_rows == ()
    assert items_session.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


async def test_refused_before_sending(items_session: Session) -> None:
    before = items_session.statements
    with pytest.raises(QueryRefused):
        await run_explain(items_session, "select 1; delete from items", {})
    with pytest.raises(SettingRefused):
        await run_explain(items_session, "select 1", {"role": "postgres"})
    assert items_session.statements == before


async def test_write_that_slips_past_guard_fails_and_changes_nothing(scratch_db: VectorDB) -> None:
    with scratch_db.admin() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS audit (n int)")
        conn.execute(
            """CREATE OR REPLACE FUNCTION sneaky() RETURNS int LANGUAGE plpgsql AS
               $$ BEGIN INSERT INTO audit VALUES (1); RETURN 1; END $$"""
        )
    async with open_session(scratch_db.dsn, SessionOptions()) as s:
        res = await run_explain(s, "select sneaky()", {})
        assert res.error is not None
        assert "read-only transaction" in res.error.message
        assert res.error.title == "Write refused"
        assert s.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        res2 = await run_explain(s, "select 1 as ok", {})  # still usable
        assert res2.result_rows == ((1,),)
    with scratch_db.admin() as conn:
        assert conn.execute("SELECT count(*) FROM audit").fetchone() == (0,)


async def test_cancel_leaves_session_idle_and_usable(items_db: VectorDB) -> None:
    async with open_session(items_db.dsn) as s:
        pid = s.basics.backend_pid

        async def cancel_soon() -> None:
            await asyncio.sleep(0.3)
            s.cancel()

        started = time.monotonic()
        task = asyncio.create_task(cancel_soon())
        with pytest.raises(QueryCancelled):
            await run_explain(s, "select pg_sleep(30)", {})
        await task
        assert time.monotonic() - started < 1.0
        assert s.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with items_db.admin() as conn:
            row = conn.execute(
                "SELECT state FROM pg_stat_activity WHERE pid = %s", (pid,)
            ).fetchone()
        assert row == ("idle",)
        res = await run_explain(s, "select 2 as two", {})
        assert res.result_rows == ((2,),)


async def test_replan_without_seqscan_and_diagnose_extras(items_session: Session) -> None:
    # 20k rows: the planner sorts for <=> on an l2 index (operator mismatch) → the re-plan
    # with enable_seqscan = off still has no ANN scan, and diagnose stores it for the rules.
    plan = await replan_without_seqscan(
        items_session, f"select id from items order by emb <-> '{Q}' limit 10", {}
    )
    assert plan is not None and plan.settings.get("enable_seqscan") == "off"
    diag = await diagnose(
        items_session, f"select id from items order by emb <=> '{Q}' limit 10", {}
    )
    assert "noseqscan_plan" in diag.extras
    assert diag.search.plan is not None and not diag.search.plan.ann_scans()
    assert any(f.rule == "operator-mismatch" for f in diag.findings)
    healthy = await diagnose(
        items_session, f"select id from items order by emb <-> '{Q}' limit 10", {}
    )
    assert "noseqscan_plan" not in healthy.extras


async def test_no_preview_runs_the_query_once(items_session: Session) -> None:
    # pgvtui check shows no rows, so it asks for none: one statement fewer on the server.
    sql_text = f"select id from items order by emb <-> '{Q}' limit 5"
    before = items_session.statements
    shown = await diagnose(items_session, sql_text, replan=False)
    with_preview = items_session.statements - before
    before = items_session.statements
    bare = await diagnose(items_session, sql_text, replan=False, preview_rows=0)
    assert items_session.statements - before == with_preview - 1
    assert len(shown.search.result_rows) == 5 and bare.search.result_rows == ()
    assert bare.search.rows == shown.search.rows == 5 and bare.findings == shown.findings
