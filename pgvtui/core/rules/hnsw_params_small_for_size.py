"""hnsw-params-small-for-size: default (or smaller) m / ef_construction on millions of rows.

The defaults m = 16, ef_construction = 64 suit up to ~100k vectors (seed 004); for millions of
rows the guide (seed 000) suggests m 32–64 and ef_construction 128–256 for recall. Info only:
rebuilding costs time and maintenance_work_mem, estimated with the serial build formula of
reference §3.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core import sizing
from pgvtui.core.rules import catalog, effective_settings, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

MIN_ROWS = 1_000_000
SMALL_M = 16
SMALL_EF_CONSTRUCTION = 64
NEW_M = 32
NEW_EF_CONSTRUCTION = 128


@register
class HnswParamsSmallForSize(Rule):
    id = "hnsw-params-small-for-size"
    severity = Severity.INFO
    summary = "HNSW built with default m/ef_construction on millions of rows"
    kind = "catalog"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None:
            return
        mwm = effective_settings.setting_bytes(ctx, "maintenance_work_mem")
        workers = effective_settings.setting_int(ctx, "max_parallel_maintenance_workers") or 0
        for index in inv.indexes:
            if index.method != "hnsw" or not index.valid or index.m is None:
                continue
            if index.predicate is not None:
                continue  # a partial index holds an unknown share of the table's rows
            if index.m > SMALL_M or (index.ef_construction or 0) > SMALL_EF_CONSTRUCTION:
                continue
            rows = catalog.indexed_rows(inv, index)
            if rows is None or rows < MIN_ROWS:
                continue
            name = wording.ident(index.schema, index.name)
            memory = ""
            mem_line = ""
            build = catalog.rebuild_memory(
                index,
                rows,
                mwm,
                parallel_workers=workers,
                m=NEW_M,
                ef_construction=NEW_EF_CONSTRUCTION,
            )
            if build is not None:
                need = sizing.memory_needed(build)
                memory = (
                    f"; an in-memory rebuild at m = {NEW_M} needs ~{wording.human_bytes(need)} of"
                    f" maintenance_work_mem, which is {wording.human_bytes(mwm)}"
                )
                if not build.fits:
                    mem_line = (
                        f"SET maintenance_work_mem = '{sizing.pg_size_literal(need)}';"
                        "  -- the graph must fit, or the build slows down several times\n"
                    )
            defaults = f" (defaults: {', '.join(index.defaults)})" if index.defaults else ""
            yield self.finding(
                f"{index.qualified_name} indexes ~{wording.num(rows)} rows with m = {index.m},"
                f" ef_construction = {index.ef_construction}: recall suffers at this size",
                f"{index.definition}{defaults}; ~{wording.num(rows)} rows;"
                f" {wording.human_bytes(index.size_bytes)}{memory}",
                f"ALTER INDEX {name} SET (m = {NEW_M}, ef_construction = {NEW_EF_CONSTRUCTION});\n"
                f"{mem_line}"
                f"REINDEX INDEX CONCURRENTLY {name};  -- builds a copy: needs the disk space twice",
                object=index.qualified_name,
                rebuilds=(index.qualified_name,),
                sets=(("maintenance_work_mem", f"'{sizing.pg_size_literal(need)}'"),)
                if mem_line
                else (),
            )
