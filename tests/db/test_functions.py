"""Searches inside functions (Supabase / LangChain ``match_documents``): the body is read from
pg_proc and diagnosed with the call's arguments; inlining, LIMIT NULL and a LIMIT only outside
are reported, naming the function."""

from __future__ import annotations

import json
from collections.abc import Iterator

import psycopg
import pytest

from pgvtui.cli import main
from tests.conftest import TestServer, create_database, drop_database
from tests.db import clients

RPC = "SELECT * FROM match_documents(query_embedding := $1::vector, match_count := $2)"


@pytest.fixture(scope="module")
def supa(pg_server: TestServer) -> Iterator[str]:
    name = create_database(pg_server, "funcs")
    dsn = pg_server.dsn_for(name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        clients.build(conn, ("supabase",), rows=3000)
        # a body the guard refuses: reading it must not run it
        conn.execute(
            "create function sneaky (q vector) returns table (id bigint, pid int)"
            " language plpgsql as $$ begin return query select d.id,"
            " pg_terminate_backend(pg_backend_pid())::int from documents d"
            " order by d.embedding <=> q limit 3; end; $$"
        )
    yield dsn
    drop_database(pg_server, name)


@pytest.fixture(autouse=True)
def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    code = main(["check", *args, "--fail-on", "never", "--format", "json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out else {}), out.err


def rules(doc: dict) -> dict[str, dict]:
    return {f["rule"]: f for f in doc["findings"]}


def test_plpgsql_rpc_generic_plan_of_the_body(
    supa: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc, err = check(capsys, supa, "--sql", RPC)
    assert code == 0, err
    fn = doc["function"]
    assert fn["name"] == "public.match_documents" and fn["language"] == "plpgsql"
    assert fn["inlinable"] is False and fn["called_as"] == RPC
    assert any("LANGUAGE plpgsql" in w for w in fn["not_inlined_because"])
    assert fn["arguments"]["filter"] == "CAST('{}' AS jsonb)"  # the default, in place
    assert doc["plan_kind"] == "generic plan"
    assert "documents" in doc["query"] and "LIMIT $2" in doc["query"]
    found = rules(doc)
    assert found["function-not-inlined"]["severity"] == "info"
    assert found["function-not-inlined"]["object"] == "public.match_documents"


def test_match_count_default_null_and_limit_only_outside(
    supa: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc, err = check(
        capsys, supa, "--sql", "SELECT * FROM match_documents($1::vector) LIMIT 5", "--sample"
    )
    assert code == 0, err
    assert doc["function"]["arguments"]["match_count"] == "CAST(NULL AS integer)"
    assert doc["function"]["outer_limit"] == "5"
    assert doc["parameters"][0]["source"] == "a random row of documents.embedding"
    found = rules(doc)
    ml = found["missing-limit"]
    assert "inside function public.match_documents()" in ml["message"]
    assert "LIMIT NULL is no limit" in ml["fix"]
    fni = found["function-not-inlined"]
    assert fni["severity"] == "warning" and "caller's LIMIT 5" in fni["message"]
    assert doc["rows"] == 3000  # the body returned every row


def test_sql_stable_function_is_inlinable_near_miss(
    supa: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = "SELECT * FROM match_documents_sql($1::vector, $2, $3)"
    code, _, err = check(capsys, supa, "--sql", sql, "--sample")
    assert code == 2 and "$2 (not compared with a column)" in err
    code, doc, err = check(
        capsys, supa, "--sql", sql, "--sample", "--param", "2=-1", "--param", "3=5"
    )
    assert code == 0, err
    assert doc["function"]["inlinable"] is True and doc["function"]["not_inlined_because"] == []
    found = rules(doc)
    assert "function-not-inlined" not in found and "missing-limit" not in found
    assert doc["rows"] == 5


def test_a_body_the_guard_refuses_is_not_run(supa: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, err = check(capsys, supa, "--sql", "SELECT * FROM sneaky($1::vector)", "--sample")
    assert code == 2 and doc == {}
    assert "Query refused" in err and "pg_terminate_backend" in err
