"""ivfflat-short-result: an IVFFlat index scan with no filter returned fewer rows than the LIMIT
— the ``ivfflat.probes`` lists searched hold fewer rows than asked for.

Plan shape (ANALYZE): ``Limit`` (Plan Rows k) above an IVFFlat ``Index Scan`` ordered by a
distance, no Filter, Actual Rows < k. The scan returns only the rows of the probed lists (about
rows / lists each); with ``ivfflat.iterative_scan = off`` nothing searches further. Needs the
catalog to know the index is IVFFlat and its lists. (With a filter, ``filter-underflow`` speaks.)
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from pgvtui.core.rules import catalog, effective_settings, plan_walk, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


@register
class IvfflatShortResult(Rule):
    id = "ivfflat-short-result"
    severity = Severity.WARNING
    summary = "an IVFFlat scan without a filter returned fewer rows than LIMIT: probes too low"
    kind = "query"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None:
            return
        for scan, limit_n, got in plan_walk.short_ann_scans(ctx):
            node, index = scan.node, scan.index
            if index.method != "ivfflat" or node.filter:
                continue
            if effective_settings.iterative_mode(ctx, "ivfflat") != "off":
                continue
            probes = effective_settings.setting_int(ctx, "ivfflat.probes") or 1
            lists = index.lists or 0
            rows = catalog.indexed_rows(inv, index)
            per_list = rows / lists if rows and lists else None
            need = math.ceil(limit_n / per_list) * 2 if per_list else probes * 4
            new = min(lists or need, max(need, probes * 2))
            about = f" (about {wording.num(per_list)} rows each)" if per_list else ""
            yield self.finding(
                f"{node.label()} returned {wording.num(got)} rows for LIMIT {limit_n}: the"
                f" {probes} of {lists or '?'} lists probed{about} hold fewer rows than asked for",
                f"{node.label()}: Actual Rows {wording.num(got)} < Limit Plan Rows"
                f" {wording.num(limit_n)}, no Filter; ivfflat.probes = {probes},"
                f" {index.qualified_name} lists = {lists or '?'}",
                f"SET ivfflat.probes = {new};\n"
                "-- or keep probing until LIMIT rows are found (pgvector 0.8+):\n"
                "SET ivfflat.iterative_scan = relaxed_order;  -- bounded by ivfflat.max_probes",
                object=index.qualified_name,
                node_id=node.id,
            )
