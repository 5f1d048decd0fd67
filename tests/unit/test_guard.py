"""pgvtui.core.guard: what is refused before anything is sent, and which --set values pass."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pglast import ast, parse_sql

from pgvtui.core.guard import (
    ALLOWED_SETTINGS,
    PLANNER_ENABLE,
    check_settings,
    check_sql,
    denied_function,
    parse_set_arg,
)
from pgvtui.core.query.parser import map_placeholders, names, walk
from pgvtui.errors import QueryRefused, SettingRefused

ACCEPTED = [
    "select 1",
    "SELECT 1;",
    "select 1;;  ",
    # comments nest in PostgreSQL: everything after 'select 1' is one comment
    "select 1 /* /* */ ; drop table x; */",
    "select 1 /* /* */ ; */",
    # an unreserved keyword is a column name to PostgreSQL
    "select update from t",
    "select 1 -- trailing comment",
    "/* leading */ select 1",
    "with a as (select 1) select * from a",
    "with a as materialized (select 1), b as not materialized (select 2) select * from a, b",
    "with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select * from r",
    "values (1), (2)",
    "table items",
    "(select 1)",
    "select pg_sleep(0.1)",
    "select pg_sleep_for('1 ms')",
    "select '\"; drop table x' as x",
    "select $$a; drop table x$$",
    "select $tag$ ; $$ ; $tag$",
    "select E'\\'; drop table x; --'",
    'select "insert", "update" from t',
    'select "pg_terminate_backend" from t',  # a column, not a call
    "select 'pg_terminate_backend(1)'",
    "select 1 /* ; drop table x */",
    "select id from items where id % 100 = 7 order by emb <-> $1 limit 10",
    "select id from items order by emb <=> %(q)s::halfvec(64) limit 10",
    "select current_setting('hnsw.ef_search')",
    "select 1 as for_update",
    "select * from items for_update",
    "select a.x from (select 1 as x) a order by 1 fetch first 1 rows only",
]

REFUSED = [
    ("", "no SQL"),
    ("   ", "no SQL"),
    ("-- only a comment", "only comments"),
    ("select 1; drop table x", "exactly one statement"),
    ("select 1; select 2", "exactly one statement"),
    ("select 1 -- c\n; drop table x", "exactly one statement"),
    ("select 1 /* c */; drop table x", "exactly one statement"),
    ("select (1; drop table x)", "syntax error"),
    # standard_conforming_strings is pinned on: '\\' is a complete string, so two statements
    ("select '\\' ; drop table x; --'", "exactly one statement"),
    ("select /* /* nested */ ; drop table x", "cannot be read"),
    ("select 1 /* */ ; drop table x; /* */", "exactly one statement"),
    ("select 'unterminated", "cannot be read"),
    ("select $$unterminated", "cannot be read"),
    ("insert into t values (1)", "INSERT"),
    ("update t set a = 1", "UPDATE"),
    ("delete from t", "DELETE"),
    ("merge into t using s on true when matched then delete", "MERGE"),
    ("drop table t", "DROP"),
    ("create table t (a int)", "CREATE"),
    ("truncate t", "TRUNCATE"),
    ("copy t to '/tmp/x'", "COPY"),
    ("do $$ begin end $$", "DO"),
    ("call p()", "CALL"),
    ("set role postgres", "SET"),
    ("reset all", "RESET"),
    ("begin", "BEGIN"),
    ("commit", "COMMIT"),
    ("explain analyze delete from t", "EXPLAIN"),
    ("execute p1('[1]')", "EXECUTE"),
    ("prepare p as select 1", "PREPARE"),
    ("vacuum t", "VACUUM"),
    ("lock table t", "LOCK"),
    ("listen x", "LISTEN"),
    ("with d as (delete from t returning *) select * from d", "data-modifying DELETE"),
    ("with d as (insert into t values (1) returning *) select 1", "data-modifying INSERT"),
    ("with a as (select 1), b as (update t set x = 1 returning 1) select 1", "data-modifying"),
    ("with d as (merge into t using s on true when matched then delete) select 1", "MERGE"),
    ("select * from t for update", "FOR UPDATE"),
    ("select * from t for no key update", "FOR NO KEY UPDATE"),
    ("select * from t for share", "FOR SHARE"),
    ("select * from t for key share", "FOR KEY SHARE"),
    ("select * from t FOR UPDATE SKIP LOCKED", "FOR UPDATE"),
    ("select * from (select * from t for update) s", "FOR UPDATE"),
    ("select * into t2 from t", "INTO"),
    ("select 1 into temp t2", "INTO"),
    ("update t set a = 1 returning *", "this is UPDATE"),
    ("select pg_terminate_backend(1)", "pg_terminate_backend"),
    ("select pg_catalog.pg_terminate_backend(pid) from pg_stat_activity", "pg_terminate_backend"),
    ('select "pg_terminate_backend"(1)', "pg_terminate_backend"),
    ("select PG_CANCEL_BACKEND(1)", "pg_cancel_backend"),
    ("select pg_reload_conf()", "pg_reload_conf"),
    ("select pg_rotate_logfile()", "pg_rotate_logfile"),
    ("select set_config('role', 'x', true)", "set_config"),
    ("select pg_catalog.set_config('a', 'b', false)", "set_config"),
    ("select dblink('x', 'select 1')", "dblink"),
    ("select * from dblink_exec('x', 'drop table t')", "dblink_exec"),
    ("select lo_import('/etc/passwd')", "lo_import"),
    ("select lo_export(1, '/tmp/x')", "lo_export"),
    ("select lo_unlink(1)", "lo_unlink"),
    ("select pg_advisory_lock(1)", "pg_advisory_lock"),
    ("select pg_try_advisory_xact_lock(1)", "pg_try_advisory_xact_lock"),
    ("select pg_notify('c', 'x')", "pg_notify"),
    ("select nextval('s')", "nextval"),
    ("select setval('s', 1)", "setval"),
    ("select pg_read_file('/etc/passwd')", "pg_read_file"),
    ("select pg_read_binary_file('x')", "pg_read_binary_file"),
    ("select * from pg_ls_dir('.')", "pg_ls_dir"),
    ("select pg_stat_reset()", "pg_stat_reset"),
    ("select pg_stat_reset_shared('bgwriter')", "pg_stat_reset_shared"),
    ("select pg_switch_wal()", "pg_switch_wal"),
    ("select pg_create_physical_replication_slot('x')", "pg_create_physical_replication_slot"),
    ("select pg_create_logical_replication_slot('x', 'y')", "pg_create_logical_replication_slot"),
    ("select txid_current()", "txid_current"),
    ("select pg_current_xact_id()", "pg_current_xact_id"),
    ("select query_to_xml('delete from t', true, true, '')", "query_to_xml"),
    ("select pg_prewarm('items')", "pg_prewarm"),
    ("select pg_buffercache_evict(1)", "pg_buffercache_evict"),
    ("select pg_buffercache_evict_relation('items')", "pg_buffercache_evict_relation"),
    ("select x from t where exists (select pg_terminate_backend(1))", "pg_terminate_backend"),
    ("with a as (select pg_reload_conf()) select * from a", "pg_reload_conf"),
    ("select 1 \\gexec", "unexpected character"),
    ('select U&"\\0070g_terminate_backend"(1)', "Unicode-escaped"),
    ("select (1", "syntax error"),
    ("select \x00 1", "NUL"),
]


@pytest.mark.parametrize("sql", ACCEPTED)
def test_accepted(sql: str) -> None:
    out = check_sql(sql)
    assert out and not out.endswith(";")
    assert check_sql(out) == out  # normalising is idempotent


@pytest.mark.parametrize(("sql", "reason"), REFUSED)
def test_refused(sql: str, reason: str) -> None:
    with pytest.raises(QueryRefused) as exc:
        check_sql(sql)
    assert reason in exc.value.message
    assert exc.value.exit_code == 2


def test_normalised_text_drops_comments_and_semicolons() -> None:
    assert check_sql("  select 1 -- x\n ;  ") == "select 1"
    assert check_sql("/* a */ select /* b */ 1;") == "select   1"


def test_denied_function_matching() -> None:
    assert denied_function("pg_catalog.pg_terminate_backend")
    assert denied_function("DBLINK_CONNECT")
    assert denied_function("lo_from_bytea")
    assert not denied_function("pg_sleep")
    assert not denied_function("lower")
    assert not denied_function("pg_stat_get_live_tuples")


# -- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        ("hnsw.ef_search=100", ("hnsw.ef_search", "100")),
        ("HNSW.EF_SEARCH=1000", ("hnsw.ef_search", "1000")),
        ("hnsw.iterative_scan=relaxed_order", ("hnsw.iterative_scan", "relaxed_order")),
        ("hnsw.iterative_scan=STRICT_ORDER", ("hnsw.iterative_scan", "strict_order")),
        ("hnsw.max_scan_tuples=50000", ("hnsw.max_scan_tuples", "50000")),
        ("hnsw.scan_mem_multiplier=2.5", ("hnsw.scan_mem_multiplier", "2.5")),
        ("ivfflat.probes=10", ("ivfflat.probes", "10")),
        ("ivfflat.iterative_scan=relaxed_order", ("ivfflat.iterative_scan", "relaxed_order")),
        ("ivfflat.max_probes=100", ("ivfflat.max_probes", "100")),
        ("enable_seqscan=off", ("enable_seqscan", "off")),
        ("enable_indexscan=TRUE", ("enable_indexscan", "on")),
        ("enable_sort=0", ("enable_sort", "off")),
        ("work_mem=64MB", ("work_mem", "64MB")),
        ("work_mem=4096", ("work_mem", "4096kB")),
        ("effective_cache_size=4GB", ("effective_cache_size", "4GB")),
        ("maintenance_work_mem=1GB", ("maintenance_work_mem", "1GB")),
        ("random_page_cost=1.1", ("random_page_cost", "1.1")),
        ("seq_page_cost=1", ("seq_page_cost", "1")),
        ("cpu_tuple_cost=0.01", ("cpu_tuple_cost", "0.01")),
        ("jit=off", ("jit", "off")),
        ("max_parallel_workers_per_gather=0", ("max_parallel_workers_per_gather", "0")),
        ("plan_cache_mode=force_generic_plan", ("plan_cache_mode", "force_generic_plan")),
        ("parallel_setup_cost=0", ("parallel_setup_cost", "0")),
        ("min_parallel_table_scan_size=8MB", ("min_parallel_table_scan_size", "8MB")),
        ("jit_above_cost=-1", ("jit_above_cost", "-1")),
    ],
)
def test_setting_accepted(arg: str, expected: tuple[str, str]) -> None:
    assert parse_set_arg(arg) == expected


@pytest.mark.parametrize(
    "arg",
    [
        "hnsw.ef_search=0",
        "hnsw.ef_search=1001",
        "hnsw.ef_search=-1",
        "hnsw.ef_search=10.5",
        "hnsw.ef_search=1e3",
        "hnsw.ef_search=",
        "hnsw.ef_search",
        "=100",
        "hnsw.iterative_scan=on",
        "ivfflat.iterative_scan=strict_order",
        "hnsw.max_scan_tuples=0",
        "hnsw.scan_mem_multiplier=0.5",
        "ivfflat.probes=0",
        "enable_seqscan=maybe",
        "work_mem=64 MB",
        "work_mem=64mb",
        "work_mem=1PB",
        "work_mem=10kB",
        "random_page_cost=abc",
        "random_page_cost=-1",
        "plan_cache_mode=whatever",
        "default_transaction_read_only=off",
        "transaction_read_only=off",
        "role=postgres",
        "session_authorization=postgres",
        "search_path=evil",
        "statement_timeout=0",
        "lock_timeout=0",
        "log_statement=all",
        "hnsw.ef_search=100;reset role",
        "hnsw.ef_search=100; reset role",
        "hnsw.ef_search='100'",
        'hnsw.ef_search="100"',
        "hnsw.ef_search=100\n",
        " hnsw.ef_search=100",
        "hnsw.ef_search =100",
        "hnsw.ef_search=\t100",
        "enable_seqscan=off;set role x",
        "hnsw.ef_search;x=1",
        "hnsw.ef_search.x=1",
        "Hnsw.ef-search=1",
        "enable_seqscan=o\u200bff",
    ],
)
def test_setting_refused(arg: str) -> None:
    with pytest.raises(SettingRefused):
        parse_set_arg(arg)


def test_check_settings_forms_and_last_wins() -> None:
    assert check_settings(["hnsw.ef_search=10", "hnsw.ef_search=20"]) == {"hnsw.ef_search": "20"}
    assert check_settings({"enable_seqscan": "off"}) == {"enable_seqscan": "off"}
    assert check_settings([("ivfflat.probes", "3")]) == {"ivfflat.probes": "3"}
    assert check_settings([]) == {}


def test_every_planner_enable_is_boolean() -> None:
    assert len(PLANNER_ENABLE) >= 20
    for name in PLANNER_ENABLE:
        assert name.startswith("enable_") and ALLOWED_SETTINGS[name].kind == "bool"
        assert parse_set_arg(f"{name}=off") == (name, "off")


@pytest.mark.parametrize(
    "sql",
    [
        "select id from items order by emb <#> :'query_vector'::halfvec limit 10",
        "select :v",
        'select :"ident"',
    ],
)
def test_psql_variables_refused(sql: str) -> None:
    with pytest.raises(QueryRefused, match="psql variable"):
        check_sql(sql)


def test_array_slices_are_not_psql_variables() -> None:
    assert check_sql("select (array[1,2,3])[1:2], x::int from t")


FRAGMENTS = [
    "select 1",
    " ",
    "\n",
    ";",
    "drop table x",
    "'a;b'",
    "'it''s'",
    "E'\\';'",
    "$$;$$",
    "$q$ ; $$ $q$",
    "-- c ;\n",
    "/* ; */",
    "/* /* ; */ */",
    '"a;b"',
    "(",
    ")",
    "<->",
    "%s",
    "$1",
    "for update",
    "pg_terminate_backend(1)",
    "into t",
    "\\",
    "'",
    '"',
    "$",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12))
def test_guard_never_crashes_and_accepts_only_one_select(parts: list[str]) -> None:
    text = "".join(parts)
    try:
        out = check_sql(text)
    except QueryRefused:
        return
    # what comes out is exactly one SELECT to PostgreSQL's parser, with no INTO or lock
    stmts = parse_sql(map_placeholders(out)[0])
    assert len(stmts) == 1 and isinstance(stmts[0].stmt, ast.SelectStmt)
    for node in walk(stmts[0].stmt):
        if isinstance(node, ast.SelectStmt):
            assert node.intoClause is None and not node.lockingClause
        if isinstance(node, ast.FuncCall):
            assert not denied_function(".".join(names(node.funcname)))


@pytest.mark.parametrize("sql", ["SELECT a.²", "select 1٣", "select x⁄y from t"])
def test_odd_unquoted_identifier_chars_refused(sql: str) -> None:
    with pytest.raises(QueryRefused, match=r"unquoted name|trailing junk"):
        check_sql(sql)


def test_non_ascii_letters_and_quoted_names_accepted() -> None:
    assert check_sql("select café, 名前 from t")
    assert check_sql('select "a²" from t')
