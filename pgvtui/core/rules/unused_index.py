"""unused-index: a valid ANN index with pg_stat_all_indexes.idx_scan = 0.

Counted since the database's statistics were last reset (pg_stat_database.stats_reset), so a
recent reset or a new replica makes "unused" weak evidence: the message says since when.
Warning from LARGE_BYTES up, info below.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core import workload
from pgvtui.core.models import IndexInfo
from pgvtui.core.rules import wording
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
            name = wording.ident(index.schema, index.name)
            meant = [
                e
                for e in ctx.extras.get(workload.EXTRAS_KEY, ())
                if workload.searches_index(
                    e, index.schema, index.table, index.key_column, index.operator
                )
            ]
            if meant:
                yield self._meant_for(index, meant, since_text)
                continue
            note = ""
            if inv.server.in_recovery:
                note = "; this is a standby: its counters only cover queries run here"
            yield self.finding(
                f"{index.qualified_name} ({wording.human_bytes(index.size_bytes)})"
                " has not been used"
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

    def _meant_for(
        self, index: IndexInfo, meant: list[workload.WorkloadEntry], since_text: str
    ) -> Finding:
        calls = sum(e.calls for e in meant)
        col = wording.name(index.key_column or "?")
        return self.finding(
            f"{index.qualified_name} has not been used {since_text}, yet {len(meant)}"
            f" statement(s) in pg_stat_statements ({wording.num(calls)} calls) order by {col}"
            f" {index.operator} … — the index they are meant to use: the planner does not"
            " choose it; do not drop it, find out why (index-not-chosen)",
            f"pg_stat_all_indexes.idx_scan = 0 for {index.qualified_name} ({index.opclass});"
            f" queryid {meant[0].queryid}: {meant[0].query}",
            "Diagnose the statement with its text from pg_stat_statements — pgvtui check --sql"
            " '<text>' (its generic plan; --sample for values) — or pgvtui workload --diagnose;"
            " index-not-chosen shows the plan with the index and what stops the planner.",
            object=index.qualified_name,
            fix_is_sql=False,
            keeps=(index.qualified_name,),
            severity=Severity.WARNING,
        )
