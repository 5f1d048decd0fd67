"""hnsw-dead-tuples: many dead tuples on a table with an HNSW index.

Each dead tuple stays in the HNSW graph until VACUUM repairs the neighbours that point at it,
which is slow (no parallel index vacuum, pgvector #450), and scans keep visiting the dead
elements. Fires when n_dead_tup > MIN_DEAD and > DEAD_SHARE of n_live_tup.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.rules import effective_settings, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

MIN_DEAD = 10_000
DEAD_SHARE = 0.10


@register
class HnswDeadTuples(Rule):
    id = "hnsw-dead-tuples"
    severity = Severity.WARNING
    summary = "a table with an HNSW index carries many dead tuples"
    kind = "catalog"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None:
            return
        seen: set[tuple[str, str]] = set()
        for col in inv.columns:
            key = (col.schema, col.table)
            if key in seen:
                continue
            seen.add(key)
            dead, live = col.n_dead_tup, col.n_live_tup
            if dead is None or live is None:
                continue
            if dead <= MIN_DEAD or dead <= DEAD_SHARE * live:
                continue
            hnsw = [i for i in inv.indexes_on(col.schema, col.table) if i.method == "hnsw"]
            if not hnsw:
                continue
            table = wording.ident(col.schema, col.table)
            names = ", ".join(
                f"{i.qualified_name} ({wording.human_bytes(i.size_bytes)})" for i in hnsw
            )
            vacuumed = col.last_autovacuum or col.last_vacuum or "never"
            lines = [
                "-- graph repair is slow and single-threaded per index (pgvector #450);"
                " give it memory:",
                "SET maintenance_work_mem = '1GB';",
                f"VACUUM (VERBOSE) {table};",
            ]
            if dead > live:
                lines.append("-- most rows are dead: rebuilding can be faster than repairing:")
                lines += [
                    f"-- REINDEX INDEX CONCURRENTLY {wording.ident(i.schema, i.name)};"
                    for i in hnsw
                ]
            if not effective_settings.pgvector_at_least(ctx, (0, 8, 3)):
                lines.insert(
                    0, "ALTER EXTENSION vector UPDATE;  -- 0.8.3 fixes HNSW vacuum corruption"
                )
            yield self.finding(
                f"{col.qualified_table} has {wording.num(dead)} dead vs {wording.num(live)} live"
                " tuples; its HNSW graph still holds them",
                f"pg_stat_all_tables: n_dead_tup {wording.num(dead)},"
                f" n_live_tup {wording.num(live)},"
                f" last vacuum {vacuumed}; HNSW: {names}",
                "\n".join(lines),
                object=col.qualified_table,
            )
