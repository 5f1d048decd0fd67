"""``check --sql`` on statements with ``$n``, taken from pg_stat_statements of databases built
as real clients build them: the generic plan without values; EXPLAIN ANALYZE with values from
--param / --vector-from / --sample, the report saying which values were used."""

from __future__ import annotations

import json
from collections.abc import Iterator

import psycopg
import psycopg.conninfo
import pytest
from psycopg import sql

from pgvtui.cli import main
from tests.conftest import TestServer, create_database, drop_database
from tests.db import clients


@pytest.fixture(scope="module")
def app(pg_server: TestServer) -> Iterator[tuple[str, dict[str, str]]]:
    """The database and the statements pg_stat_statements holds, by client name."""
    name = create_database(pg_server, "params")
    dsn = pg_server.dsn_for(name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        clients.enable_pg_stat_statements(conn)
        built = clients.build(conn, rows=1200)
        conn.execute("SELECT pg_stat_statements_reset()")
    clients.run_queries(dsn, built, times=1)
    with psycopg.connect(dsn) as conn:
        texts = [r[0] for r in conn.execute("SELECT query FROM pg_stat_statements").fetchall()]

    def find(*needles: str) -> str:
        return next(t for t in texts if all(n in t for n in needles))

    held = {
        "langchain": find("langchain_pg_embedding", "<=>"),
        "pgvectorstore": find("lc_docs", "cosine_distance"),
        "haystack": find("haystack_documents", "score"),
        "llama_filter": find("data_llama", "metadata_ ->>"),
        "llama": find("data_llama", "ORDER BY distance asc LIMIT $2"),
        "django": find("app_item", "<->"),
        "rpc": find("match_documents(query_embedding"),
    }
    yield dsn, held
    drop_database(pg_server, name)


@pytest.fixture(autouse=True)
def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args, "--fail-on", "never"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_every_held_statement_gets_a_generic_plan(
    app: tuple[str, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, held = app
    for name, text in held.items():
        code, out, err = check(capsys, dsn, "--sql", text, "--format", "json")
        assert code == 0, (name, err)
        doc = json.loads(out)
        assert doc["plan_kind"] == "generic plan" and "generic plan" in doc["note"], name
        assert doc["plan"][0]["Plan"]["Node Type"] and doc["execution_ms"] is None
        # a function call: the search in its body is what is diagnosed
        assert doc["query"] == text or doc["function"]["called_as"] == text
    code, out, _ = check(capsys, dsn, "--sql", held["langchain"])
    assert code == 0 and "findings come from a generic plan" in out
    # LIMIT $2 in a generic plan: the Limit's Plan Rows is a guess, not the LIMIT
    code, out, _ = check(capsys, dsn, "--sql", held["llama"], "--format", "json")
    assert "limit-over-ef-search" not in {f["rule"] for f in json.loads(out)["findings"]}


def test_sample_fills_vector_and_compared_column_but_asks_for_the_limit(
    app: tuple[str, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, held = app
    code, _, err = check(capsys, dsn, "--sql", held["langchain"], "--sample")
    assert code == 2
    assert "no value for $3 (the LIMIT)" in err and "--param N=VALUE" in err
    code, out, err = check(
        capsys, dsn, "--sql", held["langchain"], "--sample", "--param", "3=4", "--format", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert "plan_kind" not in doc and doc["rows"] == 4 and doc["execution_ms"] > 0
    used = {p["param"]: p for p in doc["parameters"]}
    assert used["$1"]["role"] == "vector"
    assert used["$1"]["source"] == "a random row of langchain_pg_embedding.embedding"
    assert used["$2"]["source"] == "sampled from langchain_pg_embedding.collection_id"
    assert used["$3"] == {"param": "$3", "role": "limit", "source": "--param", "value": "4"}
    # text output names the values
    code, out, _ = check(capsys, dsn, "--sql", held["langchain"], "--sample", "--param", "3=4")
    out = " ".join(out.split())
    assert "Values used: $1 (vector) = [" in out
    assert "$2 (compared) = " in out and "sampled from langchain_pg_embedding.collection_id" in out


def test_the_same_vector_sent_twice(
    app: tuple[str, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, held = app
    code, out, err = check(
        capsys,
        dsn,
        "--sql",
        held["pgvectorstore"],
        "--vector-from",
        "public.lc_docs.embedding:random",
        "--param",
        "3=4",
        "--format",
        "json",
    )
    assert code == 0, err
    doc = json.loads(out)
    used = {p["param"]: p["source"] for p in doc["parameters"]}
    assert used["$1"] == used["$2"] == "--vector-from public.lc_docs.embedding:random"
    assert doc["rows"] == 4


def test_parameters_nothing_ties_to_a_column_are_asked_for(
    app: tuple[str, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, held = app
    code, _, err = check(capsys, dsn, "--sql", held["haystack"], "--sample")
    assert code == 2
    for n in ("$1 (not compared with a column)", "$2 (not compared", "$4 (not", "$5 (the LIMIT)"):
        assert n in err
    assert "$3" not in err  # the vector: sampled
    code, out, err = check(
        capsys,
        dsn,
        "--sql",
        held["haystack"],
        "--sample",
        *("--param", "1=c2", "--param", "2=1", "--param", "4=category", "--param", "5=10"),
        "--format",
        "json",
    )
    assert code == 0, err
    assert json.loads(out)["rows"] == 10


def test_casts_in_the_statement_are_respected(
    app: tuple[str, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, held = app
    code, _, err = check(
        capsys,
        dsn,
        "--sql",
        held["langchain"],
        "--sample",
        "--param",
        "3=4",
        "--param",
        "2=not-a-uuid",
    )
    assert code == 2 and "uuid" in err.lower()
    code, _, err = check(capsys, dsn, "--sql", held["langchain"], "--param", "9=1")
    assert code == 2 and "$9" in err and "no such placeholder" in err


async def test_generic_plan_is_sent_as_one_statement_even_past_the_guard(
    app: tuple[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """EXPLAIN (GENERIC_PLAN) goes by the simple query protocol (the $n stay in the text): with
    the guard disabled, the text actually sent is still parsed and a second statement refused
    before the EXPLAIN is sent."""
    from pgvtui.core import binding, guard
    from pgvtui.core.session import SessionOptions, connect
    from pgvtui.errors import QueryRefused

    dsn, _ = app
    monkeypatch.setattr(guard, "check_sql", lambda text: text)
    session = await connect(dsn, SessionOptions())
    try:
        before = session.statements
        with pytest.raises(QueryRefused, match="exactly one statement"):
            await binding.explain_generic(session, "SELECT $1::int; SELECT 2")
        assert session.statements - before == 3  # BEGIN, the settings read, ROLLBACK: no EXPLAIN
    finally:
        await session.close()


def test_psycopg_placeholders_as_written_in_the_application_code(
    app: tuple[str, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    """The LangChain statement as its code sends it (%s, psycopg's style; the same in
    tests/db/clients.py), and with named placeholders: numbered $1, $2 … in order."""
    dsn, _ = app
    code_text = (
        "SELECT langchain_pg_embedding.id, langchain_pg_embedding.embedding <=> %s AS distance"
        " FROM langchain_pg_embedding WHERE langchain_pg_embedding.collection_id = %s::UUID"
        " ORDER BY distance ASC LIMIT %s::INTEGER"
    )
    code, out, err = check(capsys, dsn, "--sql", code_text, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["plan_kind"] == "generic plan"
    assert "= $2::UUID" in doc["query"] and "LIMIT $3::INTEGER" in doc["query"]
    named = code_text.replace("<=> %s", "<=> %(q)s").replace("= %s", "= %(c)s")
    named = named.replace("LIMIT %s", "LIMIT %(k)s")
    code, out, err = check(
        capsys, dsn, "--sql", named, "--sample", "--param", "3=2", "--format", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["rows"] == 2 and "plan_kind" not in doc
    used = {p["param"]: p for p in doc["parameters"]}
    assert used["$1"]["role"] == "vector" and used["$2"]["role"] == "compared"


def test_a_generic_plan_refused_for_privileges_does_not_ask_for_values(
    app: tuple[str, dict[str, str]], pg_server: TestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A role without SELECT on the table: the error says so, without the "give values" hint
    that a generic plan's own failures get (values cannot fix a privilege)."""
    dsn, held = app
    dbname = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
    role = "params_no_select"
    with psycopg.connect(pg_server.admin_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'pw'").format(sql.Identifier(role)))
    try:
        bare = pg_server.dsn_for(str(dbname), user=role, password="pw")
        code, _, err = check(capsys, bare, "--sql", held["pgvectorstore"])
        assert code != 0 and "permission denied" in err.lower(), err
        assert "give values" not in err, err
    finally:
        with psycopg.connect(pg_server.admin_dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
