"""Any plan text → every :class:`Plan` in it: JSON or psql text, wrapped or not.

:func:`read_plans` is what ``check --plan-file``, the TUI's paste box and anything later call.
It never raises anything but :class:`~pgvtui.errors.PlanFileError`, whose one line names the
input line that could not be read.
"""

from __future__ import annotations

from typing import Any

from pgvtui.core.plan.json_format import load_plan_json, parse_plan
from pgvtui.core.plan.model import Plan
from pgvtui.core.plan.text_format import read_text_plans
from pgvtui.core.plan.wrappers import Segment, unwrap
from pgvtui.errors import PlanFileError


def _json_docs(seg: Segment) -> list[Any]:
    """A JSON value → its plan documents (one per "Plan"; psql can print several)."""
    doc = seg.doc
    if isinstance(doc, dict) and "plan" in doc and "Plan" not in doc:
        return [doc]  # pgvtui's own JSON output
    if isinstance(doc, dict):
        return [[doc]]
    if isinstance(doc, list) and len(doc) > 1 and all(isinstance(d, dict) for d in doc):
        return [[d] for d in doc]
    return [doc]


def _with_query(plan: Plan, query: str | None) -> Plan:
    if query and plan.raw and isinstance(plan.raw[0], dict):
        plan.raw[0].setdefault("Query Text", query)
    return plan


def read_plans(text: str) -> list[Plan]:
    """Every plan in ``text``, in order. See :mod:`pgvtui.core.plan.wrappers` for the wrappers
    taken off and :mod:`pgvtui.core.plan.text_format` for the text format."""
    if not text.strip():
        raise PlanFileError("the plan file is empty")
    try:
        return _read(text)
    except PlanFileError:
        head = "".join(text.lstrip()[:8].split())[:2]
        if head[:1] == "{" or head in ("[{", "[]", "[["):  # meant as JSON: say what is wrong
            load_plan_json(text)
        raise


def _read(text: str) -> list[Plan]:
    plans: list[Plan] = []
    for seg in unwrap(text):
        if seg.kind == "json":
            line = seg.lines[0][0] if seg.lines else 1
            for doc in _json_docs(seg):
                try:
                    plans.append(_with_query(parse_plan(doc), seg.query))
                except PlanFileError as exc:
                    raise PlanFileError(f"line {line}: {exc.message}") from None
            continue
        for tp in read_text_plans(seg.lines):
            plan = parse_plan(
                [tp.doc],
                source_format="text",
                fragment=tp.fragment,
                truncated=tp.truncated,
                notes=tuple(tp.notes),
            )
            plans.append(_with_query(plan, seg.query))
    if not plans:
        raise PlanFileError("no plan found in the input")
    return plans


def parse_plan_text(text: str) -> Plan:
    """The first plan in ``text`` (JSON or psql text, wrapped or not)."""
    return read_plans(text)[0]
