"""The helpers the rules share (pgvtui/core/rules: plan_expressions, pgvector_facts, catalog,
settings, wording): distance-term parsing of Sort Keys and
Order By texts, opclass choice, quoting, table resolution."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pgvtui.core.query import analyze_query
from pgvtui.core.rules import catalog, effective_settings, pgvector_facts, plan_expressions, wording
from pgvtui.core.rules.base import RuleContext
from tests.unit.test_rules_recorded import facts_inventory


@pytest.mark.parametrize(
    ("text", "column", "qualifier", "cast", "wrapped", "desc"),
    [
        ("((emb <=> '[1,2]'::vector))", "emb", None, None, False, False),
        ("((emb <-> '[1]'::vector)) DESC", "emb", None, None, False, True),
        ("(((emb)::halfvec <-> '[1]'::halfvec))", "emb", None, "halfvec", False, False),
        ("(((emb)::halfvec(64) <-> '[1]'::halfvec))", "emb", None, "halfvec(64)", False, False),
        ("((i.emb <-> queries.q))", "emb", "i", None, False, False),
        ("(('1'::double precision - (emb <=> '[1]'::vector))) DESC", "emb", None, None, True, True),
        ('("Emb Vec" <-> $1)', "Emb Vec", None, None, False, False),
        ('("S p"."T"."Emb ""x""" <=> (InitPlan 1).col1)', 'Emb "x"', "T", None, False, False),
        ("((binary_quantize(emb))::bit(64) <~> '1'::bit(64))", None, None, "bit(64)", False, False),
        ("((emb <-> '[1]'::vector) + '0'::double precision)", "emb", None, None, True, False),
    ],
)
def test_distance_terms(
    text: str,
    column: str | None,
    qualifier: str | None,
    cast: str | None,
    wrapped: bool,
    desc: bool,
) -> None:
    (term,) = plan_expressions.distance_terms(text)
    assert (term.column, term.qualifier, term.cast, term.wrapped, term.desc) == (
        column,
        qualifier,
        cast,
        wrapped,
        desc,
    )
    assert term.plain == (column is not None and cast is None and not wrapped and not desc)


def test_no_terms_in_plain_sort_key() -> None:
    assert plan_expressions.distance_terms("((r.distance + '0'::double precision))") == []
    assert plan_expressions.distance_terms("items.id") == []


def test_literals_shortened_only_when_long() -> None:
    long = "'[" + ",".join(["0.1"] * 30) + "]'"
    assert plan_expressions.shorten_literals(
        f"(emb <-> {long}::vector) AND id % '100'::bigint"
    ) == ("(emb <-> '…'::vector) AND id % '100'::bigint")


@pytest.mark.parametrize(
    ("type_name", "op", "method", "expected"),
    [
        ("vector", "<=>", "hnsw", "vector_cosine_ops"),
        ("halfvec(64)", "<->", "hnsw", "halfvec_l2_ops"),
        ("sparsevec", "<+>", "hnsw", "sparsevec_l1_ops"),
        ("bit", "<%>", "hnsw", "bit_jaccard_ops"),
        ("bit", "<%>", "ivfflat", None),  # IVFFlat has no Jaccard
        ("vector", "<+>", "ivfflat", None),  # nor L1
        ("sparsevec", "<->", "ivfflat", None),
        ("bit", "<->", "hnsw", None),
    ],
)
def test_opclass_for(type_name: str, op: str, method: str, expected: str | None) -> None:
    assert pgvector_facts.opclass_for(type_name, op, method) == expected


def test_ident_quotes_every_part() -> None:
    assert wording.ident("Search Space", "select") == '"Search Space"."select"'
    assert wording.ident('we"ird') == '"we""ird"'


def test_value_bytes_and_sizes() -> None:
    assert pgvector_facts.value_bytes("vector", 768) == 3080
    assert pgvector_facts.value_bytes("halfvec", 768) == 1544
    assert pgvector_facts.value_bytes("bit", 64) == 16
    assert pgvector_facts.value_bytes("sparsevec", 100) is None  # depends on the non-zeros
    assert pgvector_facts.value_bytes("vector", None) is None
    assert pgvector_facts.version_tuple("0.8.6") == (0, 8, 6)


def test_resolve_relation_uses_index_then_query_schema() -> None:
    inv = facts_inventory()
    other = tuple(replace(c, schema="archive") for c in inv.columns if c.table == "items")
    inv = replace(inv, columns=inv.columns + other)
    ctx = RuleContext(inventory=inv)
    # ambiguous by name: items exists in public and archive
    assert catalog.resolve_relation(ctx, "items") is None
    # the index only exists in public
    ref = catalog.resolve_relation(ctx, "items", index="items_emb_l2")
    assert ref is not None and ref.schema == "public"
    # the parsed query qualifies the table
    ctx.query = analyze_query("SELECT id FROM archive.items ORDER BY emb <-> '[1]' LIMIT 5")
    ref = catalog.resolve_relation(ctx, "items")
    assert ref is not None and ref.schema == "archive"


def test_setting_precedence() -> None:
    inv = facts_inventory()
    ctx = RuleContext(inventory=inv, settings={})
    assert effective_settings.setting(ctx, "hnsw.ef_search") == "40"
    ctx.settings["hnsw.ef_search"] = "100"
    assert effective_settings.setting_int(ctx, "hnsw.ef_search") == 100
    inv.settings["hnsw.max_scan_tuples"] = None  # library not loaded: pgvector default
    assert effective_settings.setting_int(ctx, "hnsw.max_scan_tuples") == 20000


def test_small_table() -> None:
    inv = facts_inventory()
    assert not catalog.is_small_table(inv, "public", "items")  # 20k rows, 15 MB
    assert catalog.is_small_table(inv, "public", "queries")  # 10 rows


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet="()'\":<->=#%~+ abcEMB_.,0123456789$DESC", max_size=60))
def test_distance_terms_never_raises(text: str) -> None:
    for term in plan_expressions.distance_terms(text):
        assert term.operator in pgvector_facts.OPERATOR_METRIC


@pytest.mark.parametrize(
    "text",
    [
        "(emb <-> '[...]'::vector)",
        "(emb <-> '[0.1,0.2,…]'::vector)",
        "(emb <-> '[0.1, 0.2, ...",  # cut short when pasted
        "((emb <-> '[0.1,0.2,…'::vector)",
        "(emb <-> (InitPlan 1).col1)",
        "(emb <-> (hashed SubPlan 2).col1)",
        "(items.emb OPERATOR(public.<->) $1) NULLS FIRST",
        "(emb <-> $1) USING <",
    ],
)
def test_distance_terms_in_pasted_plan_text(text: str) -> None:
    (term,) = plan_expressions.distance_terms(text)
    assert term.operator == "<->" and term.column == "emb" and term.plain


def test_distance_terms_read_precedence_as_postgresql_does() -> None:
    # "-" binds tighter than "<->": the left operand is (emb - '[1]'), not a column
    (term,) = plan_expressions.distance_terms("(emb - '[1]'::vector <-> $1)")
    assert term.column is None and not term.wrapped
    (term,) = plan_expressions.distance_terms("((emb <-> $1) || 'x'::text)")
    assert term.wrapped
    assert plan_expressions.distance_terms("('a <-> b'::text)") == []  # inside a string


@pytest.mark.parametrize("text", ["", "DESC", "(((", "'", "emb <-> ", "\x00", "x" * 2_000_000])
def test_distance_terms_of_garbage_are_empty(text: str) -> None:
    assert plan_expressions.distance_terms(text) == []


def test_index_expression_mentions_the_column() -> None:
    assert catalog.expression_mentions("((emb)::halfvec(3))", "emb")
    assert catalog.expression_mentions('(binary_quantize("Emb"))::bit(3)', "Emb")
    assert not catalog.expression_mentions("((emb2)::halfvec(3))", "emb")
    assert not catalog.expression_mentions("(('emb'::text))", "emb")
    assert not catalog.expression_mentions("not sql (", "emb")
