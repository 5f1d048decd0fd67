"""Generated bad input for the paths that reach the server: query-vector literals through the
search executor, identifiers and ids for ``--vector-from`` and ``recall --column/--index``,
``--set`` values and ``recall --where`` predicates. 1,000 examples each; the outcome is a value
or a typed ``PgvtuiError`` with a one-line message — never another exception, never a hang
(statement_timeout 2 s), and the database is unchanged afterwards."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from psycopg import sql

from pgvtui.cli import main
from pgvtui.core import guard
from pgvtui.core.catalog import inventory
from pgvtui.core.models import ColumnInfo, Inventory
from pgvtui.core.recall.sweep import RecallSpec, find_index
from pgvtui.core.recall.where_check import validate_where
from pgvtui.core.search import fetch_vector, parse_vector_from, run_explain
from pgvtui.core.session import Session, SessionOptions, connect
from pgvtui.errors import PgvtuiError, QueryRefused, SettingRefused
from pgvtui.ui.query_template import golden_sql, literal_vector
from tests.safety.support import Target

pytestmark = pytest.mark.property
SURROGATES: tuple[Literal["Cs"]] = ("Cs",)  # not encodable as UTF-8

THOUSAND = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@dataclass
class Live:
    loop: asyncio.AbstractEventLoop
    session: Session
    inv: Inventory

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def items_column(self, name: str) -> ColumnInfo:
        col = self.inv.column("public", "items", name)
        assert col is not None
        return col


@pytest.fixture(scope="module")
def live(target: Target) -> Iterator[Live]:
    """One session for 1,000 examples (a synchronous test drives its own event loop)."""
    loop = asyncio.new_event_loop()
    session = loop.run_until_complete(
        connect(target.dsn, SessionOptions(statement_timeout_ms=2000), prompt=None)
    )
    inv = loop.run_until_complete(inventory(session))
    try:
        yield Live(loop, session, inv)
    finally:
        loop.run_until_complete(session.close())
        loop.close()
    target.check_unchanged()


def _one_line(exc: PgvtuiError) -> None:
    line = exc.one_line()
    assert "\n" not in line and len(exc.message) > 3, line


# -- query-vector literals through the search executor ---------------------------------------

floats32 = st.floats(width=32, allow_nan=True, allow_infinity=True)
number_text = st.one_of(
    floats32.map(repr),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(["NaN", "Infinity", "-inf", "1e39", "-1e39", "1e-50", "0x10", "1_0", ""]),
)
NO_NUL = st.characters(codec="utf-8", exclude_categories=SURROGATES, exclude_characters="\0")
vector_texts = st.one_of(
    st.lists(number_text, max_size=6).map(lambda xs: "[" + ",".join(xs) + "]"),
    st.lists(number_text, max_size=6).map(", ".join),  # brackets are added by the screen
    st.text(alphabet=NO_NUL, max_size=40),  # NUL: see test_vector_literal_with_nul
    st.integers(min_value=0, max_value=20_000).map(lambda n: "[" + ",".join(["1"] * n) + "]"),
    st.sampled_from(["[1,2,3]'); DROP TABLE items; --", "[1,2,3]\\", "{1:1}/3", "[[1,2,3]]"]),
)


@THOUSAND
@given(text=vector_texts, column=st.sampled_from(["emb", "hemb"]))
@example(text="[1,2,3]", column="emb")  # the valid case works: the property is not vacuous
def test_vector_literal_through_search(live: Live, text: str, column: str) -> None:
    literal = literal_vector(live.items_column(column), text)
    query = f"SELECT id FROM items ORDER BY {column} <-> {literal} LIMIT 3"
    try:
        result = live.run(run_explain(live.session, query, preview=False))
    except PgvtuiError as exc:
        _one_line(exc)
        return
    if result.error is not None:
        assert "\n" not in result.error.message
    elif text == "[1,2,3]":
        assert result.plan is not None
    assert not live.session.broken
    assert live.session.conn.info.transaction_status == 0  # IDLE: always rolled back


def test_vector_literal_with_nul(live: Live) -> None:
    col = live.items_column("emb")
    try:
        literal_vector(col, "[1,2,\x003]")
    except PgvtuiError:
        return


# -- the Search screen's query-vector picker (row id / offset / literal) ----------------------

# Characters str.isdigit() accepts that int() rejects ('²'): see test_picker_odd_numbers.
ODD_DIGITS = "".join(
    chr(c) for c in range(0x80, 0x3000) if chr(c).isdigit() and not chr(c).isdecimal()
)
picker_values = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.text(
        alphabet=st.characters(
            codec="utf-8", exclude_categories=SURROGATES, exclude_characters="\0" + ODD_DIGITS
        ),
        max_size=30,
    ),
    st.sampled_from(["1; DROP TABLE items", "1' OR '1'='1", "(SELECT bump())", "", "٣"]),
)


@THOUSAND
@given(mode=st.sampled_from(["id", "literal", "random"]), value=picker_values,
       keyed=st.booleans())  # fmt: skip
@example(mode="id", value="7", keyed=True)
def test_query_vector_picker(live: Live, mode: str, value: str, keyed: bool) -> None:
    """What the picker builds (golden_sql) either runs read-only or fails with a typed error."""
    col = live.items_column("emb")
    index = next(i for i in live.inv.indexes if i.name == "items_emb_hnsw")
    try:
        text = golden_sql(col, index, "id" if keyed else None, 5, mode, value)
        result = live.run(run_explain(live.session, text, preview=False))
    except PgvtuiError as exc:
        _one_line(exc)
        return
    if result.error is not None:
        assert "\n" not in result.error.message
    assert live.session.conn.info.transaction_status == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [(None, "²"), (None, "9" * 5000), ("id", "9" * 5000)],
    ids=["offset-superscript", "offset-5000-digits", "id-5000-digits"],
)
def test_picker_odd_numbers(live: Live, key: str | None, value: str) -> None:
    col = live.items_column("emb")
    try:
        golden_sql(col, None, key, 5, "id" if key else "random", value)
    except PgvtuiError:
        return


# -- identifiers and ids: --vector-from, recall --column / --index ---------------------------

RESERVED = ["select", "from", "table", "user", "order", "limit", "where", "all", "grant", "end"]
raw_names = st.one_of(
    st.sampled_from(["items", "emb", "hemb", "public", "Odd Schema", "Mixed Case", "select"]),
    st.sampled_from(RESERVED),
    st.text(
        alphabet=st.characters(
            codec="utf-8", exclude_categories=SURROGATES, exclude_characters="\0"
        ),
        min_size=0,
        max_size=12,
    ),
)
ANY_CHAR = st.characters(codec="utf-8", exclude_categories=SURROGATES)


def _render(name: str, quoted: bool) -> str:
    return '"' + name.replace('"', '""') + '"' if quoted else name


names = st.tuples(raw_names, st.booleans()).map(lambda t: _render(*t))
keys = st.one_of(
    st.integers(min_value=-5, max_value=300).map(str),
    st.just("random"),
    st.text(alphabet=ANY_CHAR, max_size=20),
    st.sampled_from(["1; DROP TABLE items", "1' OR '1'='1", "(SELECT bump())", "1e3", "0x1"]),
)
vector_from_texts = st.one_of(
    st.builds(lambda *p: ".".join(p[:-1]) + ":" + p[-1], names, names, keys),
    st.builds(lambda *p: ".".join(p[:-1]) + ":" + p[-1], names, names, names, keys),
    st.text(alphabet=ANY_CHAR, max_size=40),
)


@THOUSAND
@given(text=vector_from_texts)
@example(text="items.emb:7")
@example(text='"Odd Schema"."Mixed Case"."select":1')
def test_vector_from(live: Live, text: str) -> None:
    try:
        source = parse_vector_from(text)
        vector = live.run(fetch_vector(live.session, source))
    except PgvtuiError as exc:
        _one_line(exc)
        return
    assert vector is not None
    assert live.session.conn.info.transaction_status == 0


column_texts = st.one_of(
    st.builds(lambda a, b, c: f"{a}.{b}.{c}", names, names, names),
    st.builds(lambda a, b: f"{a}.{b}", names, names),
    names,
    st.text(max_size=30),
)


@THOUSAND
@given(column=column_texts, use_index=st.booleans())
@example(column="public.items.emb", use_index=False)
@example(column="items_emb_hnsw", use_index=True)
def test_recall_column_and_index_names(live: Live, column: str, use_index: bool) -> None:
    spec = RecallSpec(index=column) if use_index else RecallSpec(column=column)
    try:
        found = find_index(live.inv, spec)
    except PgvtuiError as exc:
        _one_line(exc)
        return
    assert found.name == "items_emb_hnsw"


@pytest.mark.parametrize("text", ["SELECT a.²", "SELECT ².5", "SELECT ٣"])
def test_non_ascii_digits(text: str) -> None:
    """str.isdigit() accepts '²' and '٣'; the lexer must not trip over them (it once asserted)."""
    try:
        guard.check_sql(text)
    except PgvtuiError as exc:
        _one_line(exc)
    try:
        parse_vector_from("items.²:0")
    except PgvtuiError as exc:
        _one_line(exc)


def test_non_ascii_digit_on_the_cli(target: Target, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", target.dsn, "--sql", "SELECT a.²"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith(("Query refused: ", "Query failed: ")), err


SQL_PIECES = [
    "SELECT", "WITH", "x AS (", ")", "(", "FROM items", "WHERE", "id", "=", "1", ";", "'", '"',
    "$$", "$q$", "/*", "*/", "--", "\n", "E'\\'", "::vector", "<->", "'[1,2,3]'", "LIMIT 5",
    "DELETE", "INSERT INTO", "UPDATE", "FOR UPDATE", "INTO", "pg_sleep(0)", "bump()",
    "dblink_exec(", "U&\"x\"", "COPY", "TABLE items", "VALUES (1)", ",", ".", "a.1", "%s", "$1",
    "²", "a.²", "ts_stat(", "\r", "-- c\r", "N'\\'", "'\\'", "E'\\\\'",
]  # fmt: skip
sql_texts = st.one_of(
    st.lists(st.sampled_from(SQL_PIECES), max_size=14).map(" ".join),
    st.lists(st.sampled_from(SQL_PIECES), max_size=14).map("".join),
    st.text(alphabet=ANY_CHAR, max_size=60),
)


@THOUSAND
@given(text=sql_texts)
@example(text="SELECT id FROM items WHERE id = 1 LIMIT 5")
def test_guard_on_any_text(text: str) -> None:
    """The guard answers every text with the statement or a QueryRefused — nothing else."""
    try:
        checked = guard.check_sql(text)
    except QueryRefused as exc:
        _one_line(exc)
        return
    assert checked.strip()


# -- --set NAME=VALUE --------------------------------------------------------------------------

SAFE_VALUE = re.compile(r"[A-Za-z0-9._-]+")
set_texts = st.one_of(
    st.builds(
        lambda n, v: f"{n}={v}",
        st.sampled_from([*guard.ALLOWED_SETTINGS, "role", "search_path", "statement_timeout"]),
        st.one_of(st.text(max_size=20), number_text, st.sampled_from(["on", "off", "64MB"])),
    ),
    st.text(max_size=40),
)


@THOUSAND
@given(text=set_texts)
@example(text="hnsw.ef_search=100")
def test_set_values(text: str) -> None:
    try:
        checked = guard.check_settings([text])
    except SettingRefused as exc:
        _one_line(exc)
        return
    for name, value in checked.items():
        assert name in guard.ALLOWED_SETTINGS
        assert SAFE_VALUE.fullmatch(value), value  # nothing that could close a literal


@pytest.mark.parametrize("text", ["hnsw.ef_search=100", "work_mem=64MB", "enable_seqscan=off"])
def test_set_values_accepted_are_applied(live: Live, text: str) -> None:
    """An accepted value really reaches the server (SET LOCAL inside the read-only run)."""
    result = live.run(
        run_explain(live.session, "SELECT count(*) FROM items", guard.check_settings([text]))
    )
    name, value = text.split("=")
    assert result.settings[name] == value


# -- recall --where -----------------------------------------------------------------------------

where_texts = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda a, op, b: f"{a} {op} {b}",
        st.sampled_from(["id", "body", "emb", '"Weird Col"', "bump()", "now()"]),
        st.sampled_from(["=", "<", ">", "<>", "IS", "LIKE", ";", ")", "("]),
        st.one_of(number_text, st.text(max_size=12), st.sampled_from(["NULL", "'x'", "true"])),
    ),
)


@THOUSAND
@given(text=where_texts)
@example(text="id > 10")
def test_where_predicates(live: Live, text: str) -> None:
    try:
        checked = validate_where(text)
    except PgvtuiError as exc:
        _one_line(exc)
        return
    # what passed is one expression: EXPLAIN it (never executed) in a read-only transaction
    q = sql.SQL("EXPLAIN SELECT 1 FROM items WHERE ({})").format(sql.SQL(checked))
    try:
        live.run(_explain(live.session, q))
    except PgvtuiError as exc:
        _one_line(exc)


async def _explain(session: Session, q: sql.Composed) -> None:
    async with session.read_only() as cur:
        await cur.execute(q)
