"""ivfflat-untrained: an IVFFlat index whose lists were trained on little or no data.

IVFFlat picks its list centres with k-means over the rows present at CREATE INDEX. A migration
that creates the index on an empty table (Django's ``IvfflatIndex``, an Alembic revision) gets
centres trained on nothing — pgvector only notices "ivfflat index created with little data" —
and every row inserted later lands in the few lists whose centres happen to be nearest: the lists
are badly unbalanced, and one probe reads a large part of the index instead of ~probes/lists of
it. More probes do not help; REINDEX trains the lists on the rows there now.

Plan shape: an IVFFlat Index Scan (EXPLAIN ANALYZE, BUFFERS) whose shared blocks (hit + read)
are a large share of the index's pages — at least 5 % and more than 5× the probes/lists share
balanced lists would read. Measured on a Django-built table (20,000 rows, lists = 100, probes
= 1): 14 % of the index before REINDEX, 3 % after.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.rules import effective_settings, plan_walk, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

PAGE = 8192
MIN_INDEX_PAGES = 64  # below ~512 kB an index scan reads a few pages whatever the lists
MIN_SHARE = 0.05
MIN_RATIO = 5.0


@register
class IvfflatUntrained(Rule):
    id = "ivfflat-untrained"
    severity = Severity.WARNING
    summary = "IVFFlat lists trained on little or no data: one probe reads much of the index"
    kind = "query"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for scan in plan_walk.ann_scans(ctx):
            index = scan.index
            if index.method != "ivfflat" or not index.lists or not index.valid:
                continue
            pages = index.size_bytes / PAGE
            node = scan.node
            blocks = node.shared_hit + node.shared_read
            if pages < MIN_INDEX_PAGES or not blocks:
                continue
            probes = effective_settings.setting_int(ctx, "ivfflat.probes") or 1
            expected = min(1.0, probes / index.lists)
            share = min(1.0, blocks / pages)
            if share < MIN_SHARE or share < MIN_RATIO * expected:
                continue
            yield self.finding(
                f"{index.qualified_name}: one scan at ivfflat.probes = {probes} read {share:.0%}"
                f" of the index, where {index.lists} balanced lists would read ~{expected:.0%}:"
                " its lists were trained on little or no data (created on an empty or small"
                " table?) — more probes will not fix that, REINDEX will",
                f"{node.label()}: {wording.num(blocks)} shared blocks"
                f" (hit {wording.num(node.shared_hit)}, read {wording.num(node.shared_read)})"
                f" of {wording.num(int(pages))} index pages;"
                f" lists = {index.lists}, ivfflat.probes = {probes}",
                f"REINDEX INDEX CONCURRENTLY {wording.ident(index.schema, index.name)};\n"
                "-- k-means over the rows there now; then measure recall (pgvtui recall) before"
                " raising ivfflat.probes",
                object=index.qualified_name,
                node_id=node.id,
                rebuilds=(index.qualified_name,),
            )
