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
from pgvtui.core.rules import effective_settings, pgvector_facts, plan_walk, rewrite, wording
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
        for scan in plan_walk.ann_scans(ctx):
            if scan.index.method != "hnsw" or scan.limit is None:
                continue
            if effective_settings.iterative_mode(ctx, "hnsw") != "off":
                continue
            ef = effective_settings.setting_int(ctx, "hnsw.ef_search")
            limit_n = scan.limit.plan_rows
            if ef is None or limit_n is None:
                continue
            if ctx.extras.get("generic_plan") and rewrite.query_int(ctx, "limit") is None:
                continue  # LIMIT $n in a generic plan: Plan Rows is the planner's guess
            node, lim = scan.node, scan.limit
            removed = node.rows_removed_by_filter or 0
            # The plan does not show OFFSET; take it from the parsed query when that query's
            # LIMIT is this Limit node's, else infer it from the rows the Limit skipped.
            offset = (
                rewrite.query_int(ctx, "offset")
                if rewrite.query_int(ctx, "limit") == limit_n
                else None
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
                f", Actual Rows {wording.num(lim.actual_rows)}"
                if lim.actual_rows is not None
                else ""
            )
            got = (
                f"Actual Rows {wording.num(node.actual_rows)}"
                if node.actual_rows is not None
                else "not executed (no ANALYZE)"
            )
            evidence = (
                f"{node.label()}: {got}"
                f"{f', Rows Removed by Filter {wording.num(removed)}' if removed else ''};"
                f" Limit: Plan Rows {wording.num(lim.plan_rows)}"
                f"{limit_rows};"
                f" hnsw.ef_search = {ef}, hnsw.iterative_scan = off"
            )
            returned = (
                f"; it returned {wording.num(lim.actual_rows)}"
                if lim.actual_rows is not None
                else ""
            )
            fix, sets = _fix(ctx, wanted)
            yield self.finding(
                f"LIMIT {limit_n}{offset_note} needs {wanted} rows but an HNSW scan with"
                f" ef_search = {ef} returns at most {ef}{returned}",
                evidence,
                fix,
                object=f"plan: {node.label()}",
                node_id=node.id,
                sets=sets,
            )

    def _plan_only(self, plan: Plan) -> Iterator[Finding]:
        for node in plan.ann_scans():
            lim = plan_walk.limit_above(plan, node)
            if lim is None or lim.plan_rows is None or node.filter:
                continue
            got, returned = node.actual_rows, lim.actual_rows
            if got is None or returned is None or returned >= lim.plan_rows:
                continue
            if got >= lim.plan_rows:
                continue  # the scan had the rows: an OFFSET, not a cap
            yield self.finding(
                f"{node.label()} stopped after {wording.num(got)} rows, fewer than LIMIT"
                f" {lim.plan_rows}: the results are cut (an HNSW scan returns at most"
                " hnsw.ef_search rows, 40 by default; an IVFFlat scan the rows of its"
                " ivfflat.probes lists)",
                f"Limit Plan Rows {wording.num(lim.plan_rows)},"
                f" Actual Rows {wording.num(returned)};"
                f" {node.label()} Actual Rows {wording.num(got)}, no Filter",
                f"SET hnsw.ef_search = {max(lim.plan_rows, 40)};  -- an HNSW index (≤ 1000)\n"
                "-- or keep scanning until LIMIT rows are found (pgvector 0.8+):\n"
                "SET hnsw.iterative_scan = relaxed_order;  -- an IVFFlat index:"
                " ivfflat.iterative_scan / more ivfflat.probes",
                object=f"plan: {node.label()}",
                node_id=node.id,
            )


def _fix(ctx: RuleContext, wanted: int) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The fix text and the settings it sets (for reconciliation)."""
    iterative = effective_settings.pgvector_at_least(ctx, (0, 8, 0))
    lines: list[str] = []
    sets: tuple[tuple[str, str], ...]
    if wanted <= pgvector_facts.HNSW_EF_SEARCH_MAX:
        sets = (("hnsw.ef_search", str(max(wanted, 1))),)
        lines.append(f"SET hnsw.ef_search = {max(wanted, 1)};")
        if iterative:
            lines.append("-- or keep ef_search and let the scan continue past it:")
            lines.append("-- SET hnsw.iterative_scan = relaxed_order;")
    elif iterative:
        lines.append(
            f"-- ef_search cannot exceed {pgvector_facts.HNSW_EF_SEARCH_MAX}; {wanted} rows need"
            " iterative scan:"
        )
        lines.append("SET hnsw.iterative_scan = relaxed_order;")
        sets = (("hnsw.iterative_scan", "relaxed_order"),)
    else:
        lines.append(f"SET hnsw.ef_search = {pgvector_facts.HNSW_EF_SEARCH_MAX};")
        lines.append("-- more rows need iterative scan: ALTER EXTENSION vector UPDATE; (0.8.0+)")
        sets = (("hnsw.ef_search", str(pgvector_facts.HNSW_EF_SEARCH_MAX)),)
    return "\n".join(lines), sets
