# ruff: noqa: E501 (plans are long lines as printed)
"""Plans people posted publicly (tests/data/public-plans, source URL in each file) and the
wrappers copy-paste adds, read by :func:`read_plans`; older wordings from the PostgreSQL docs;
damaged input read as far as it goes, unreadable input as one line naming the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pgvtui.core.plan import Plan, read_plans
from pgvtui.errors import PlanFileError

DATA = Path(__file__).parent.parent / "data" / "public-plans"


def _posted(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8").split("\n", 1)[1]


# file → (root label, a node that must be there, its Sort Key / Order By must mention this)
EXPECTED = {
    "01-hnsw-not-used-initplan.txt": ("Limit", "Bitmap Heap Scan on vector_table", "$0 <#>"),
    "02-seq-scan-elided.txt": ("Limit", "Seq Scan on faces", "'[-0.1216260...0.015510366]'"),
    "03-pgadmin-desc.txt": ("Limit", "Seq Scan on km-default", ")) DESC"),
    "04-python-fetchall.txt": ("Limit", "Seq Scan on qdrant_vectors", "<-> '[...]'"),
    "05-pgadmin-verbose-filter.txt": (
        "Limit",
        "Index Scan using documentChunk_hnsw on DocumentChunk",
        '"DocumentChunk".embedding <#>',
    ),
    "06-index-scan-cold.txt": ("Limit", "Index Scan using test_pg_hnsw_vector_idx", "-0.14575195"),
    "07-partitions-merge-append.txt": ("Merge Append", "vector_collection2_2", "<->"),
    "08-ivfflat-parallel-broken-lines.txt": ("Limit", "Seq Scan on emb", "emb.vector <#> $0"),
    "09-pgadmin-parallel-hash-join.txt": ("Limit", "Hash Join", "::vector(512) <->"),
    "10-pgadmin-initplan-desc.txt": ("Limit", "Seq Scan on question_embedding", "$0)) DESC"),
    "11-verbose-workers-io-timings.txt": ("Sort", "Seq Scan on embeddings_train tr", "<=>"),
    "12-indentation-lost.txt": ("Limit", "Function Scan", ""),
}


def _one(text: str) -> Plan:
    plans = read_plans(text)
    assert len(plans) == 1, [p.root.label() for p in plans]
    return plans[0]


def _orderings(plan: Plan) -> str:
    return " ".join(
        [*(k for n in plan.nodes() for k in n.sort_key), *(n.order_by or "" for n in plan.nodes())]
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_public_plan_reads(name: str) -> None:
    root, node, ordering = EXPECTED[name]
    plan = _one(_posted(name))
    assert plan.source_format == "text"
    assert plan.root.label() == root
    assert any(n.label().startswith(node) or node in n.label() for n in plan.nodes()), [
        n.label() for n in plan.nodes()
    ]
    assert ordering in _orderings(plan)
    assert plan.nodes()[-1].plan_rows is not None  # the last node's figures were read


def test_public_plans_details() -> None:
    p01 = _one(_posted("01-hnsw-not-used-initplan.txt"))
    assert p01.notes and "line 1 skipped" in p01.notes[0]  # the psql prompt line
    assert p01.truncated and "Bitmap Heap Scan" in p01.truncated  # the poster cut it there
    init = p01.nodes()[1]
    assert init.subplan_name == "InitPlan 1 (returns $0)" and init.parent_relationship == "InitPlan"
    p03 = _one(_posted("03-pgadmin-desc.txt"))
    assert p03.find("Seq Scan")[0].relation == "km-default"  # "" unescaped, quotes removed
    assert p03.execution_ms == pytest.approx(188.408)
    p04 = _one(_posted("04-python-fetchall.txt"))
    assert p04.raw[0]["JIT"]["Functions"] == 4 and p04.execution_ms == pytest.approx(1542.969)
    p05 = _one(_posted("05-pgadmin-verbose-filter.txt"))
    scan = p05.find("Index Scan")[0]
    assert (scan.schema, scan.relation, scan.rows_removed_by_filter) == (
        "public",
        "DocumentChunk",
        1209,
    )
    assert scan.ann_order and scan.filter and scan.filter.startswith("((length(")
    p08 = _one(_posted("08-ivfflat-parallel-broken-lines.txt"))
    assert not p08.truncated and not p08.notes  # lines broken mid-number joined back
    gm = p08.find("Gather Merge")[0]
    assert (gm.workers_planned, gm.workers_launched, gm.actual_rows) == (2, 0, 10)
    assert p08.find("Parallel Seq Scan") == [] and p08.find("Seq Scan")[1].parallel_aware
    p09 = _one(_posted("09-pgadmin-parallel-hash-join.txt"))
    sort = p09.find("Sort")[0]
    assert [w["Sort Method"] for w in sort.raw["Workers"]] == ["top-N heapsort"] * 2
    assert p09.truncated  # the excerpt ends at Parallel Hash
    p11 = _one(_posted("11-verbose-workers-io-timings.txt"))
    assert p11.fragment and p11.root.node_type == "Sort"  # starts below its root
    assert p11.root.raw["I/O Read Time"] == pytest.approx(1336.149)
    assert p11.root.raw["Workers"][1]["Shared Read Blocks"] == 117761
    p12 = _one(_posted("12-indentation-lost.txt"))  # Markdown ate the indentation
    assert any("indentation is lost" in n for n in p12.notes)
    assert p12.root.shared_hit == 5211 and p12.nodes()[1].subplan_name == "CTE random_vector"
    assert [n.node_type for n in p12.nodes()] == ["Limit", "Aggregate", "Function Scan"]


TEXT = """Limit  (cost=95.30..96.30 rows=5 width=16) (actual time=0.265..0.272 rows=5.00 loops=1)
  Buffers: shared hit=260
  ->  Index Scan using items_emb on items  (cost=95.30..4104.00 rows=20000 width=16) (actual time=0.264..0.271 rows=5.00 loops=1)
        Order By: (emb <-> '[1,2,3]'::vector)
        Index Searches: 1
        Buffers: shared hit=260
Planning Time: 0.190 ms
Execution Time: 0.305 ms"""


def _check_golden(plan: Plan) -> None:
    assert [n.label() for n in plan.nodes()] == ["Limit", "Index Scan using items_emb on items"]
    assert plan.root.children[0].shared_hit == 260 and plan.execution_ms == pytest.approx(0.305)


WRAPPED = {
    "markdown": "Here is my plan:\n\n```\n" + TEXT + "\n```\n\nthanks",
    "quote": "\n".join("> " + line for line in TEXT.splitlines()),
    "nested-quote": "\n".join("> > " + line for line in TEXT.splitlines()),
    "pgadmin": "\n".join(
        '"' + line.replace('"', '""') + '"' for line in ["QUERY PLAN", *TEXT.splitlines()]
    ),
    "python": repr([(line,) for line in TEXT.splitlines()]),
    "python-dict": repr([{"QUERY PLAN": line} for line in TEXT.splitlines()]),
    "blank-and-trailing": "\n\n\n" + "\n".join(line + "   " for line in TEXT.splitlines()) + "\n\n",
    "crlf": TEXT.replace("\n", "\r\n"),
    "psql-expanded": "\n".join(
        f"-[ RECORD {i} ]{'-' * 10}\nQUERY PLAN | {line}"
        for i, line in enumerate(TEXT.splitlines(), 1)
    ),
    "docker-logs": "db-1  | 2026-01-02 10:00:00.123 UTC [4242] LOG:  duration: 0.305 ms  plan:\n"
    + "\n".join("db-1  | \t" + line for line in TEXT.splitlines()),
    "auto_explain": (
        "2026-01-02 10:00:00.123 UTC [4242] LOG:  duration: 0.305 ms  plan:\n"
        "\tQuery Text: SELECT id FROM items\n\t  ORDER BY emb <-> '[1,2,3]' LIMIT 5;\n"
        + "\n".join("\t" + line for line in TEXT.splitlines())
    ),
}


@pytest.mark.parametrize("wrapper", sorted(WRAPPED))
def test_wrappers(wrapper: str) -> None:
    plan = _one(WRAPPED[wrapper])
    _check_golden(plan)
    if wrapper == "auto_explain":
        assert plan.raw[0]["Query Text"].endswith("LIMIT 5;")
    if wrapper == "markdown":
        assert len(plan.notes) == 2  # the prose lines, skipped with a note each


def test_auto_explain_json_and_several_entries() -> None:
    js = json.dumps(
        {"Query Text": "SELECT 1", "Plan": {"Node Type": "Result", "Plan Rows": 1}}, indent=2
    )
    log = (
        "2026-01-02 10:00:00 UTC [1] LOG:  duration: 1.0 ms  plan:\n"
        + "\n".join("\t" + line for line in js.splitlines())
        + "\n2026-01-02 10:00:01 UTC [1] LOG:  duration: 0.3 ms  plan:\n"
        + "\tQuery Text: SELECT id FROM items ORDER BY emb <-> '[1,2,3]' LIMIT 5\n"
        + "\n".join("\t" + line for line in TEXT.splitlines())
    )
    plans = read_plans(log)
    assert [p.source_format for p in plans] == ["json", "text"]
    assert plans[0].raw[0]["Query Text"] == "SELECT 1"
    _check_golden(plans[1])


def test_psql_json_with_continuation_marks() -> None:
    js = json.dumps(
        [
            {
                "Plan": {
                    "Node Type": "Limit",
                    "Plans": [{"Node Type": "Seq Scan", "Relation Name": "t", "Alias": "t"}],
                }
            }
        ],
        indent=2,
    )
    printed = (
        "              QUERY PLAN\n------------------------------\n"
        + "\n".join(" " + line + " +" for line in js.splitlines())
        + "\n(1 row)\n"
    )
    plan = _one(printed)
    assert plan.source_format == "json" and plan.find("Seq Scan")[0].relation == "t"


# PostgreSQL 13-16 wordings (docs: "Using EXPLAIN", 13-16): integer rows, InitPlan (returns $0),
# Heap Fetches, Hash buckets with "originally", external sort on disk, old timings wording.
OLD = """ Limit  (cost=1.10..2.20 rows=10 width=244) (actual time=0.150..0.200 rows=10 loops=1)
   InitPlan 1 (returns $0)
     ->  Result  (cost=0.00..0.01 rows=1 width=32) (actual time=0.001..0.001 rows=1 loops=1)
   ->  Sort  (cost=1.10..1.20 rows=10 width=244) (actual time=0.100..0.150 rows=10 loops=1)
         Sort Key: t1.fivethous
         Sort Method: external merge  Disk: 1032kB
         ->  Hash Join  (cost=230.47..713.98 rows=101 width=488) (actual time=0.711..7.427 rows=100 loops=1)
               Hash Cond: (t2.unique2 = t1.unique2)
               ->  Seq Scan on tenk2 t2  (cost=0.00..445.00 rows=10000 width=244) (actual time=0.007..2.583 rows=10000 loops=1)
               ->  Hash  (cost=229.20..229.20 rows=101 width=244) (actual time=0.659..0.659 rows=100 loops=1)
                     Buckets: 1024 (originally 512)  Batches: 1  Memory Usage: 28kB
                     ->  Index Only Scan using tenk1_unique1 on tenk1 t1  (cost=0.29..229.20 rows=101 width=244) (actual time=0.080..0.526 rows=100 loops=1)
                           Index Cond: (unique1 < 100)
                           Heap Fetches: 0
 Planning time: 0.194 ms
 Execution time: 8.008 ms
"""


def test_older_wordings() -> None:
    plan = _one(OLD)
    assert plan.planning_ms == pytest.approx(0.194) and plan.execution_ms == pytest.approx(8.008)
    sort = plan.find("Sort")[0]
    assert sort.sort_method == "external merge" and sort.raw["Sort Space Type"] == "Disk"
    assert sort.raw["Sort Space Used"] == 1032
    h = plan.find("Hash")[0]
    assert (h.raw["Hash Buckets"], h.raw["Original Hash Buckets"]) == (1024, 512)
    ios = plan.find("Index Only Scan")[0]
    assert ios.heap_fetches == 0 and ios.alias == "t1" and ios.index_name == "tenk1_unique1"
    assert plan.find("Hash Join")[0].join_type == "Inner"
    assert [c.parent_relationship for c in plan.find("Hash Join")[0].children] == ["Outer", "Inner"]
    assert plan.nodes()[1].subplan_name == "InitPlan 1 (returns $0)"


def test_costs_off_and_vector_on_the_left() -> None:
    plan = _one(
        "Limit\n  ->  Sort\n        Sort Key: (('[0.1,0.2,…]'::vector <-> emb)), id\n"
        "        ->  Seq Scan on items\n              Filter: (category = 3)\n"
    )
    sort = plan.find("Sort")[0]
    assert sort.sort_key == ("(('[0.1,0.2,…]'::vector <-> emb))", "id")
    assert plan.root.startup_cost is None and not plan.analyzed and not plan.truncated
    assert plan.find("Seq Scan")[0].rows_removed_by_filter is None  # no ANALYZE: unknown


def test_damaged_input() -> None:
    cut = read_plans(
        "Limit  (cost=1.00..2.00 rows=5 width=8)\n  ->  Seq Scan on items  (cost=0.00..1"
    )
    assert cut[0].truncated and "line 2" in cut[0].truncated
    assert cut[0].find("Seq Scan")[0].startup_cost == 0.0
    pager = _one(TEXT.replace("  Buffers: shared hit=260\n", "..skipping 1 line\n", 1))
    assert any("..skipping 1 line" in n for n in pager.notes)
    excerpt = _one(
        "   ->  Sort  (cost=1.00..2.00 rows=10 width=8)\n         Sort Key: ((emb <-> '[...]'::vector))\n"
    )
    assert excerpt.fragment and excerpt.truncated  # a Sort with no input


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("hello\nworld\n", "line 1"),
        ("\n\nSELECT * FROM items;\n", "line 3"),
        ('[{"Plan": {"Node Type": "Limit"', "not valid JSON"),
        ("   \n", "empty"),
    ],
)
def test_unreadable_is_one_line(text: str, needle: str) -> None:
    with pytest.raises(PlanFileError) as exc:
        read_plans(text)
    line = exc.value.one_line()
    assert needle in line and "\n" not in line
    if not text.lstrip().startswith("["):
        assert "JSON" not in line


def test_indented_first_node_is_an_excerpt_unless_the_whole_plan_is_shifted() -> None:
    body = (
        "Sort  (cost=1.00..2.00 rows=10 width=8)\n"
        "  Sort Key: ((emb <-> '[...]'::vector))\n"
        "  ->  Seq Scan on items  (cost=0.00..1.00 rows=10 width=8)\n"
    )
    shifted = "".join("      " + line + "\n" for line in body.splitlines())
    assert _one(shifted).fragment  # copied from the middle of a deeper tree
    whole = shifted + "      Planning Time: 0.1 ms\n"
    assert not _one(whole).fragment  # a whole plan, indented (quoted, a code block)
    assert not _one(" " + body.replace("\n", "\n ")).fragment  # psql's one space


@pytest.mark.parametrize("name", ["04-python-fetchall.txt", "06-index-scan-cold.txt"])
def test_a_line_of_prose_before_the_plan(name: str) -> None:
    """What people paste: a sentence, then the plan (psql text, or a Python fetchall())."""
    plain = _one(_posted(name))
    told = _one(f"Here is the EXPLAIN output from our prod box:\n\n{_posted(name)}")
    assert told.root.label() == plain.root.label()
    assert [n.label() for n in told.nodes()] == [n.label() for n in plain.nodes()]


def test_a_plan_without_buffers_says_so() -> None:
    """EXPLAIN without BUFFERS: the counts read 0, so a plan tells whether it has them."""
    assert not _one(_posted("04-python-fetchall.txt")).has_buffers
    assert _one(_posted("08-ivfflat-parallel-broken-lines.txt")).has_buffers
