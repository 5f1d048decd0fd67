"""The text reader against the real server: every query × option combination is EXPLAINed in
FORMAT TEXT and FORMAT JSON, and the text reader's tree must equal the JSON reader's, field by
field (every :class:`PlanNode` field, the tree shape, planning/execution time, settings).

Measured values are compared exactly where two runs give the same numbers: timings only for
presence (TIMING ON runs); row counts, loops and buffers exactly (TIMING OFF, warm cache),
except in the parallel plans, where how the rows split between the processes varies from run
to run: there rows, loops and buffers are compared for presence. ``psql`` itself renders a few
of them (header, dashes, a leading space, the ``(N rows)`` footer) to prove the reader takes
psql's output as printed.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from pgvtui.core.embedded import _bin_dir
from pgvtui.core.plan import Plan, PlanNode, parse_plan, read_plans
from tests.conftest import TestServer, create_database, drop_database

Q = "'[0.5,0.25,0.75]'"
QUERIES = {
    "hnsw": f"SELECT id FROM items ORDER BY emb <-> {Q} LIMIT 5",
    "hnsw-verbose-cos": f"SELECT id, emb <=> {Q} AS d FROM items ORDER BY emb <=> {Q} LIMIT 3",
    "ivfflat": f"SELECT id FROM items_ivf ORDER BY emb <-> {Q} LIMIT 5",
    "knn-seq-sort": f"SELECT id FROM items ORDER BY emb <#> {Q} LIMIT 5",
    "filter-bitmap": f"SELECT id FROM items WHERE category = 3 ORDER BY emb <-> {Q} LIMIT 5",
    "filter-after-ann": f"SELECT id FROM items WHERE category < 5 ORDER BY emb <-> {Q} LIMIT 10",
    "no-limit": f"SELECT id FROM items WHERE category = 4 ORDER BY emb <-> {Q}",
    "cte": (
        "WITH q AS MATERIALIZED (SELECT emb FROM items WHERE id = 1) "
        "SELECT i.id FROM items i, q ORDER BY i.emb <-> q.emb LIMIT 3"
    ),
    "initplan": (
        "SELECT id FROM items ORDER BY emb <-> (SELECT emb FROM items WHERE id = 2) LIMIT 4"
    ),
    "lateral-join": (
        "SELECT a.id, n.id FROM items a CROSS JOIN LATERAL "
        "(SELECT b.id FROM items b ORDER BY b.emb <-> a.emb LIMIT 2) n WHERE a.id < 4"
    ),
    "hash-join": (
        "SELECT a.id FROM items a JOIN items_ivf b ON a.id = b.id WHERE a.category < 2 "
        f"ORDER BY a.emb <-> {Q} LIMIT 3"
    ),
    "window": (
        f"SELECT id, row_number() OVER (ORDER BY emb <-> {Q}) FROM items WHERE category = 1 LIMIT 5"
    ),
    "aggregate-subplan": (
        "SELECT category, count(*) FROM items i WHERE EXISTS "
        "(SELECT 1 FROM items_ivf v WHERE v.id = i.id + 1) GROUP BY category HAVING count(*) > 1"
    ),
    "values-function-except": (
        "SELECT x FROM (VALUES (1), (2)) v(x) JOIN generate_series(1, 3) g ON g = v.x "
        "EXCEPT SELECT 5"
    ),
}
PARALLEL = {
    "parallel-seq-sort": f"SELECT id FROM items ORDER BY emb <=> {Q} LIMIT 5",
    "parallel-agg": "SELECT category, count(*) FROM items GROUP BY category",
}
OPTIONS = [
    "",
    "COSTS OFF",
    "VERBOSE",
    "BUFFERS, SETTINGS",
    "ANALYZE",
    "ANALYZE, TIMING OFF",
    "ANALYZE, TIMING OFF, BUFFERS",
    "ANALYZE, TIMING OFF, BUFFERS, VERBOSE, SETTINGS, WAL",
    "ANALYZE, TIMING OFF, MEMORY, SERIALIZE",
    "ANALYZE, TIMING OFF, COSTS OFF, SUMMARY OFF",
]
TIMES = frozenset({"actual_startup_ms", "actual_total_ms"})
# how the rows split between processes varies per run, and with it the leader's own sort
# method (few rows → quicksort, many → top-N heapsort)
PER_PROCESS = frozenset(
    {"actual_rows", "actual_loops", "shared_hit", "shared_read", "workers_launched", "sort_method"}
)


@pytest.fixture(scope="module")
def plan_db(pg_server: TestServer) -> Iterator[str]:
    name = create_database(pg_server, prefix="plans")
    dsn = pg_server.dsn_for(name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table, method in (("items", "hnsw"), ("items_ivf", "ivfflat")):
            conn.execute(
                sql.SQL(
                    "CREATE TABLE {} (id bigint PRIMARY KEY, category int, emb vector(3))"
                ).format(sql.Identifier(table))
            )
            conn.execute("SELECT setseed(0.3)")
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} SELECT i, i % 100, ARRAY[random(), random(), random()] "
                    "FROM generate_series(1, 20000) i"
                ).format(sql.Identifier(table))
            )
            opts = sql.SQL(" WITH (lists = 20)") if method == "ivfflat" else sql.SQL("")
            conn.execute(
                sql.SQL("CREATE INDEX ON {} USING {} (emb vector_l2_ops){}").format(
                    sql.Identifier(table), sql.SQL(method), opts
                )
            )
        conn.execute("CREATE INDEX ON items (category)")
        conn.execute("VACUUM ANALYZE")
    yield dsn
    drop_database(pg_server, name)


def _diff(text: PlanNode, js: PlanNode, loose: frozenset[str], path: str = "") -> list[str]:
    out: list[str] = []
    here = f"{path}/{js.node_type}"
    for f in dataclasses.fields(PlanNode):
        if f.name in ("raw", "children"):
            continue
        a, b = getattr(text, f.name), getattr(js, f.name)
        if f.name == "disabled":  # JSON prints "Disabled": false, text only when true
            a, b = bool(a), bool(b)
        if f.name in loose:
            a, b = a is None, b is None  # two runs: compare that both have it
        if a != b:
            out.append(f"{here}.{f.name}: text {a!r} != json {b!r}")
    if len(text.children) != len(js.children):
        out.append(f"{here}: {len(text.children)} children in text, {len(js.children)} in JSON")
    for x, y in zip(text.children, js.children, strict=False):
        out.extend(_diff(x, y, loose, here))
    return out


def _same_plan(text: Plan, js: Plan, loose: frozenset[str] = frozenset()) -> list[str]:
    out = _diff(text.root, js.root, loose)
    for attr in ("planning_ms", "execution_ms"):
        if (getattr(text, attr) is None) != (getattr(js, attr) is None):
            out.append(f"{attr}: text {getattr(text, attr)} json {getattr(js, attr)}")
    if text.settings != js.settings:
        out.append(f"settings: {text.settings} != {js.settings}")
    if text.truncated or text.notes or text.fragment:
        out.append(f"read as damaged: {text.truncated} {text.notes} {text.fragment}")
    return out


def _explain(conn: psycopg.Connection[tuple[object, ...]], opts: str, q: str, fmt: str) -> str:
    head = f"EXPLAIN ({opts + ', ' if opts else ''}FORMAT {fmt}) "
    rows = conn.execute(head + q).fetchall()  # test-authored statements, no user input
    return "\n".join(str(r[0]) for r in rows) if fmt == "TEXT" else str(rows[0][0])


def _compare_all(
    dsn: str, queries: dict[str, str], setup: list[str], loose: frozenset[str] = frozenset()
) -> list[str]:
    problems: list[str] = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        for stmt in setup:
            conn.execute(stmt)
        for name, q in queries.items():
            conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + q)  # warm the cache
            for opts in OPTIONS:
                js = parse_plan(
                    conn.execute(
                        f"EXPLAIN ({opts + ', ' if opts else ''}FORMAT JSON) {q}"
                    ).fetchone()[0]
                )  # type: ignore[index]
                text = _explain(conn, opts, q, "TEXT")
                plans = read_plans(text)
                if len(plans) != 1:
                    problems.append(f"{name} [{opts}]: {len(plans)} plans read")
                    continue
                timed = "ANALYZE" in opts and "TIMING OFF" not in opts
                diffs = _same_plan(plans[0], js, loose | (TIMES if timed else frozenset()))
                problems.extend(f"{name} [{opts}]: {d}" for d in diffs)
    return problems


def test_text_tree_equals_json_tree(plan_db: str) -> None:
    problems = _compare_all(plan_db, QUERIES, [])
    assert not problems, "\n".join(problems)


def test_parallel_text_tree_equals_json_tree(plan_db: str) -> None:
    setup = [
        "SET max_parallel_workers_per_gather = 2",
        "SET parallel_setup_cost = 0",
        "SET parallel_tuple_cost = 0",
        "SET min_parallel_table_scan_size = 0",
        "SET enable_indexscan = off",
    ]
    problems = _compare_all(plan_db, PARALLEL, setup, PER_PROCESS)
    assert not problems, "\n".join(problems)
    with psycopg.connect(plan_db, autocommit=True) as conn:
        for stmt in setup:
            conn.execute(stmt)
        plan = read_plans(_explain(conn, "ANALYZE, VERBOSE", PARALLEL["parallel-seq-sort"], "TEXT"))
    gathers = plan[0].find("Gather Merge")
    assert gathers and gathers[0].workers_planned == 2
    scans = plan[0].find("Seq Scan")
    assert scans and scans[0].parallel_aware
    assert scans[0].raw.get("Workers"), "VERBOSE prints a Worker 0: block"


def _psql(dsn: str, q: str) -> str:
    psql = str(_bin_dir() / "psql")
    res = subprocess.run(
        [psql, "-X", "-d", dsn, "-c", q],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return res.stdout


@pytest.mark.parametrize("name", ["hnsw", "cte", "filter-bitmap", "window"])
def test_psql_output_as_printed(plan_db: str, name: str) -> None:
    q = QUERIES[name]
    printed = _psql(plan_db, f"EXPLAIN (ANALYZE, TIMING OFF, BUFFERS) {q}")
    assert printed.splitlines()[0].strip() == "QUERY PLAN" and printed.rstrip().endswith("rows)")
    with psycopg.connect(plan_db, autocommit=True) as conn:
        js = parse_plan(
            conn.execute(f"EXPLAIN (ANALYZE, TIMING OFF, BUFFERS, FORMAT JSON) {q}").fetchone()[0]
        )  # type: ignore[index]
    plans = read_plans(printed)
    assert len(plans) == 1
    assert _same_plan(plans[0], js) == []
    # both plans in one file (two psql outputs one after the other): two plans, in order
    two = read_plans(printed + "\n" + _psql(plan_db, f"EXPLAIN {QUERIES['ivfflat']}"))
    assert [p.root.node_type for p in two] == [plans[0].root.node_type, "Limit"]
    assert two[1].find("Index Scan")[0].index_name == "items_ivf_emb_idx"
