"""unused-index: a valid ANN index with pg_stat_all_indexes.idx_scan = 0.

Counted since the database's statistics were last reset (pg_stat_database.stats_reset), so a
recent reset or a new replica makes "unused" weak evidence: the message says since when.
Warning from LARGE_BYTES up, info below.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.rules import util
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

LARGE_BYTES = 1024**3


@register
class UnusedIndex(Rule):
    id = "unused-index"
    severity = Severity.INFO
    summary = "an ANN index has never been scanned since statistics were reset"
    kind = "catalog"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None:
            return
        since = inv.server.stats_reset
        since_text = (
            f"since {since} (stats_reset)" if since else "since statistics began (never reset)"
        )
        for index in inv.indexes:
            if not index.valid or index.building or index.idx_scan is None or index.idx_scan > 0:
                continue
            name = util.ident(index.schema, index.name)
            note = ""
            if inv.server.in_recovery:
                note = "; this is a standby: its counters only cover queries run here"
            yield self.finding(
                f"{index.qualified_name} ({util.human_bytes(index.size_bytes)}) has not been used"
                f" {since_text}",
                f"pg_stat_all_indexes.idx_scan = 0 for {index.qualified_name}"
                f" ({index.method}, {index.opclass}); stats_reset = {since or 'null'}"
                f"{note}",
                f"-- if no query needs it (check replicas and rare jobs first):\n"
                f"DROP INDEX CONCURRENTLY {name};",
                object=index.qualified_name,
                drops=(index.qualified_name,),
                severity=Severity.WARNING if index.size_bytes >= LARGE_BYTES else None,
            )
