"""The query shape against PostgreSQL's own parse, on the repo's SQL and on generated tricky text.

The oracle reads libpg_query's raw JSON (``pglast.parser.parse_sql_json``), not pglast's AST
that :mod:`pgvtui.core.query.analysis` walks, so a mistake in that walk shows up here. Compared
per query level: whether the text parses, the ORDER BY items that contain a distance (bare or
wrapped, ASC/DESC), the constant LIMIT, the CTEs with their MATERIALIZED flag, the FROM items
(joins flattened) and the number of distance uses outside subqueries — for the statement and,
recursively, for its CTE bodies and FROM subqueries.
"""

from __future__ import annotations

import ast as pyast
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pglast import parser as pg

from pgvtui.core.plan import VECTOR_OPERATORS
from pgvtui.core.query import QueryShape, analyze_query
from pgvtui.core.query.parser import SqlError, map_placeholders

ROOT = Path(__file__).parent.parent.parent

# -- the oracle: raw JSON ------------------------------------------------------------------------


def _nodes(value: Any, skip_subselects: bool = True) -> list[dict[str, Any]]:
    """Every ``{"Type": {...}}`` node under ``value`` (iterative), not inside a SubLink's
    subselect when ``skip_subselects``."""
    out: list[dict[str, Any]] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, inner in item.items():
                if key == "subselect" and skip_subselects:
                    continue
                if key[:1].isupper() and isinstance(inner, dict):
                    out.append({key: inner})
                stack.append(inner)
    return out


def _is_distance(node: dict[str, Any]) -> bool:
    expr = node.get("A_Expr")
    if expr is None or expr.get("kind") != "AEXPR_OP" or "lexpr" not in expr:
        return False
    return expr["name"][-1]["String"]["sval"] in VECTOR_OPERATORS


def _from_nodes(items: list[Any]) -> list[dict[str, Any]]:
    """The FROM list's items in order, joins flattened."""
    out: list[dict[str, Any]] = []
    stack = list(reversed(items))
    while stack:
        node = stack.pop()
        if "JoinExpr" in node:
            stack.append(node["JoinExpr"]["rarg"])
            stack.append(node["JoinExpr"]["larg"])
        else:
            out.append(node)
    return out


def _from_items(items: list[Any]) -> list[tuple[str, str | None, str | None]]:
    out: list[tuple[str, str | None, str | None]] = []
    for node in _from_nodes(items):
        if "RangeVar" in node:
            rv = node["RangeVar"]
            out.append(("relation", rv.get("schemaname"), rv["relname"]))
        elif "RangeTableSample" in node:
            rv = node["RangeTableSample"]["relation"]["RangeVar"]
            out.append(("relation", rv.get("schemaname"), rv["relname"]))
        elif "RangeSubselect" in node:
            out.append(("subquery", None, None))
        elif "RangeFunction" in node:
            out.append(("function", None, None))
        else:
            out.append(("other", None, None))
    return out


def oracle(sql: str) -> dict[str, Any] | None:
    """The facts PostgreSQL's parse gives for the first statement; None when it rejects it
    (a NUL cannot be sent to a server at all; libpg_query would stop reading at it)."""
    if "\x00" in sql:
        return None
    try:
        mapped, _ = map_placeholders(sql)  # psycopg's %s is not SQL
        tree = json.loads(pg.parse_sql_json(mapped))
    except (pg.ParseError, SqlError):
        return None
    stmts = tree.get("stmts", [])
    if not stmts:
        return {"type": "EMPTY"}
    stmt = stmts[0]["stmt"]
    if "SelectStmt" not in stmt:
        return {"type": next(iter(stmt))}
    return _level(stmt["SelectStmt"], 0)


def _level(sel: dict[str, Any], depth: int) -> dict[str, Any]:
    """The facts of one SELECT level, with those of its CTE bodies and FROM subqueries."""
    if sel.get("op", "SETOP_NONE") != "SETOP_NONE" or depth > 20:
        return {"type": "SETOP"}
    order = []
    for sort in sel.get("sortClause", []):
        sb = sort["SortBy"]
        inside = [n for n in _nodes(sb["node"]) if _is_distance(n)]
        if not inside and not _is_distance(sb["node"]):
            continue
        order.append((not _is_distance(sb["node"]), sb.get("sortby_dir") == "SORTBY_DESC"))
    limit = None
    count = sel.get("limitCount", {}).get("A_Const")
    if count is not None and "ival" in count:
        limit = count["ival"].get("ival", 0)
    ctes = []
    nested = []
    for cte in sel.get("withClause", {}).get("ctes", []):
        c = cte["CommonTableExpr"]
        flag = {"CTEMaterializeAlways": True, "CTEMaterializeNever": False}
        ctes.append((c["ctename"], flag.get(c.get("ctematerialized", ""))))
        body = c.get("ctequery", {})
        nested.append(_level(body["SelectStmt"], depth + 1) if "SelectStmt" in body else None)
    subqueries = []
    for item in _from_nodes(sel.get("fromClause", [])):
        if "RangeSubselect" in item:
            sub = item["RangeSubselect"]["subquery"]["SelectStmt"]
            if not sub.get("valuesLists"):
                subqueries.append(_level(sub, depth + 1))
    parts = [
        sel.get(k)
        for k in ("targetList", "whereClause", "groupClause", "havingClause", "sortClause")
    ]
    parts += [sel.get("valuesLists"), sel.get("windowClause"), sel.get("distinctClause")]
    distances = sum(1 for part in parts if part for n in _nodes(part) if _is_distance(n))
    return {
        "type": "SELECT",
        "order": order,
        "limit": limit,
        "ctes": ctes,
        "from": _from_items(sel.get("fromClause", [])),
        "distances": distances,
        "cte_levels": nested,
        "from_levels": subqueries,
    }


def facts(shape: QueryShape) -> dict[str, Any]:
    """The same facts read from pgvtui's shape."""
    order = []
    for item in shape.order_by:
        lo, hi = item.expr_span or (0, 0)
        # distances reached through a select-list alias or ordinal are not in the item's tree
        if any(d.span is not None and lo <= d.span[0] < hi for d in item.distances):
            order.append((item.wrapped, item.descending))
    kinds = {"table": "relation", "cte": "relation", "values": "subquery"}
    return {
        "type": "SELECT",
        "order": order,
        "limit": shape.limit,
        "ctes": [(c.name, c.materialized) for c in shape.ctes],
        "from": [
            (
                kinds.get(f.kind, f.kind),
                f.schema if f.kind in ("table", "cte") else None,
                f.name if f.kind in ("table", "cte") else None,
            )
            for f in shape.from_items
        ],
        "distances": len(shape.distances),
        "cte_levels": [
            facts(c.shape) if c.shape.statement_type in ("SELECT", "VALUES") else None
            for c in shape.ctes
        ],
        "from_levels": [
            facts(f.subquery) for f in shape.from_items if f.kind == "subquery" and f.subquery
        ],
    }


def check(sql: str) -> None:
    expected = oracle(sql)
    shape = analyze_query(sql)
    if expected is None:
        assert shape.statement_type == "INVALID", sql
        return
    assert shape.statement_type != "INVALID", sql
    if expected["type"] != "SELECT":
        return
    if shape.statement_type == "TABLE":
        expected["from"] = expected["from"][:1]
    if shape.statement_type not in ("SELECT", "TABLE"):
        return
    _compare(expected, facts(shape), sql)


def _compare(expected: dict[str, Any] | None, got: dict[str, Any] | None, sql: str) -> None:
    """Level by level; a set operation's level is not compared."""
    if expected is None or expected.get("type") != "SELECT" or got is None:
        return
    nested = ("cte_levels", "from_levels")
    assert {k: v for k, v in got.items() if k not in nested} == {
        k: v for k, v in expected.items() if k not in nested
    }, sql
    for key in nested:
        assert len(got[key]) == len(expected[key]), (key, sql)
        for e, g in zip(expected[key], got[key], strict=True):
            _compare(e, g, sql)


# -- the corpus: the repo's own SQL --------------------------------------------------------------


def _repo_sql() -> list[str]:
    out = [e["sql"] for e in json.loads((ROOT / "tests/data/plans-pg18.json").read_text())]
    out += [p.read_text() for p in sorted((ROOT / "pgvtui/core/examples").glob("*.sql"))]
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        for node in pyast.walk(pyast.parse(path.read_text())):
            if isinstance(node, pyast.Constant) and isinstance(node.value, str):
                text = node.value.strip()
                if text[:6].upper() in ("SELECT", "WITH X", "TABLE ", "VALUES") or (
                    text[:5].upper() == "WITH " and " AS " in text.upper()
                ):
                    out.append(node.value)
    return sorted(set(out))


REPO_SQL = _repo_sql()


def test_the_corpus_is_not_empty() -> None:
    assert len(REPO_SQL) > 100


@pytest.mark.parametrize("sql", REPO_SQL, ids=[f"repo{i}" for i in range(len(REPO_SQL))])
def test_repo_sql(sql: str) -> None:
    check(sql)


# -- generated tricky text -----------------------------------------------------------------------

BASE = "SELECT id FROM items {mid} ORDER BY emb <-> $1 {tail}"
TRICKY = [
    "SELECT id FROM items -- note\rORDER BY emb <-> $1 LIMIT 10",
    "SELECT id FROM items /* a /* nested */ ORDER BY x */ ORDER BY emb <-> $1 LIMIT 3",
    "SELECT id FROM items WHERE t = 'it''s -- not a comment' ORDER BY emb <-> $1 LIMIT 2",
    "SELECT id FROM items WHERE t = E'\\' ORDER BY x' ORDER BY emb <=> $1 DESC LIMIT 4",
    "SELECT id FROM items WHERE t = $tag$ ORDER BY $$ $tag$ ORDER BY emb <#> $1 LIMIT 5",
    "SELECT id FROM items WHERE t = N'n' AND u = U&'\\0041' ORDER BY emb<->$1 LIMIT 6",
    'SELECT "id" FROM "items" AS "I" ORDER BY "I"."emb"<->$1::vector(3)LIMIT 7',
    "SELECT id FROM items ORDER BY emb<->$1||'x' LIMIT 8",
    "SELECT id FROM items ORDER BY emb<->$1-1 LIMIT 9",
    "SELECT id FROM items ORDER BY 1-(emb<=>$1) DESC LIMIT 9",
    'SELECT id FROM items ORDER BY emb <-> $1 COLLATE "C" LIMIT 1',
    "SELECT id FROM items ORDER BY emb OPERATOR(public.<->) $1 LIMIT 11",
    "SELECT id FROM items ORDER BY ARRAY[1,2]::vector <-> emb LIMIT 12",
    "SELECT id FROM items ORDER BY emb <-> $1 FETCH FIRST 13 ROWS ONLY",
    "SELECT id FROM items ORDER BY emb <-> $1 LIMIT ALL",
    "SELECT id FROM items ORDER BY emb <-> $1 LIMIT NULL",
    "SELECT * FROM ROWS FROM (generate_series(1, 2)) g, items ORDER BY emb <-> $1 LIMIT 2",
    "SELECT * FROM (items i JOIN other o ON i.id = o.id) ORDER BY i.emb <-> $1 LIMIT 2",
    'TABLE public."items"',
    "WITH x AS MATERIALIZED (SELECT * FROM items) (SELECT id FROM x ORDER BY emb <-> $1 LIMIT 2)",
    "WITH a AS NOT MATERIALIZED (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b",
    "SELECT id FROM items WHERE id IN (" + ", ".join(str(i) for i in range(3_400)) + ")",
    "SELECT ARRAY[" + ", ".join("0.5" for _ in range(4_096)) + "]::vector <-> emb FROM items",
    "SELECT id FROM items ORDER BY " + "(" * 900 + "emb <-> $1" + ")" * 900 + " LIMIT 3",
    "SELECT id FROM items ORDER BY emb <-> $1 LIMIT",  # invalid
    "SELECT id FROM items ORDER emb <-> $1",  # invalid
    "SELECT 'unterminated",
    "SELECT id FROM items; SELECT 1",
    "SELECT 1 /* /* */ ; */",
    "SELECT id FROM items ORDER BY emb <-> %(q)s LIMIT %s",
    "WITH c AS NOT MATERIALIZED (SELECT id, emb <-> $1 AS d FROM items ORDER BY 2 LIMIT 40)"
    " SELECT * FROM c, LATERAL (SELECT * FROM other o ORDER BY o.emb <=> $2 DESC LIMIT 3) s"
    " ORDER BY d LIMIT 10",
    "SELECT * FROM (SELECT * FROM (SELECT id FROM items ORDER BY 1 - (emb <=> $1) LIMIT 7) a"
    " ORDER BY id) b",
    "SELECT id, 1 - (embedding <=> $1) AS similarity FROM documents WHERE collection_id ="
    " $2::UUID ORDER BY embedding <=> $1 LIMIT $3",
]


@pytest.mark.parametrize("sql", TRICKY, ids=[f"tricky{i}" for i in range(len(TRICKY))])
def test_tricky_sql(sql: str) -> None:
    check(sql)


_COMMENTS = st.sampled_from(
    ["", " ", "\n", "\r", "-- c\r", "-- c\n", "/* c */", "/* a /* b */ c */", "--\r\n"]
)
_STRINGS = st.sampled_from(
    ["'a'", "'it''s'", "E'\\''", "N'x'", "$$a'b$$", "$t$ $$ $t$", "U&'\\0061'", "'--'", "'/*'"]
)
_IDENTS = st.sampled_from(["emb", '"emb"', "EMB", "i.emb", '"I"."emb"'])
_DIRS = st.sampled_from(["", " ASC", " DESC", " DESC NULLS LAST"])
_LIMITS = st.sampled_from(["", " LIMIT 5", " LIMIT $2", " LIMIT ALL", " FETCH FIRST 3 ROWS ONLY"])
_OPS = st.sampled_from([*sorted(VECTOR_OPERATORS), "OPERATOR(public.<->)"])


@settings(max_examples=150, deadline=None)
@given(
    c1=_COMMENTS,
    c2=_COMMENTS,
    s=_STRINGS,
    col=_IDENTS,
    op=_OPS,
    direction=_DIRS,
    limit=_LIMITS,
    wrap=st.sampled_from(["{}", "({})", "1 - ({})", "{} || 'x'", '{} COLLATE "C"']),
)
def test_generated_queries(
    c1: str, c2: str, s: str, col: str, op: str, direction: str, limit: str, wrap: str
) -> None:
    distance = f"{col} {op} $1"
    sql = (
        f"SELECT id{c1}FROM items AS i{c2}WHERE note = {s}{c1}"
        f"ORDER BY {wrap.format(distance)}{direction}{c2}{limit}"
    )
    check(sql)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="SELCTFROMWHERBYDI ()'\"$-*/\r\n;,.:<>=#%~+|N1eb", max_size=80))
def test_arbitrary_text_reads_as_postgresql_reads_it(text: str) -> None:
    check(text)
