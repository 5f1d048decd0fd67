"""volatile-query-vector: the query vector is computed for every row by a function call in the
ORDER BY (``ORDER BY emb <-> embed('…')``), so no index can order by it.

Plan shape: a ``Sort`` whose Sort Key is ``<column> <op> f(<constants>)`` — a function call
with no column in its arguments on the other side of the distance. PostgreSQL folds an
IMMUTABLE call into a literal and lets an index scan order by a STABLE one (``Order By:
(emb <-> f('…'))`` on an Index Scan); a call left in a Sort Key over constants is VOLATILE (or
has no index to use): it runs once per row and the sort reads every row. The Sort Key is read
with PostgreSQL's own parser (pglast); a key it cannot parse (``(InitPlan 1).col1``) is skipped.
Works on the plan alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.plan.sort_keys import distances
from pgvtui.core.rules import plan_expressions, plan_walk, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


def per_row_call(sort_key: str) -> str | None:
    """The function name when ``sort_key`` is a distance between a column and a call over
    constants, else None."""
    for d in distances(sort_key):
        for one, other in ((d.left, d.right), (d.right, d.left)):
            if one.kind == "call" and not one.has_columns and other.kind == "column":
                return one.name
    return None


@register
class VolatileQueryVector(Rule):
    id = "volatile-query-vector"
    severity = Severity.WARNING
    summary = "the query vector is computed per row by a function call: no index can order by it"
    kind = "query"
    needs = frozenset()

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.plan is None:
            return
        for node in ctx.plan.nodes():
            if node.node_type not in plan_walk.SORT_NODES:
                continue
            for key in node.sort_key:
                fn = per_row_call(key)
                if fn is None:
                    continue
                below = [d for d in plan_walk.descendants(node) if d.relation]
                rows = plan_walk.scan_rows(below[0]) if below else None
                yield self.finding(
                    f"the query vector {fn}(…) is computed for every row ({wording.num(rows)} rows"
                    " sorted): a VOLATILE function is not evaluated once, so no index can"
                    " order by it",
                    f"{node.node_type} with Sort Key {plan_expressions.shorten_literals(key)}",
                    f"-- compute the vector once: a scalar subquery\n"
                    f"--   ORDER BY emb <-> (SELECT {fn}('…')) LIMIT k\n"
                    "-- or a CTE / a bind parameter ($1) computed by the client; or, if the"
                    f" function really is\n-- stable, ALTER FUNCTION {fn} STABLE",
                    object=f"plan: {node.label()}",
                    node_id=node.id,
                )
                break
