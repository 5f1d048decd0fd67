"""The plan copied as EXPLAIN text is PostgreSQL's own text format: for the same plan, the text
written from the JSON equals what the server prints with FORMAT TEXT (costs, actual rows with
timing off, buffers off so that the numbers are the same in both runs)."""

from __future__ import annotations

import json
import re
from typing import Any

import psycopg
import pytest

from pgvtui.core.plan import parse_plan
from pgvtui.render.explain_text import explain_text

QUERIES = {
    "knn with an InitPlan": "SELECT id, emb <-> (SELECT emb FROM items WHERE id = 7) AS d "
    "FROM items ORDER BY d LIMIT 5",
    "knn on a literal": "SELECT id FROM items ORDER BY emb <-> '[1,2,3]' LIMIT 3",
    "filter and sort": "SELECT id FROM items WHERE id % 7 = 1 ORDER BY emb <=> '[1,0,0]' LIMIT 4",
    "join and aggregate": "SELECT t.tag, count(*) FROM items i JOIN tags t ON t.item_id = i.id "
    "WHERE i.id < 500 GROUP BY t.tag",
    "left join, CTE, index only scan": "WITH c AS MATERIALIZED "
    "(SELECT id FROM items WHERE id < 20) "
    "SELECT c.id, t.tag FROM c LEFT JOIN tags t ON t.item_id = c.id",
    "subplan": "SELECT id FROM items WHERE id < 50 AND EXISTS "
    "(SELECT 1 FROM tags t WHERE t.item_id = items.id AND t.tag = 'a') ORDER BY id DESC",
}


@pytest.fixture
def tables(admin: psycopg.Connection[Any]) -> None:
    admin.execute("CREATE TABLE items (id int PRIMARY KEY, emb vector(3))")
    admin.execute(
        "INSERT INTO items SELECT i, ARRAY[i % 10, i % 7, i % 3]::vector(3) "
        "FROM generate_series(1, 2000) AS i"
    )
    admin.execute("CREATE INDEX items_emb ON items USING hnsw (emb vector_l2_ops)")
    admin.execute("CREATE TABLE tags (item_id int, tag text)")
    admin.execute("INSERT INTO tags SELECT i, chr(97 + i % 5) FROM generate_series(1, 2000) AS i")
    admin.execute("CREATE INDEX tags_item ON tags (item_id)")
    admin.execute("ANALYZE items")
    admin.execute("ANALYZE tags")


def _explain(conn: psycopg.Connection[Any], options: str, query: str) -> Any:
    # The options are fixed strings of this test, the queries its constants.
    return [r[0] for r in conn.execute(f"EXPLAIN ({options}) {query}").fetchall()]


@pytest.mark.parametrize("analyze", [False, True], ids=["plan", "analyze"])
@pytest.mark.parametrize("name", list(QUERIES))
def test_explain_text_matches_the_server(
    tables: None, admin: psycopg.Connection[Any], name: str, analyze: bool
) -> None:
    query = QUERIES[name]
    opts = "COSTS ON, SUMMARY OFF" + (", ANALYZE, TIMING OFF, BUFFERS OFF" if analyze else "")
    admin.execute("SET max_parallel_workers_per_gather = 0")
    admin.execute("SET jit = off")
    (doc,) = _explain(admin, opts + ", FORMAT JSON", query)
    server = "\n".join(_explain(admin, opts, query)) + "\n"
    ours = explain_text(parse_plan(doc if isinstance(doc, list) else json.loads(doc)))
    assert ours == server


def _shape(text: str) -> list[str]:
    """The text with its numbers masked and buffer counts dropped (they differ between two
    runs of one query), and without the planning buffers (only a cold catalog cache has them)."""
    lines = text.splitlines()
    out: list[str] = []
    for i, line in enumerate(lines):
        if line == "Planning:" or (i and lines[i - 1] == "Planning:"):
            continue
        if line.strip().startswith("Buffers:"):
            out.append(line[: line.index("Buffers:")] + "Buffers: …")
        else:
            out.append(re.sub(r"\d+(\.\d+)?", "N", line))
    return out


@pytest.mark.parametrize("name", list(QUERIES))
def test_explain_text_with_timing_and_buffers_has_the_servers_shape(
    tables: None, admin: psycopg.Connection[Any], name: str
) -> None:
    """What F7 copies (ANALYZE with timing and buffers): the same lines as the server's text,
    numbers aside."""
    query = QUERIES[name]
    admin.execute("SET max_parallel_workers_per_gather = 0")
    admin.execute("SET jit = off")
    _explain(admin, "ANALYZE, BUFFERS", query)  # warm: both runs below read the same way
    (doc,) = _explain(admin, "ANALYZE, BUFFERS, FORMAT JSON", query)
    server = "\n".join(_explain(admin, "ANALYZE, BUFFERS", query))
    ours = explain_text(parse_plan(doc if isinstance(doc, list) else json.loads(doc)))
    assert _shape(ours) == _shape(server)
