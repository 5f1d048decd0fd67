"""The object tables' filter: narrowing the last result as letters are typed (and sorting once
per order) selects exactly what filtering and sorting every row each time would."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pgvtui.ui.widgets.object_table import _Row, _Selection

ALPHABET = "ab1"


def naive(rows: list[_Row[int]], needle: str, column: int, reverse: bool) -> list[int]:
    picked = [r for r in rows if needle in r.haystack]
    picked.sort(key=lambda r: r.keys[column], reverse=reverse)
    return [r.item for r in picked]


@given(
    texts=st.lists(st.text(ALPHABET, max_size=6), max_size=40),
    needles=st.lists(
        st.tuples(st.text(ALPHABET, max_size=4), st.integers(0, 1), st.booleans()), max_size=12
    ),
)
def test_narrowing_selects_what_a_full_pass_would(
    texts: list[str], needles: list[tuple[str, int, bool]]
) -> None:
    # column 0 sorts by the text, column 1 by its length (many ties: the order must be stable)
    rows = [_Row(i, [t], t, [(0, t), (0, len(t))]) for i, t in enumerate(texts)]
    selection: _Selection[int] = _Selection()
    for needle, column, reverse in needles:
        got = [r.item for r in selection.select(rows, needle, column, reverse)]
        assert got == naive(rows, needle, column, reverse)


def test_typing_narrows_the_last_result() -> None:
    rows = [_Row(i, [f"v{i}"], f"v{i}", [(0, i)]) for i in range(1000)]
    selection: _Selection[int] = _Selection()
    assert len(selection.select(rows, "v", 0, False)) == 1000
    got = [r.item for r in selection.select(rows, "v99", 0, False)]
    assert got == [99, *range(990, 1000)]
    # the next letter is looked for among those 11 rows only (white box: that result is what
    # the next pass reads — emptied, it finds nothing)
    assert len(selection._last[1]) == 11
    selection._last = ("v99", [])
    assert selection.select(rows, "v999", 0, False) == []
    # a deleted letter (or another word) starts from all the rows again
    assert len(selection.select(rows, "v9", 0, False)) == 111
    assert [r.item for r in selection.select(rows, "v999", 0, False)] == [999]
