"""pgvtui.core.query: PostgreSQL's scanner as the project reads it, and the query shape (read
from PostgreSQL's parse tree) on every recorded SQL and edge cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pgvtui.core.query import QueryShape, TableRef, analyze_query
from pgvtui.core.query.parser import SqlError, map_placeholders, scan

PLANS = Path(__file__).parent.parent / "data" / "plans-pg18.json"
RECORDED = {e["name"].split(" ", 1)[0]: e["sql"] for e in json.loads(PLANS.read_text())}


def shape(key: str) -> QueryShape:
    return analyze_query(RECORDED[key])


# -- the scanner (PostgreSQL's own, via core/query/parser.py) ------------------------------------


def test_vector_operators_are_single_tokens() -> None:
    toks = [t.text for t in scan("a<->b a<#>b a<=>b a<+>b a<~>b a<%>b") if t.name == "Op"]
    assert toks == ["<->", "<#>", "<=>", "<+>", "<~>", "<%>"]


def test_operator_trailing_minus_rule() -> None:
    # PostgreSQL: "<-" cannot end an operator without ~!@#%^&|`? in it → "<" then "-", "1"
    assert [t.text for t in scan("a<-1")] == ["a", "<", "-", "1"]
    assert [t.text for t in scan("x--y\n") if not t.is_comment] == ["x"]


def test_strings_comments_dollar_quotes() -> None:
    toks = scan("select '\\' , E'\\'', $$a;b$$, $t$ $$ $t$ /* a /* nested */ b */ -- c")
    kinds = [(t.name, t.text) for t in toks if not t.is_comment]
    assert kinds == [
        ("SELECT", "select"),
        ("SCONST", "'\\'"),
        ("ASCII_44", ","),
        ("SCONST", "E'\\''"),
        ("ASCII_44", ","),
        ("SCONST", "$$a;b$$"),
        ("ASCII_44", ","),
        ("SCONST", "$t$ $$ $t$"),
    ]
    comments = [t.text for t in toks if t.is_comment]
    assert comments == ["/* a /* nested */ b */", "-- c"]


@pytest.mark.parametrize("bad", ["select 'abc", 'select "abc', "select $$x", "select /* x"])
def test_unterminated(bad: str) -> None:
    with pytest.raises(SqlError):
        scan(bad)


def test_placeholders() -> None:
    text, holders = map_placeholders("$1 %s %(q)s 7 % 3 x%s")
    assert text == "$1 $2 $3 7 % 3 x$4"
    assert [h.text for h in holders] == ["%s", "%(q)s", "%s"]


# -- recorded SQL ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(RECORDED))
def test_every_recorded_sql_parses(key: str) -> None:
    s = shape(key)
    if key == "P1":
        assert s.statement_type == "EXECUTE"
        return
    assert s.statement_type == "SELECT"
    assert s.uses_vector_operator
    for _scope, d in s.all_distances():
        assert d.text in RECORDED[key]
        assert d.span is not None and RECORDED[key][d.span[0] : d.span[1]] == d.text


@pytest.mark.parametrize(
    ("key", "table", "column", "op", "limit"),
    [
        ("A", "items", "emb", "<->", 10),
        ("B", "items", "emb", "<=>", 10),
        ("D", "items", "emb", "<->", None),
        ("E0", "items_cos", "emb", "<=>", 10),
        ("F1", "items", "hemb", "<->", 10),
        ("I", "items", "emb", "<->", 100),
        ("J3", "items", "emb", "<->", 10),
        ("J4", "items", "emb", "<->", 10),
        ("K1", "items", "emb", "<->", 10),
        ("K4", "items", "emb", "<->", 5),
        ("L0", "items_ivf", "emb", "<->", 10),
    ],
)
def test_knn_target(key: str, table: str, column: str, op: str, limit: int | None) -> None:
    knn = shape(key).knn()
    assert knn is not None
    assert knn.table == TableRef(None, table)
    assert knn.column == column
    assert knn.distance.operator == op
    assert knn.limit == limit


def test_no_knn_for_threshold_only() -> None:
    s = shape("G")
    assert s.knn() is None
    assert [d.clause for d in s.distances] == ["where"]
    assert s.where_text is not None and "< 0.75" in s.where_text


def test_desc_and_offset() -> None:
    assert shape("C").order_by[0].descending
    assert not shape("A").order_by[0].descending
    assert shape("I4").offset == 50 and shape("I4").limit == 10


def test_wrapped_and_alias() -> None:
    e = shape("E").order_by[0]
    assert e.wrapped and e.descending and len(e.distances) == 1
    e2 = shape("E2").order_by[0]
    assert e2.alias == "dist" and not e2.wrapped
    assert e2.distances[0].clause == "order_by"
    assert shape("E2").select_aliases["dist"].startswith("emb <=> '[")


def test_casts_on_each_side() -> None:
    f3 = shape("F3").distances[0]
    assert f3.column.casts == () and f3.query.cast is not None and f3.query.cast.type == "halfvec"
    f4 = shape("F4").distances[0]
    assert [c.type for c in f4.query.casts] == ["vector", "sparsevec"]
    f5 = shape("F5").distances[0]
    assert f5.column.cast is not None and f5.column.cast.text == "halfvec(64)"
    assert f5.column.cast.dims == 64 and f5.column.name == "emb"


def test_literal_dims() -> None:
    assert shape("A").distances[0].query.literal_dims == 64
    assert shape("F6").distances[0].query.dims == 3


def test_query_vector_kinds() -> None:
    assert shape("J1").distances[0].query.kind == "subquery"
    j2 = shape("J2").distances[0].query
    assert j2.kind == "cte_ref" and j2.from_kind == "cte" and j2.from_name == "qv"
    k1 = shape("K1").distances[0].query
    assert k1.kind == "column" and k1.from_kind == "subquery" and k1.from_name == "s"
    k4 = shape("K4").knn()
    assert k4 is not None and k4.distance.query.from_kind == "outer"
    assert k4.scope == "from:n"


def test_ctes_and_via() -> None:
    j3 = shape("J3")
    assert [(c.name, c.materialized) for c in j3.ctes] == [("t", True)]
    assert j3.from_items[0].kind == "cte"
    d = j3.distances[0]
    assert d.via == "cte:t" and d.table == TableRef(None, "items")
    j4 = shape("J4")
    knn = j4.knn()
    assert knn is not None and knn.scope == "cte:r"
    outer = j4.order_by[0]
    assert outer.is_bare_reference and outer.references == ("distance",)
    j5 = shape("J5").order_by[0]
    assert not j5.is_bare_reference


def test_joins() -> None:
    k1 = shape("K1")
    assert [(f.kind, f.alias, f.join_type) for f in k1.from_items] == [
        ("table", "i", None),
        ("subquery", "s", "cross"),
    ]
    k4 = shape("K4")
    assert k4.from_items[1].lateral and k4.from_items[1].join_type == "cross"


# -- edge cases --------------------------------------------------------------------------------


def test_quoted_mixed_case_schema_qualified() -> None:
    sql = (
        'SELECT "Id" FROM "My Schema"."Items" AS "T" -- a comment with <-> in it\n'
        'ORDER BY "T"."Emb"::halfvec(64) <#> $1 /* ; */ LIMIT 5'
    )
    s = analyze_query(sql)
    f = s.from_items[0]
    assert (f.schema, f.name, f.alias) == ("My Schema", "Items", "T")
    knn = s.knn()
    assert knn is not None
    assert knn.table == TableRef("My Schema", "Items")
    d = knn.distance
    assert d.column.name == "Emb" and d.column.qualifier == "T"
    assert d.column.cast is not None and d.column.cast.text == "halfvec(64)"
    assert d.query.kind == "param" and d.query.param == "$1"
    assert knn.limit == 5
    assert len(s.all_distances()) == 1  # not the one in the comment


def test_unquoted_identifiers_fold_to_lower_case() -> None:
    s = analyze_query("select ID from Public.ITEMS order by EMB <-> %(q)s::vector(3) limit 1")
    knn = s.knn()
    assert knn is not None and knn.table == TableRef("public", "items") and knn.column == "emb"
    assert knn.distance.query.dims == 3 and knn.distance.query.param == "%(q)s"


def test_swapped_operands_and_reserved_word_column() -> None:
    s = analyze_query('select 1 from t order by $1 <-> t."order" limit 3')
    d = s.distances[0]
    assert d.swapped and d.column.name == "order" and d.query.kind == "param"


def test_ordinal_order_item() -> None:
    s = analyze_query(
        "with a as (select pg_catalog.now() n) select count(*), lower(x) from a, "
        "generate_series(1, 3) g where exists (select pg_sleep(0)) order by 1"
    )
    assert s.order_by[0].ordinal == 1
    assert [(f.kind, f.name) for f in s.from_items] == [
        ("cte", "a"),
        ("function", "generate_series"),
    ]


def test_binary_quantize_column_side() -> None:
    s = analyze_query(
        "select id from items order by binary_quantize(emb)::bit(64) <~> binary_quantize($1) "
        "limit 10"
    )
    d = s.distances[0]
    assert d.column.function == "binary_quantize" and d.column.name == "emb"
    assert d.query.kind == "function"


def test_data_modifying_cte() -> None:
    s = analyze_query("with d as (delete from t returning *) select * from d")
    assert s.ctes[0].data_modifying and s.ctes[0].shape.statement_type == "DELETE"


def test_spans_allow_rewriting() -> None:
    sql = "select id from items where category = 7 order by emb <-> $1 desc limit 10"
    s = analyze_query(sql)
    assert s.where_span is not None and sql[slice(*s.where_span)] == "category = 7"
    assert s.order_by_span is not None
    assert sql[slice(*s.order_by_span)] == "order by emb <-> $1 desc"
    assert s.limit_span is not None and sql[slice(*s.limit_span)] == "limit 10"
    item = s.order_by[0]
    assert item.span is not None and item.expr_span is not None
    assert sql[slice(*item.span)] == "emb <-> $1 desc"
    assert sql[slice(*item.expr_span)] == "emb <-> $1"


def test_union_and_fetch_first() -> None:
    s = analyze_query(
        "select id from a union all select id from b order by 1 fetch first 3 rows only"
    )
    assert s.limit == 3 and len(s.subqueries) == 1


@pytest.mark.parametrize("bad", ["select (1", "select 1select 1", "select 'abc", "x" * 1_000_001])
def test_text_postgresql_rejects_has_an_empty_shape(bad: str) -> None:
    s = analyze_query(bad)
    assert s.statement_type == "INVALID" and s.knn() is None and not s.from_items
