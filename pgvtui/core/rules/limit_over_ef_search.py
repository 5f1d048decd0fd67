"""limit-over-ef-search: LIMIT (+ OFFSET) asks for more rows than one HNSW scan can return.

Without iterative scan an HNSW index scan yields at most ``hnsw.ef_search`` rows. Plan shape:
Limit (Plan Rows = LIMIT) → Index Scan on an HNSW index, Actual Rows capped at ef_search; an
OFFSET shows as the Limit returning fewer rows than the index scan produced.

On a recorded plan without the catalog (index method and settings unknown) the plan-visible
half runs: an ANN index scan with no Filter under a Limit that got fewer rows than it asked
for, the scan having stopped short; the message names both caps (hnsw.ef_search, or the rows
of the ivfflat.probes lists).
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.plan import Plan
from pgvtui.core.rules import util
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


@register
class LimitOverEfSearch(Rule):
    id = "limit-over-ef-search"
    severity = Severity.ERROR
    summary = "LIMIT (+OFFSET) exceeds hnsw.ef_search with iterative scan off: results are cut"
    kind = "query"
    needs = frozenset()

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.inventory is None and ctx.plan is not None:
            yield from self._plan_only(ctx.plan)
            return
        for scan in util.ann_scans(ctx):
            if scan.index.method != "hnsw" or scan.limit is None:
                continue
            if util.iterative_mode(ctx, "hnsw") != "off":
                continue
            ef = util.setting_int(ctx, "hnsw.ef_search")
            limit_n = scan.limit.plan_rows
            if ef is None or limit_n is None:
                continue
            node, lim = scan.node, scan.limit
            removed = node.rows_removed_by_filter or 0
            # The plan does not show OFFSET; take it from the parsed query when that query's
            # LIMIT is this Limit node's, else infer it from the rows the Limit skipped.
            offset = (
                util.query_int(ctx, "offset") if util.query_int(ctx, "limit") == limit_n else None
            )
            offset_note = f" OFFSET {offset}" if offset else ""
            if offset is None:
                offset = 0
                if node.actual_rows is not None and lim.actual_rows is not None:
                    produced = node.actual_rows
                    if produced + removed >= ef and lim.actual_rows < min(limit_n, produced):
                        offset = round(produced - lim.actual_rows)
                        offset_note = f" OFFSET ≥ {offset}"
            wanted = limit_n + offset
            if wanted <= ef:
                continue
            if lim.actual_rows is not None and lim.actual_rows >= limit_n:
                continue
            limit_rows = (
                f", Actual Rows {util.num(lim.actual_rows)}" if lim.actual_rows is not None else ""
            )
            got = (
                f"Actual Rows {util.num(node.actual_rows)}"
                if node.actual_rows is not None
                else "not executed (no ANALYZE)"
            )
            evidence = (
                f"{node.label()}: {got}"
                f"{f', Rows Removed by Filter {util.num(removed)}' if removed else ''};"
                f" Limit: Plan Rows {util.num(lim.plan_rows)}"
                f"{limit_rows};"
                f" hnsw.ef_search = {ef}, hnsw.iterative_scan = off"
            )
            returned = (
                f"; it returned {util.num(lim.actual_rows)}" if lim.actual_rows is not None else ""
            )
            yield self.finding(
                f"LIMIT {limit_n}{offset_note} needs {wanted} rows but an HNSW scan with"
                f" ef_search = {ef} returns at most {ef}{returned}",
                evidence,
                _fix(ctx, wanted),
                object=f"plan: {node.label()}",
                node_id=node.id,
            )

    def _plan_only(self, plan: Plan) -> Iterator[Finding]:
        for node in plan.ann_scans():
            lim = util.limit_above(plan, node)
            if lim is None or lim.plan_rows is None or node.filter:
                continue
            got, returned = node.actual_rows, lim.actual_rows
            if got is None or returned is None or returned >= lim.plan_rows:
                continue
            if got >= lim.plan_rows:
                continue  # the scan had the rows: an OFFSET, not a cap
            yield self.finding(
                f"{node.label()} stopped after {util.num(got)} rows, fewer than LIMIT"
                f" {lim.plan_rows}: the results are cut (an HNSW scan returns at most"
                " hnsw.ef_search rows, 40 by default; an IVFFlat scan the rows of its"
                " ivfflat.probes lists)",
                f"Limit Plan Rows {util.num(lim.plan_rows)}, Actual Rows {util.num(returned)};"
                f" {node.label()} Actual Rows {util.num(got)}, no Filter",
                f"SET hnsw.ef_search = {max(lim.plan_rows, 40)};  -- an HNSW index (≤ 1000)\n"
                "-- or keep scanning until LIMIT rows are found (pgvector 0.8+):\n"
                "SET hnsw.iterative_scan = relaxed_order;  -- an IVFFlat index:"
                " ivfflat.iterative_scan / more ivfflat.probes",
                object=f"plan: {node.label()}",
                node_id=node.id,
            )


def _fix(ctx: RuleContext, wanted: int) -> str:
    iterative = util.pgvector_at_least(ctx, (0, 8, 0))
    lines: list[str] = []
    if wanted <= util.HNSW_EF_SEARCH_MAX:
        lines.append(f"SET hnsw.ef_search = {max(wanted, 1)};")
        if iterative:
            lines.append("-- or keep ef_search and let the scan continue past it:")
            lines.append("-- SET hnsw.iterative_scan = relaxed_order;")
    elif iterative:
        lines.append(
            f"-- ef_search cannot exceed {util.HNSW_EF_SEARCH_MAX}; {wanted} rows need"
            " iterative scan:"
        )
        lines.append("SET hnsw.iterative_scan = relaxed_order;")
    else:
        lines.append(f"SET hnsw.ef_search = {util.HNSW_EF_SEARCH_MAX};")
        lines.append("-- more rows need iterative scan: ALTER EXTENSION vector UPDATE; (0.8.0+)")
    return "\n".join(lines)
