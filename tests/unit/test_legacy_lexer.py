"""pgvtui.core.query.legacy_lexer: the hand-written lexer the guard still uses. Delete this file
with the module once the guard reads SQL with pgvtui.core.query.parser."""

from __future__ import annotations

import pytest

from pgvtui.core.query import LexError, tokenize


def test_vector_operators_are_single_tokens() -> None:
    toks = [t.value for t in tokenize("a<->b a<#>b a<=>b a<+>b a<~>b a<%>b") if t.kind == "op"]
    assert toks == ["<->", "<#>", "<=>", "<+>", "<~>", "<%>"]


def test_operator_trailing_minus_rule() -> None:
    # PostgreSQL: "<-" cannot end an operator without ~!@#%^&|`? in it → "<" then "-1"
    assert [t.value for t in tokenize("a<-1") if t.significant] == ["a", "<", "-", "1"]
    assert [t.value for t in tokenize("x--y\n") if t.significant] == ["x"]


def test_strings_comments_dollar_quotes() -> None:
    toks = tokenize("select '\\' , E'\\'', $$a;b$$, $t$ $$ $t$ /* a /* nested */ b */ -- c")
    kinds = [(t.kind, t.value) for t in toks if t.significant]
    assert kinds == [
        ("ident", "select"),
        ("string", "'\\'"),
        ("punct", ","),
        ("string", "E'\\''"),
        ("punct", ","),
        ("dollar", "$$a;b$$"),
        ("punct", ","),
        ("dollar", "$t$ $$ $t$"),
    ]
    comments = [t.value for t in toks if t.kind == "comment"]
    assert comments == ["/* a /* nested */ b */", "-- c"]


@pytest.mark.parametrize("bad", ["select 'abc", 'select "abc', "select $$x", "select /* x"])
def test_unterminated(bad: str) -> None:
    with pytest.raises(LexError):
        tokenize(bad)


def test_quoted_identifier_names() -> None:
    toks = [t for t in tokenize('"My ""Col""" Emb') if t.significant]
    assert [t.name for t in toks] == ['My "Col"', "emb"]


def test_placeholders() -> None:
    kinds = [(t.kind, t.value) for t in tokenize("$1 %s %(q)s 7 % 3 x%s") if t.significant]
    assert ("param", "$1") in kinds and ("placeholder", "%s") in kinds
    assert ("placeholder", "%(q)s") in kinds and ("op", "%") in kinds
