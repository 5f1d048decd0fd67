"""distance-threshold-only: ``WHERE <distance> < x`` with no ORDER BY distance … LIMIT.

Plan shape (pgvector-facts §2): Seq Scan with a Filter on the distance; even with
enable_seqscan = off the Seq Scan stays ("Disabled": true) — an ANN index is only usable for
``ORDER BY <distance> LIMIT k``. The threshold can stay as a filter on top of that.

On a recorded plan without the catalog the plan-visible half runs: a Seq Scan / Bitmap Heap Scan
whose Filter holds a distance operator, with no distance Sort and no ANN scan in the plan, that
read at least 10,000 rows (the small-table threshold).
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.plan import VECTOR_OPERATORS, Plan
from pgvtui.core.query import QueryShape
from pgvtui.core.rules import plan_expressions, plan_walk, rewrite, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

THRESHOLD_K = 100
SMALL_ROWS = 10_000


@register
class DistanceThresholdOnly(Rule):
    id = "distance-threshold-only"
    severity = Severity.WARNING
    summary = "a distance threshold without ORDER BY distance LIMIT k scans every row"
    kind = "query"
    needs = frozenset()

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.inventory is None and ctx.plan is not None:
            yield from self._plan_only(ctx.plan)
            return
        if ctx.inventory is None or ctx.plan is None or ctx.query is None:
            return
        for _scope, shape in ctx.query.walk():
            if shape.order_distance() is not None:
                continue
            for use in shape.distances:
                if use.clause != "where":
                    continue
                k = rewrite.resolve_use(ctx, use)
                if k is None or not k.serving or rewrite.ann_scan_on(ctx, k.table) is not None:
                    continue
                scans = [
                    n
                    for n in rewrite.scans_of(ctx, k.table)
                    if n.filter and any(op in n.filter for op in VECTOR_OPERATORS)
                ]
                if not scans:
                    continue
                scan = scans[0]
                idx = k.serving[0]
                disabled = " (marked Disabled)" if scan.disabled else ""
                filt = plan_expressions.shorten_literals(scan.filter or "")
                evidence = (
                    f"{scan.label()}{disabled} with Filter {filt}"
                    f" read {wording.num(scan.rows_total)} rows"
                    f" (+{wording.num(scan.rows_removed_by_filter)} removed);"
                    f" {idx.qualified_name} is not usable without ORDER BY … LIMIT"
                )
                yield self.finding(
                    f"WHERE {use.column.name} {use.operator} … < threshold compares every row of"
                    f" {k.table.display}: an ANN index only serves ORDER BY {use.column.name}"
                    f" {use.operator} <query> LIMIT k (keep the threshold as a filter)",
                    evidence,
                    self._fix(ctx, shape, use.text),
                    object=f"{k.table.display}.{k.column.column}",
                    node_id=scan.id,
                )

    def _plan_only(self, plan: Plan) -> Iterator[Finding]:
        if plan.ann_scans() or any(
            plan_expressions.sort_terms(n)
            for n in plan.nodes()
            if n.node_type in plan_walk.SORT_NODES
        ):
            return
        for scan in plan.nodes():
            if scan.node_type not in ("Seq Scan", "Bitmap Heap Scan") or not scan.filter:
                continue
            if not any(op in scan.filter for op in VECTOR_OPERATORS):
                continue
            read = (scan.rows_total or 0) + (scan.rows_removed_by_filter or 0) * (
                scan.actual_loops or 1
            )
            if not scan.actual_loops:
                read = float(scan.plan_rows or 0)  # no ANALYZE: the estimate of rows kept
            if read < SMALL_ROWS:
                continue
            filt = plan_expressions.shorten_literals(scan.filter)
            yield self.finding(
                f"a distance threshold ({filt}) compares every row of {scan.relation}: an ANN"
                " index only serves ORDER BY <distance> LIMIT k (keep the threshold as a filter)",
                f"{scan.label()} with Filter {filt} read {wording.num(read)} rows; no distance"
                " ORDER BY in the plan",
                f"-- …WHERE <threshold> ORDER BY <the same distance> LIMIT {THRESHOLD_K}: the"
                f" {THRESHOLD_K} nearest rows within the threshold; with HNSW, more than"
                " hnsw.ef_search rows need SET hnsw.iterative_scan = relaxed_order",
                object=f"plan: {scan.label()}",
                node_id=scan.id,
            )

    @staticmethod
    def _fix(ctx: RuleContext, shape: QueryShape, distance_text: str) -> str:
        clause = f" ORDER BY {distance_text} LIMIT {THRESHOLD_K}"
        note = (
            f"-- the {THRESHOLD_K} nearest rows within the threshold; with HNSW, more than"
            " hnsw.ef_search rows need SET hnsw.iterative_scan = relaxed_order"
        )
        if ctx.sql is None or shape.span is None:
            return note + f"\n-- …{clause}"
        if shape.limit_span is not None:
            pos = shape.limit_span[0]
            new = rewrite.splice(ctx.sql, [(pos, pos, f"ORDER BY {distance_text} ")])
        else:
            end = shape.span[1]
            new = rewrite.splice(ctx.sql, [(end, end, clause)])
        return note + "\n" + rewrite.display_sql(new)
