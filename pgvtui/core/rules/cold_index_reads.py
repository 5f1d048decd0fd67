"""cold-index-reads: an ANN index scan read a large share of its blocks from outside shared_buffers.

Normal on a first run after a restart or eviction; persistent reads mean the index does not stay
resident (reference §4: every k-NN query touches ~1.1–1.4k pages, the whole index is the working
set). Plan shape: Index Scan with an ANN "Order By", Shared Read Blocks ≥ READ_SHARE of its
blocks and ≥ MIN_READ_BLOCKS. Plan-visible: on a recorded plan without the catalog it runs too,
naming the index as the plan does (no size).
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.plan import Plan
from pgvtui.core.rules import plan_walk, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

READ_SHARE = 0.25
MIN_READ_BLOCKS = 100


@register
class ColdIndexReads(Rule):
    id = "cold-index-reads"
    severity = Severity.INFO
    summary = "the ANN index scan read many blocks from disk/OS cache (index not resident)"
    kind = "query"
    needs = frozenset()

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.inventory is None and ctx.plan is not None:
            yield from self._plan_only(ctx.plan)
            return
        for scan in plan_walk.ann_scans(ctx):
            node = scan.node
            total = node.shared_hit + node.shared_read
            if node.shared_read < MIN_READ_BLOCKS or node.shared_read < READ_SHARE * total:
                continue
            share = node.shared_read / total
            name = wording.ident(scan.index.schema, scan.index.name)
            evidence = (
                f"{node.label()}: Shared Read Blocks {wording.num(node.shared_read)} of"
                f" {wording.num(total)} ({share:.0%}); index size"
                f" {wording.human_bytes(scan.index.size_bytes)}"
            )
            fix = (
                "-- normal on a first run; if it repeats, the index does not stay in"
                " shared_buffers: check residency with `pgvtui residency`\n"
                "CREATE EXTENSION IF NOT EXISTS pg_prewarm;\n"
                f"SELECT pg_prewarm({wording.literal(name)}::regclass);"
            )
            yield self.finding(
                f"{share:.0%} of the blocks the scan using {scan.index.qualified_name} needed"
                " (index and heap) were read from outside shared_buffers",
                evidence,
                fix,
                object=scan.index.qualified_name,
                node_id=node.id,
            )

    def _plan_only(self, plan: Plan) -> Iterator[Finding]:
        for node in plan.ann_scans():
            total = node.shared_hit + node.shared_read
            if node.shared_read < MIN_READ_BLOCKS or node.shared_read < READ_SHARE * total:
                continue
            share = node.shared_read / total
            name = node.index_name or "the index"
            yield self.finding(
                f"{share:.0%} of the blocks the scan using {name} needed (index and heap) were"
                " read from outside shared_buffers",
                f"{node.label()}: Shared Read Blocks {wording.num(node.shared_read)} of"
                f" {wording.num(total)} ({share:.0%})",
                "-- normal on a first run; if it repeats, the index does not stay in"
                " shared_buffers: check residency with `pgvtui residency`, then\n"
                "CREATE EXTENSION IF NOT EXISTS pg_prewarm;\n"
                f"SELECT pg_prewarm({wording.literal(wording.ident(name))}::regclass);",
                object=f"plan: {node.label()}",
                node_id=node.id,
            )
