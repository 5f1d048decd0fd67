"""Query shapes the hand-written reader got wrong (issue #11), read as PostgreSQL reads them."""

from __future__ import annotations

import pytest

from pgvtui.core.query import QueryShape, TableRef, analyze_query

ITEMS = TableRef(None, "items")


def knn_of(sql: str) -> tuple[QueryShape, str]:
    s = analyze_query(sql)
    k = s.knn()
    assert k is not None, sql
    assert k.table == ITEMS and k.column == "emb"
    return s, k.distance.operator


def test_schema_qualified_operator_is_a_knn() -> None:
    sql = "SELECT id FROM items ORDER BY emb OPERATOR(public.<->) $1 LIMIT 5"
    s, op = knn_of(sql)
    d = s.order_by[0].distances[0]
    assert op == "<->" and not s.order_by[0].wrapped
    assert d.span is not None and sql[slice(*d.span)] == "emb OPERATOR(public.<->) $1"


def test_concatenation_binds_the_distance_first() -> None:
    # "<->" and "||" are both "other" operators: left-associative, so (emb <-> $1) || 'x'
    s, _ = knn_of("SELECT id FROM items ORDER BY emb <-> $1 || 'x' LIMIT 5")
    assert s.order_by[0].wrapped
    assert s.order_by[0].distances[0].text == "emb <-> $1"


def test_collate_binds_to_the_parameter() -> None:
    sql = 'SELECT id FROM items ORDER BY emb <-> $1 COLLATE "C" LIMIT 5'
    s, _ = knn_of(sql)
    item = s.order_by[0]
    assert not item.wrapped
    d = item.distances[0]
    assert d.query.kind == "param" and d.text == 'emb <-> $1 COLLATE "C"'


def test_array_literal_on_the_left() -> None:
    s, _ = knn_of("SELECT id FROM items ORDER BY ARRAY[1,2,3]::vector <-> emb LIMIT 5")
    d = s.order_by[0].distances[0]
    assert d.swapped and d.query.kind == "literal" and d.query.dims == 3
    assert d.query.text == "ARRAY[1,2,3]::vector"


@pytest.mark.parametrize(
    ("tail", "limit", "limit_text", "clause"),
    [
        ("FETCH FIRST $2 ROWS ONLY", None, "$2", "FETCH FIRST $2 ROWS ONLY"),
        ("FETCH NEXT 7 ROWS ONLY", 7, "7", "FETCH NEXT 7 ROWS ONLY"),
        ("LIMIT NULL", None, None, "LIMIT NULL"),
        ("LIMIT ALL", None, None, "LIMIT ALL"),
        ("OFFSET 5 LIMIT 10", 10, "10", "OFFSET 5 LIMIT 10"),
        ("LIMIT (10)", 10, "10", "LIMIT (10)"),
    ],
)
def test_limits(tail: str, limit: int | None, limit_text: str | None, clause: str) -> None:
    sql = f"SELECT id FROM items ORDER BY emb <-> $1 {tail}"
    s, _ = knn_of(sql)
    assert (s.limit, s.limit_text) == (limit, limit_text)
    assert s.limit_span is not None and sql[slice(*s.limit_span)] == clause


@pytest.mark.parametrize("wrap", ["{}", "SELECT * FROM ({}) AS s"])
def test_fetch_first_row_only_is_one(wrap: str) -> None:
    inner = "SELECT id, emb FROM items ORDER BY emb <-> $1 FETCH FIRST ROW ONLY"
    sql = wrap.format(inner)
    knn = analyze_query(sql).knn()
    assert knn is not None and knn.limit == 1
    span = knn.shape.limit_span
    assert span is not None and sql[slice(*span)] == "FETCH FIRST ROW ONLY"


def test_rows_from() -> None:
    sql = (
        "SELECT * FROM ROWS FROM (generate_series(1,3), unnest(array[1])) AS r(a, b), items"
        " ORDER BY emb <-> $1 LIMIT 3"
    )
    s, _ = knn_of(sql)
    f, t = s.from_items
    assert (f.kind, f.name, f.alias) == ("function", "generate_series", "r")
    assert f.text.startswith("ROWS FROM (") and f.text.endswith("AS r(a, b)")
    assert t.sep_start is not None and sql[t.sep_start] == ","


def test_parenthesised_join() -> None:
    sql = (
        "SELECT t1.id FROM (items t1 JOIN other t2 ON t1.id = t2.id) ORDER BY t1.emb <-> $1 LIMIT 3"
    )
    s, _ = knn_of(sql)
    a, b = s.from_items
    assert (a.name, a.alias, b.name, b.alias, b.join_type) == (
        "items",
        "t1",
        "other",
        "t2",
        "inner",
    )
    assert b.span is not None and sql[slice(*b.span)] == "other t2 ON t1.id = t2.id"


def test_table_statement() -> None:
    s = analyze_query('TABLE public."items"')
    assert s.statement_type == "TABLE"
    assert [(f.schema, f.name) for f in s.from_items] == [("public", "items")]


def test_with_before_parenthesised_select() -> None:
    sql = (
        "WITH x AS MATERIALIZED (SELECT id, emb FROM items)"
        " (SELECT id FROM x ORDER BY emb <-> $1 LIMIT 4)"
    )
    s, _ = knn_of(sql)
    assert [(c.name, c.materialized) for c in s.ctes] == [("x", True)]
    assert s.limit == 4 and s.order_by[0].distances[0].via == "cte:x"
    kw = s.ctes[0].keyword_span
    assert kw is not None and sql[slice(*kw)] == "MATERIALIZED"


@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n"])
def test_carriage_return_ends_a_line_comment(newline: str) -> None:
    s, _ = knn_of(f"SELECT id FROM items -- note{newline}ORDER BY emb <-> $1 LIMIT 10")
    assert s.limit == 10 and s.order_by


def test_parameters_anywhere() -> None:
    # pg_stat_statements text: every constant is a $n
    sql = (
        "SELECT id, content, 1 - (embedding <=> $1) AS similarity FROM items"
        " WHERE collection_id = $2::UUID AND (metadata->>$3) = $4"
        " ORDER BY embedding <=> $1 LIMIT $5"
    )
    s = analyze_query(sql)
    k = s.knn()
    assert k is not None and k.column == "embedding" and k.distance.query.param == "$1"
    assert s.limit is None and s.limit_text == "$5"
    assert s.where_text == "collection_id = $2::UUID AND (metadata->>$3) = $4"
    assert s.select_items[2].alias == "similarity"


def test_psycopg_placeholders_keep_their_spans() -> None:
    sql = "SELECT id FROM items WHERE c = %(c)s ORDER BY emb <-> %(q)s::vector(3) LIMIT %s"
    s, _ = knn_of(sql)
    d = s.order_by[0].distances[0]
    assert d.query.param == "%(q)s" and d.query.dims == 3
    assert d.span is not None and sql[slice(*d.span)] == "emb <-> %(q)s::vector(3)"
    assert s.limit_span is not None and sql[slice(*s.limit_span)] == "LIMIT %s"
    assert s.where_text == "c = %(c)s"


def test_cte_materialization_flags() -> None:
    sql = (
        "WITH a AS NOT MATERIALIZED (SELECT 1), b AS (SELECT 2),"
        " c AS MATERIALIZED (SELECT 3) SELECT 1"
    )
    s = analyze_query(sql)
    assert [(c.name, c.materialized) for c in s.ctes] == [("a", False), ("b", None), ("c", True)]
    spans = [c.keyword_span for c in s.ctes]
    assert spans[0] is not None and sql[slice(*spans[0])] == "NOT MATERIALIZED"
    assert spans[1] is not None and spans[1][0] == spans[1][1] and sql[: spans[1][0]].endswith("AS")


def test_deep_nesting_does_not_recurse() -> None:
    depth = 1_000
    sql = "SELECT id FROM items ORDER BY " + "(" * depth + "emb <-> $1" + ")" * depth + " LIMIT 3"
    s, _ = knn_of(sql)
    assert not s.order_by[0].wrapped and s.limit == 3
    nested = "SELECT " + "(SELECT " * 200 + "1" + ")" * 200
    assert analyze_query(nested).statement_type == "SELECT"


def test_non_ascii_text_keeps_character_offsets() -> None:
    sql = "SELECT 'é—ü' AS t, id FROM items WHERE c = 'ß' ORDER BY emb <-> '[1,2]' LIMIT 2"
    s, _ = knn_of(sql)
    d = s.order_by[0].distances[0]
    assert d.span is not None and sql[slice(*d.span)] == "emb <-> '[1,2]'"
    assert d.query.dims == 2 and s.where_text == "c = 'ß'"


def test_set_operations() -> None:
    s = analyze_query("SELECT id FROM a UNION ALL SELECT id FROM b UNION SELECT id FROM c LIMIT 3")
    assert s.limit == 3 and [f.name for f in s.from_items] == ["a"]
    assert [[f.name for f in q.from_items] for q in s.subqueries] == [["b"], ["c"]]
    sql = (
        "(SELECT id FROM a UNION SELECT id FROM b ORDER BY 1 LIMIT 2)"
        " UNION ALL (SELECT id FROM items ORDER BY emb <-> $1 LIMIT 3) LIMIT 4"
    )
    s = analyze_query(sql)
    assert s.limit == 4
    names = sorted(f.name or "" for _scope, q in s.walk() for f in q.from_items)
    assert names == ["a", "b", "items"]
    knn = s.knn()
    assert knn is not None and knn.limit == 3 and knn.scope == "subquery"
