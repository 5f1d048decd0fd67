"""Plans: the typed tree the rules read, and the readers that build it.

- :mod:`.model` — :class:`Plan` / :class:`PlanNode` (pure data).
- :mod:`.json_format` — EXPLAIN (FORMAT JSON) → :class:`Plan` (:func:`parse_plan`).
- :mod:`.text_format` — EXPLAIN text as psql prints it → the same JSON document shape (the
  tree by indentation); :mod:`.text_nodes` reads node lines, :mod:`.text_properties` the
  ``Key: value`` lines, :mod:`.text_values` identifiers, lists and numbers (PostgreSQL's lexer).
- :mod:`.wrappers` — what copy-paste adds around a plan (client quoting, Python tuples,
  Markdown, log prefixes, several plans in one file) taken off, line numbers kept.
- :mod:`.reading` — :func:`read_plans`: any of the above from one text → every plan in it.
- :mod:`.coverage` — which query rules can run on a recorded plan (offline report section).
"""

from pgvtui.core.plan.json_format import load_plan_json, parse_plan
from pgvtui.core.plan.model import VECTOR_OPERATORS, Plan, PlanNode
from pgvtui.core.plan.reading import parse_plan_text, read_plans

__all__ = [
    "VECTOR_OPERATORS",
    "Plan",
    "PlanNode",
    "load_plan_json",
    "parse_plan",
    "parse_plan_text",
    "read_plans",
]
