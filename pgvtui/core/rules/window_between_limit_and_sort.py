"""window-between-limit-and-sort: a window function, aggregate or other row-consuming node sits
between the LIMIT and the distance sort, so the sort is a full sort of every row.

Plan shape: ``Limit`` → ``WindowAgg`` / ``Aggregate`` / ``Group`` / ``Unique`` / ``SetOp`` (…) →
``Sort`` whose Sort Key holds a pgvector distance. A Limit directly above a Sort makes it a
top-N heapsort that keeps k rows; with a window function in between (``row_number() OVER
(PARTITION BY … ORDER BY distance)``) the sort must order every row first — often spilling to
disk. An ``Incremental Sort`` (groups already sorted by an index) stops with the Limit and is
not flagged. Works on the plan alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.rules import plan_expressions, plan_walk, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

CONSUMERS = ("WindowAgg", "Aggregate", "Group", "Unique", "SetOp", "Hash", "Materialize")


@register
class WindowBetweenLimitAndSort(Rule):
    id = "window-between-limit-and-sort"
    severity = Severity.WARNING
    summary = "a window/aggregate between LIMIT and the distance sort turns top-N into a full sort"
    kind = "query"
    needs = frozenset()

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        plan = ctx.plan
        if plan is None:
            return
        for sort in plan.nodes():
            # an Incremental Sort over presorted groups stops with the Limit: not a full sort
            if sort.node_type != "Sort" or not plan_expressions.sort_terms(sort):
                continue
            between: list[str] = []
            limit = None
            for above in plan_walk.ancestors(plan, sort):
                if above.node_type == "Limit":
                    limit = above
                    break
                if above.node_type in CONSUMERS:
                    between.append(above.label())
            if limit is None or not between:
                continue
            below = [d for d in plan_walk.descendants(sort) if d.relation]
            rows = plan_walk.scan_rows(below[0]) if below else sort.plan_rows
            spill = " and spilled to disk" if sort.raw.get("Sort Space Type") == "Disk" else ""
            key = plan_expressions.shorten_literals(sort.sort_key[0])
            yield self.finding(
                f"{' → '.join(between)} between the Limit and the distance sort: the sort"
                f" orders all {wording.num(rows)} rows{spill} instead of keeping the nearest k",
                f"Limit above {' → '.join(between)} above {sort.node_type}"
                f" ({sort.sort_method or 'sort'}, Sort Key {key})",
                "-- rank the ids first, then number / aggregate / join the wide columns:\n"
                "--   WITH nearest AS (SELECT id, emb <-> $1 AS distance FROM t"
                " ORDER BY distance LIMIT k)\n"
                "--   SELECT n.*, row_number() OVER (ORDER BY n.distance) FROM nearest n"
                " JOIN t USING (id);",
                object=f"plan: {sort.label()}",
                node_id=sort.id,
            )
