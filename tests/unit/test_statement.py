"""The statement reader on the query shapes real clients send (as pg_stat_statements holds
them): distances, which $n is a vector, what the others are compared with, casts."""

from __future__ import annotations

import pytest

from pgvtui.core.statement import StatementError, read

LANGCHAIN = (
    "SELECT langchain_pg_embedding.id AS langchain_pg_embedding_id,"
    " langchain_pg_embedding.embedding <=> $1 AS distance FROM langchain_pg_embedding"
    " JOIN langchain_pg_collection ON langchain_pg_embedding.collection_id ="
    " langchain_pg_collection.uuid WHERE langchain_pg_embedding.collection_id = $2::UUID"
    " ORDER BY distance ASC LIMIT $3::INTEGER"
)
PGVECTORSTORE = (
    "SELECT langchain_id, content, embedding, langchain_metadata,"
    " cosine_distance(embedding, $1::vector) as distance"
    ' FROM "public"."lc_docs" ORDER BY embedding <=> $2::vector LIMIT $3'
)
HAYSTACK = (
    'SELECT *, $2 - (embedding <=> $3) AS score FROM "public"."haystack_documents"'
    " WHERE embedding IS NOT NULL AND (meta->>$4 = $1) ORDER BY score DESC LIMIT $5"
)
SUPABASE = "SELECT * FROM match_documents(query_embedding := $1::vector, match_count := $2)"


def test_langchain_vector_in_select_list_ordered_by_alias() -> None:
    info = read(LANGCHAIN)
    assert [(d.operator, d.clause) for d in info.distances] == [
        ("<=>", "select"),
        ("<=>", "order by"),
    ]
    assert [t.display for t in info.targets()] == ["langchain_pg_embedding.embedding"]
    p1, p2, p3 = info.params[1], info.params[2], info.params[3]
    assert p1.role == "vector" and p1.casts == []
    assert p2.role == "compared" and p2.casts == ["uuid"]
    assert p2.column is not None and p2.column.display == ("langchain_pg_embedding.collection_id")
    assert p3.role == "limit" and p3.casts == ["int4"]


def test_the_same_vector_sent_twice_is_two_vector_parameters() -> None:
    info = read(PGVECTORSTORE)
    assert info.vector_params() == [1, 2]
    assert {d.sql_operator for d in info.distances} == {"<=>"}
    assert info.params[1].casts == ["vector"] and info.params[3].role == "limit"
    assert [t.display for t in info.targets()] == ["public.lc_docs.embedding"]


def test_haystack_normalised_literals_vector_in_any_position() -> None:
    info = read(HAYSTACK)
    assert info.vector_params() == [3]
    roles = {n: p.role for n, p in info.params.items()}
    # $4 is a JSON key and $1 is compared with meta->>$4: nothing says where values come from
    assert roles == {1: "unknown", 2: "unknown", 3: "vector", 4: "unknown", 5: "limit"}


def test_function_call_arguments_by_name_and_position() -> None:
    info = read(SUPABASE)
    assert not info.uses_distance
    assert [c.name for c in info.calls] == ["match_documents"]
    args = {
        n: (p.function_args[0].name, p.function_args[0].position) for n, p in info.params.items()
    }
    assert args == {1: ("query_embedding", 1), 2: ("match_count", 2)}


def test_comparisons_in_any_shape_and_the_operator_keyword() -> None:
    info = read(
        "SELECT id FROM items i WHERE i.cat = ANY($1) AND i.b IN ($2, $3)"
        " AND i.c BETWEEN $4 AND $5 AND i.emb OPERATOR(public.<=>) $6::vector(3) < 0.3"
    )
    cols = {n: p.column.display if p.column else None for n, p in info.params.items()}
    assert cols == {
        1: "items.cat",
        2: "items.b",
        3: "items.b",
        4: "items.c",
        5: "items.c",
        6: "items.emb",
    }
    assert info.params[6].casts == ["vector(3)"] and info.distances[0].clause == "where"


def test_near_misses_are_not_distances() -> None:
    assert not read("SELECT $1::text || ' <=> cosine_distance'").uses_distance
    assert not read("SELECT count(*) FROM documents WHERE id = $1").uses_distance
    # a quantized expression still measures the column
    info = read("SELECT id FROM t ORDER BY binary_quantize(e)::bit(3) <~> binary_quantize($1)")
    assert [t.display for t in info.targets()] == ["t.e"] and info.vector_params() == [1]


def test_not_one_statement() -> None:
    with pytest.raises(StatementError):
        read("SELECT 1; SELECT 2")
    with pytest.raises(StatementError):
        read("SELEC 1")


def test_deep_statements_are_refused_cleanly() -> None:
    deep = "SELECT " + "1+" * 5000 + "1 FROM t ORDER BY e <=> $1 LIMIT 5"
    with pytest.raises(StatementError, match="nested too deeply"):
        read(deep)
    with pytest.raises(StatementError):
        read("SELECT " + "1+" * 60_000 + "1")  # over the parser's token limit
