"""Property tests of the plan reader: whatever the text, :func:`read_plans` gives plans or one
:class:`PlanFileError` line — never another exception; a real plan cut anywhere or with lines
missing is read as far as it goes."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pgvtui.core.plan import read_plans
from pgvtui.errors import PlanFileError

DATA = Path(__file__).parent.parent / "data" / "public-plans"
POSTED = [p.read_text(encoding="utf-8").split("\n", 1)[1] for p in sorted(DATA.glob("*.txt"))]
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _read(text: str) -> None:
    try:
        plans = read_plans(text)
    except PlanFileError as exc:
        assert "\n" not in exc.one_line()
        return
    assert plans
    for plan in plans:
        for node in plan.nodes():
            node.label()


@FAST
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400))
def test_any_text(text: str) -> None:
    _read(text)


@FAST
@given(st.sampled_from(POSTED), st.integers(min_value=0, max_value=4000))
def test_cut_anywhere(text: str, cut: int) -> None:
    piece = text[: cut % (len(text) + 1)]
    _read(piece)
    first_node = text.find("(cost=")
    if first_node >= 0 and cut % (len(text) + 1) > text.find("\n", first_node) > 0:
        assert read_plans(piece)  # the first node line is whole: at least that plan is read


@FAST
@given(st.sampled_from(POSTED), st.lists(st.integers(min_value=0, max_value=40), max_size=5))
def test_lines_missing_or_shuffled_indent(text: str, drop: list[int]) -> None:
    lines = text.splitlines()
    kept = [ln for i, ln in enumerate(lines) if i not in set(drop)]
    _read("\n".join(kept))
    _read("\n".join(ln.strip() for ln in kept))  # indentation lost (a chat client)
