"""iterative-scan-exhausted: an iterative ANN scan stopped at its budget with rows missing.

HNSW stops after ``hnsw.max_scan_tuples`` visited tuples, IVFFlat after ``ivfflat.max_probes``
lists. Plan shape: Limit → Index Scan with Filter, Actual Rows < Limit Plan Rows, iterative scan
on, and (HNSW) Rows Removed by Filter + Actual Rows ≈ max_scan_tuples (≥ 90 %), with many buffers;
(IVFFlat) max_probes below the index's lists.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.rules import effective_settings, plan_walk, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

BUDGET_SHARE = 0.9


@register
class IterativeScanExhausted(Rule):
    id = "iterative-scan-exhausted"
    severity = Severity.WARNING
    summary = "iterative ANN scan hit its tuple/probe budget before finding LIMIT rows"
    kind = "query"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for scan, limit_n, got in plan_walk.short_ann_scans(ctx):
            node, index = scan.node, scan.index
            mode = effective_settings.iterative_mode(ctx, index.method)
            if mode == "off":
                continue
            removed = node.rows_removed_by_filter or 0
            seen = got + removed
            if index.method == "hnsw":
                budget = effective_settings.setting_int(ctx, "hnsw.max_scan_tuples")
                if budget is None or seen < BUDGET_SHARE * budget:
                    continue
                limit_text = f"hnsw.max_scan_tuples = {wording.num(budget)}"
                fix = (
                    f"SET hnsw.max_scan_tuples = {budget * 5};\n"
                    "-- or, for a selective filter: a partial index on the filtered subset, or a"
                    " btree index on the filter column so the planner filters first (exact)"
                )
            else:
                budget = effective_settings.setting_int(ctx, "ivfflat.max_probes")
                lists = index.lists
                if budget is None or lists is None or budget >= lists or removed <= 0:
                    continue
                limit_text = f"ivfflat.max_probes = {budget} of lists = {lists}"
                fix = (
                    f"SET ivfflat.max_probes = {min(lists, budget * 4)};\n"
                    "-- or a partial index on the filtered subset / a btree on the filter column"
                )
            evidence = (
                f"{node.label()}: Actual Rows {wording.num(got)} < Limit Plan Rows"
                f" {wording.num(limit_n)}, Rows Removed by Filter {wording.num(removed)},"
                f" {wording.scan_io(node)}; {index.method}.iterative_scan = {mode}, {limit_text}"
            )
            yield self.finding(
                f"the iterative scan stopped at its budget ({limit_text}) after"
                f" {wording.num(seen)} candidates and returned {wording.num(got)} of"
                f" {limit_n} rows",
                evidence,
                fix,
                object=f"plan: {node.label()}",
                node_id=node.id,
            )
