"""ann-filter-unverified (info): an ANN index scan with a Filter in a plan without ANALYZE —
the result may come back shorter than the LIMIT, and only an EXPLAIN ANALYZE can tell.

Plan shape (no ANALYZE): an index scan ordered by a distance (``Order By: (emb <-> …)``) with a
``Filter``. The index returns at most hnsw.ef_search candidates (ivfflat: the rows of
``ivfflat.probes`` lists); the filter runs on those afterwards, so fewer than LIMIT may pass. With
ANALYZE, ``filter-underflow`` measures it instead. Works on the plan alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.rules import plan_expressions, plan_walk, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


@register
class AnnFilterUnverified(Rule):
    id = "ann-filter-unverified"
    severity = Severity.INFO
    summary = "a filter after an ANN index scan (no ANALYZE): fewer rows than LIMIT may come back"
    kind = "query"
    needs = frozenset()

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        plan = ctx.plan
        if plan is None or plan.analyzed:
            return
        for scan in plan.ann_scans():
            if not scan.filter:
                continue
            limit = plan_walk.limit_above(plan, scan)
            k = f"LIMIT {wording.num(limit.plan_rows)}" if limit is not None else "the LIMIT"
            yield self.finding(
                f"{scan.label()} filters after the index search: it may return fewer rows than"
                f" {k} (the index hands over at most hnsw.ef_search candidates, 40 by default,"
                " or the rows of ivfflat.probes lists)",
                f"{scan.label()} ordered by"
                f" {plan_expressions.shorten_literals(scan.order_by or '')} with"
                f" Filter {plan_expressions.shorten_literals(scan.filter)}; plan without ANALYZE",
                "-- check with EXPLAIN ANALYZE (rows returned vs LIMIT); to keep searching until"
                " LIMIT rows pass (pgvector 0.8+):\n"
                "SET hnsw.iterative_scan = relaxed_order;  -- bounded by hnsw.max_scan_tuples\n"
                "SET ivfflat.iterative_scan = relaxed_order;  -- bounded by ivfflat.max_probes",
                object=f"plan: {scan.label()}",
                node_id=scan.id,
            )
