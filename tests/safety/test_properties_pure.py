"""Generated bad input for the pure parsers: connection strings and redaction, plan files, CLI
durations and sizes. Each property runs 1,000 examples; the outcome is always a value or a
typed ``PgvtuiError`` with a one-line message — never another exception, never the password."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pgvtui.commands.common import _duration_ms, parse_size
from pgvtui.core import conninfo as ci
from pgvtui.core.conninfo import ConnOptions
from pgvtui.core.plan import parse_plan_text
from pgvtui.errors import PgvtuiError, PlanFileError

pytestmark = pytest.mark.property
SURROGATES: tuple[Literal["Cs"]] = ("Cs",)  # not encodable as UTF-8

THOUSAND = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# A password always starts with a marker that appears nowhere else in the generated strings, so
# finding it in output is proof of a leak (and not a coincidence with a host or user name).
MARK = "Zq7"
pw_tail = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=SURROGATES, exclude_characters="\x00"),
    min_size=0,
    max_size=24,
)
passwords = pw_tail.map(lambda t: MARK + t)


def _shapes(pw: str) -> list[str]:
    esc = pw.replace("\\", "\\\\").replace("'", "\\'")
    return [
        f"postgresql://alice:{quote(pw, safe='')}@db.example:5432/app",
        f"postgresql://alice:{pw}@db.example/app",  # unencoded: often unparsable
        f"postgres://alice@db.example/app?password={quote(pw, safe='')}&sslmode=require",
        f"postgres://alice@db.example/app?password={pw}",
        f"host=db.example user=alice password='{esc}' dbname=app",
        f"host=db.example user=alice password={pw} dbname=app",
        f"password='{esc}",  # unterminated quote
        f"host=db.example password={pw} bogus",
    ]


def _assert_no_password(text: str, pw: str) -> None:
    # the password is never shown, neither raw nor percent-encoded
    assert pw not in text
    assert quote(pw, safe="") not in text or quote(pw, safe="") == pw


@THOUSAND
@given(pw=passwords, shape=st.integers(min_value=0, max_value=7), prompt_pw=st.booleans())
@example(pw=MARK + "sec%ret", shape=1, prompt_pw=False)
@example(pw=MARK + " pw", shape=1, prompt_pw=False)
@example(pw=MARK + "x", shape=3, prompt_pw=False)
@example(pw="Zq7@\n", shape=1, prompt_pw=False)  # a newline ended up in the host name
def test_conninfo_never_leaks_the_password(pw: str, shape: int, prompt_pw: bool) -> None:
    raw = _shapes(pw)[shape]
    opts = ConnOptions(conninfo=raw, password=pw if prompt_pw else None, port="5433")
    try:
        merged = opts.to_conninfo()
    except PgvtuiError as exc:
        for text in (str(exc), exc.one_line(), repr(exc), str(exc.__cause__ or "")):
            _assert_no_password(text, pw)
        assert "\n" not in exc.one_line()
        return
    shown = ci.redact(merged)
    _assert_no_password(shown, pw)
    assert "\n" not in shown
    assert ci.describe(ci.parse(merged)).count(pw) == 0
    # redact_message also scrubs the conninfo text itself (free text in a server error)
    _assert_no_password(ci.redact_message(f"error near {raw} and {merged}", pw), pw)


@THOUSAND
@given(text=st.text(max_size=200), pw=passwords)
def test_redact_message_removes_every_occurrence(text: str, pw: str) -> None:
    mixed = f"{text}{pw}{text} password={pw} postgresql://u:{pw}@h/"
    _assert_no_password(ci.redact_message(mixed, pw), pw)


@THOUSAND
@given(raw=st.text(max_size=120))
def test_arbitrary_conninfo_text_gives_value_or_usage_error(raw: str) -> None:
    try:
        ci.parse(ConnOptions(conninfo=raw).to_conninfo())
    except PgvtuiError as exc:
        assert exc.exit_code == 2 and "\n" not in exc.one_line()
    ci.redact(raw)  # never raises


# -- plan files ------------------------------------------------------------------------------

_PLANS = json.loads(
    (Path(__file__).parents[1] / "data" / "plans-pg18.json").read_text(encoding="utf-8")
)


def _recorded_plan_texts() -> list[str]:
    """The recorded EXPLAIN documents (``[{"Plan": …}]``) of tests/data/plans-pg18.json."""
    texts = [json.dumps(e["plan"]) for e in _PLANS if isinstance(e, dict) and e.get("plan")]
    assert texts, "no recorded plans"
    return texts


RECORDED = _recorded_plan_texts()


def _json_values(nonfinite: bool) -> st.SearchStrategy[Any]:
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=nonfinite, allow_infinity=nonfinite)
        | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=20,
    )


PLAN_KEYS = [
    "Node Type", "Plans", "Plan Rows", "Actual Rows", "Actual Loops", "Sort Key", "Settings",
    "Relation Name", "Order By", "Shared Hit Blocks", "Total Cost", "Disabled", "Index Searches",
]  # fmt: skip


@st.composite
def corrupted_plan(draw: st.DrawFn, nonfinite: bool, any_plans: bool) -> str:
    """A recorded plan with one field replaced by any JSON value (wrong types, NaN, ±Infinity
    when ``nonfinite``; a non-list ``"Plans"`` only when ``any_plans``)."""
    values = _json_values(nonfinite)
    doc = json.loads(draw(st.sampled_from(RECORDED)))
    node = doc[0]["Plan"]
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        kids = node.get("Plans")
        if isinstance(kids, list) and kids and isinstance(kids[0], dict):
            node = kids[0]
    key = draw(st.sampled_from(PLAN_KEYS))
    value = draw(values)
    if key == "Plans" and not any_plans and not isinstance(value, list):
        value = [value]
    node[key] = value
    if draw(st.booleans()):
        doc[0]["Settings"] = draw(values)
    return json.dumps(doc)  # NaN / Infinity are emitted as the bare words json.loads accepts


def plan_texts(nonfinite: bool, any_plans: bool) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=300),
        st.sampled_from(RECORDED).flatmap(
            lambda t: st.integers(min_value=0, max_value=len(t)).map(lambda n: t[:n])
        ),
        _json_values(nonfinite).map(json.dumps),
        corrupted_plan(nonfinite, any_plans),
        st.integers(min_value=1, max_value=3000).map(lambda n: "[" * n + "]" * n),
        st.integers(min_value=1, max_value=1500).map(
            lambda n: '[{"Plan": ' + '{"Node Type": "X", "Plans": [' * n + "]}" * n + "}]"
        ),
    )


def _plan_or_plan_file_error(text: str) -> None:
    try:
        plan = parse_plan_text(text)
    except PlanFileError as exc:
        assert "\n" not in exc.one_line()
        return
    for node in plan.nodes():  # the typed tree is usable
        node.label()
        _ = node.rows_total, node.total_ms, node.ann_order


@THOUSAND
@given(text=plan_texts(nonfinite=False, any_plans=False))
@example(text='[{"Plan": {"Node Type": "Seq Scan", "Plans": [{"Node Type": []}]}}]')
def test_plan_text_gives_plan_or_plan_file_error(text: str) -> None:
    _plan_or_plan_file_error(text)


@THOUSAND
@given(text=plan_texts(nonfinite=True, any_plans=True))
@example(text='[{"Plan": {"Node Type": "Seq Scan", "Plans": 5}}]')
@example(text='[{"Plan": {"Node Type": "Seq Scan", "Plan Rows": Infinity}}]')
@example(text='[{"Plan": {"Node Type": "Seq Scan", "Actual Loops": NaN}}]')
def test_plan_text_with_wrong_types_and_nonfinite_numbers(text: str) -> None:
    _plan_or_plan_file_error(text)


# -- CLI values ------------------------------------------------------------------------------

size_or_duration = st.one_of(
    st.text(max_size=20),
    st.builds(
        lambda n, u: f"{n}{u}",
        st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers()),
        st.sampled_from(["", "ms", "s", "min", "h", "kB", "MB", "GB", "TB", "b"]),
    ),
    st.sampled_from(["nan", "inf", "-inf", "1e400", "1e30s", "NaNms", "infinity"]),
)


@THOUSAND
@given(text=size_or_duration)
def test_duration_is_value_or_argparse_error(text: str) -> None:
    try:
        ms = _duration_ms(text)
    except argparse.ArgumentTypeError:
        return
    assert 0 <= ms <= 2_147_483_647


@THOUSAND
@given(text=size_or_duration)
def test_size_is_value_or_usage_error(text: str) -> None:
    try:
        n = parse_size(text)
    except PgvtuiError as exc:
        assert "\n" not in exc.one_line()
        return
    assert n >= 0


@THOUSAND
@given(message=st.text(max_size=80), hint=st.one_of(st.none(), st.text(max_size=40)))
def test_one_line_is_one_terminal_safe_line(message: str, hint: str | None) -> None:
    """Whatever a message quotes (a name with a newline or an ESC sequence), the CLI prints
    one line with no control characters."""
    line = PgvtuiError(message, hint=hint).one_line()
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in line), repr(line)
