"""The guard on PostgreSQL's parser (issue #11): the crash classes are gone, big legitimate
queries pass, and what the guard accepts or refuses agrees with PostgreSQL's own parse.

The oracle is libpg_query's JSON parse tree (``pglast.parser.parse_sql_json``), read here
independently of the guard's walk over pglast's Python AST."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pglast import parser as pg

from pgvtui import cli
from pgvtui.core import guard
from pgvtui.core.query import parser as qparser
from pgvtui.errors import QueryRefused

# --------------------------------------------------------------------------------------------
# The crash classes of the issue


def test_big_legitimate_queries_are_accepted() -> None:
    ids = ", ".join(str(i) for i in range(3_400))
    array = ", ".join("0.5" for _ in range(4_096))
    unions = " UNION ALL ".join(f"SELECT {i}" for i in range(2_000))
    parens = "(" * 101 + "1" + ")" * 101
    vector = "[" + ",".join("0.125" for _ in range(16_000)) + "]"
    for text in (
        f"SELECT id FROM items WHERE id IN ({ids})",
        f"SELECT ARRAY[{array}]::vector <-> emb FROM items",
        unions,
        f"SELECT {parens}",
        f"SELECT id FROM items ORDER BY emb <-> '{vector}' LIMIT 10",
    ):
        assert guard.check_sql(text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("SELECT '" + "x" * 4_800_000 + "'", "limit is 1,000,000"),
        ("SELECT 1 " + "/*" * 5_000 + "*/" * 5_000, "comments nested"),
        ("SELECT " + "+".join(["1"] * 30_000), "tokens"),
        ("SELECT " + "(" * 20_000 + "1" + ")" * 20_000, "nested too deeply"),
    ],
    ids=["4.8MB", "nested-comments", "30k-term-chain", "20k-parens"],
)
def test_oversized_input_is_refused_with_one_line(text: str, reason: str) -> None:
    with pytest.raises(QueryRefused, match=reason) as exc:
        guard.check_sql(text)
    assert "\n" not in exc.value.one_line()


def test_long_operator_chains_do_not_crash_the_process() -> None:
    """libpg_query overflowed the 8 MB main-thread stack on ~25,000-term chains (a segfault,
    which no try/except catches): run it in a child process and require a clean exit."""
    code = (
        "from pgvtui.core import guard\n"
        "from pgvtui.errors import QueryRefused\n"
        "for n in (12_000, 24_000, 25_000, 40_000):\n"
        "    for sep in ('+', ' UNION ALL SELECT '):\n"
        "        try:\n"
        "            guard.check_sql('SELECT ' + sep.join(['1'] * n))\n"
        "        except QueryRefused:\n"
        "            pass\n"
        "guard.check_sql('SELECT ' + '+'.join(['1'] * 24_000))  # 48,000 tokens: accepted\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_any_exception_inside_the_guard_is_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(_text: str) -> Any:
        raise RecursionError("deep")

    monkeypatch.setattr(qparser, "parse", boom)
    with pytest.raises(QueryRefused, match="could not be checked"):
        guard.check_sql("SELECT 1")


def test_carriage_return_ends_a_line_comment() -> None:
    text = "SELECT id FROM items -- note\rORDER BY emb <-> $1 LIMIT 10"
    assert guard.check_sql(text).endswith("ORDER BY emb <-> $1 LIMIT 10")


@pytest.mark.parametrize(
    "text",
    [
        "SELECT N'\\' AS a, ' , pg_terminate_backend(1) AS b -- ' AS c",
        "SELECT E'\\'' , pg_terminate_backend(1) --'",
    ],
)
def test_backslashes_are_read_as_postgresql_reads_them(text: str) -> None:
    """N'' is a standard string (one backslash, then the string ends); E'' escapes the quote.
    The first is three string columns; the second really calls pg_terminate_backend."""
    if text.startswith("SELECT N"):
        assert guard.check_sql(text)
    else:
        with pytest.raises(QueryRefused, match="pg_terminate_backend"):
            guard.check_sql(text)


def test_invalid_utf8_in_arguments_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    bad = b"select \xff".decode("utf-8", "surrogateescape")
    assert cli.main(["check", "--sql", bad]) == 2
    err = capsys.readouterr().err
    assert err == "Usage error: argument 3 is not valid UTF-8\n"


def test_invalid_utf8_in_the_guard_is_a_refusal() -> None:
    with pytest.raises(QueryRefused, match="not valid UTF-8"):
        guard.check_sql(b"select '\xff'".decode("utf-8", "surrogateescape"))


# --------------------------------------------------------------------------------------------
# Differential: the guard against PostgreSQL's parse


def _json_nodes(tree: Any) -> Iterator[tuple[str, Any]]:
    stack = [("", tree)]
    while stack:
        key, item = stack.pop()
        yield key, item
        if isinstance(item, dict):
            stack.extend(item.items())
        elif isinstance(item, list):
            stack.extend(("", x) for x in item)


def oracle(text: str) -> str | None:
    """What PostgreSQL's parse says the guard must do: None = accept, else why to refuse."""
    try:
        mapped = qparser.map_placeholders(text)[0]
        tree = json.loads(pg.parse_sql_json(mapped))
    except (pg.ParseError, qparser.SqlError):
        return "invalid"
    stmts = tree.get("stmts", [])
    if len(stmts) != 1:
        return "count"
    if "SelectStmt" not in stmts[0]["stmt"]:
        return "not a select"
    for key, item in _json_nodes(stmts[0]):
        if key in ("InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"):
            return "writes"
        if key in ("intoClause", "lockingClause"):
            return key
        if key == "FuncCall":
            name = ".".join(n["String"]["sval"] for n in item["funcname"])
            if guard.denied_function(name):
                return "denied"
    return None


def lexical_policy(text: str) -> bool:
    """Would the guard's small lexical policy refuse it (U&, psql ':' variables, '\\')?"""
    try:
        tokens = pg.scan(text)
    except pg.ParseError:
        return True
    return any(t.name in ("UIDENT", "USCONST", "ASCII_58", "ASCII_92") for t in tokens)


FRAGMENTS = [
    "SELECT 1",
    "select id from t",
    " ",
    "\n",
    "\r",
    "-- c\r",
    "-- c\n",
    "/* x */",
    "/* /* ; */ */",
    "/* ; */",
    ";",
    ",",
    "(",
    ")",
    "'a'",
    "'it''s'",
    "N'\\'",
    "E'\\''",
    "E'\\\\'",
    "'\\'",
    "$$;$$",
    "$q$ ; $$ $q$",
    '"a;b"',
    '"x""y"',
    "<->",
    "<=>",
    "OPERATOR(public.<->)",
    "$1",
    "%s",
    "emb",
    "ORDER BY",
    "LIMIT 10",
    "FOR UPDATE",
    "INTO t",
    "pg_terminate_backend(1)",
    "nextval('s')",
    "WITH x AS (DELETE FROM t RETURNING *)",
    "WITH x AS (SELECT 1)",
    "UNION ALL",
    "update",
    "insert into t values (1)",
    "values (1)",
    "table t",
    "'",
    '"',
]


@settings(max_examples=1_500, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=10))
def test_guard_agrees_with_postgresql(parts: list[str]) -> None:
    text = "".join(parts)
    expected = oracle(text)
    try:
        guard.check_sql(text)
        accepted = True
    except QueryRefused:
        accepted = False
    if expected is not None:
        assert not accepted, (text, expected)
    elif not lexical_policy(text) and text.strip(" \n\r;"):
        assert accepted, text
