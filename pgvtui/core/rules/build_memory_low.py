"""build-memory-low: maintenance_work_mem is below what rebuilding an ANN index needs.

HNSW: the graph for the table's rows (reltuples, less NULLs) does not fit maintenance_work_mem
(parallel builds: maintenance_work_mem − 3 MB), so CREATE INDEX / REINDEX would switch to
inserting on disk part-way ("hnsw graph no longer fits into maintenance_work_mem after N tuples"),
several times slower. IVFFlat: k-means memory for ``lists`` exceeds maintenance_work_mem, so the
rebuild would fail with "memory required is … MB". Model: pgvtui/core/sizing.py (facts §3).

A parallel build is assumed when max_parallel_maintenance_workers > 0 and the heap is at least
min_parallel_table_scan_size (8 MB) — PostgreSQL plans no workers for smaller tables
(``sizing.maintenance_workers``, shared with the TUI's what-if panel).
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core import sizing
from pgvtui.core.residency import model_spec
from pgvtui.core.rules import effective_settings
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


def _mb(n: int | float) -> str:
    return f"{n / 1024**3:.1f} GB" if n >= 1024**3 else f"{n / 1024**2:.0f} MB"


@register
class BuildMemoryLow(Rule):
    id = "build-memory-low"
    severity = Severity.WARNING
    summary = "maintenance_work_mem too small to rebuild an ANN index in memory"
    kind = "catalog"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None:
            return
        mwm = effective_settings.setting_bytes(ctx, "maintenance_work_mem")
        if not mwm:
            return
        workers = effective_settings.setting_int(ctx, "max_parallel_maintenance_workers") or 0
        for idx in inv.indexes:
            spec, _note = model_spec(inv, idx)
            if spec is None or spec.rows <= 0:
                continue
            planned = sizing.maintenance_workers(workers, inv.heap_bytes(idx))
            build = sizing.build_memory(spec, mwm, parallel_workers=planned)
            if build.fits:
                continue
            need = sizing.pg_size_literal(sizing.memory_needed(build))
            target = f"REINDEX INDEX CONCURRENTLY {idx.qualified_name}"
            fix = (
                f"SET maintenance_work_mem = '{need}';  -- in the session that runs "
                f"{target} / CREATE INDEX; make sure the host has that much free memory"
            )
            if build.method == "hnsw":
                mode = f"parallel ({planned} workers, mwm − 3 MB)" if build.parallel else "serial"
                yield self.finding(
                    f"rebuilding {idx.qualified_name} would spill: its HNSW graph for "
                    f"{spec.rows:,} rows needs ~{_mb(build.required_bytes)}, maintenance_work_mem "
                    f"is {_mb(mwm)} (fits {build.spill_after_rows:,} rows)",
                    f"{spec.rows:,} rows × {build.bytes_per_element:,.0f} B per element "
                    f"({spec.type}({spec.dims}), m={spec.m}, {mode}) = "
                    f"{build.required_bytes:,} B > {build.available_bytes:,} B usable",
                    fix,
                    object=idx.qualified_name,
                    sets=(("maintenance_work_mem", f"'{need}'"),),
                )
            else:
                yield self.finding(
                    f"rebuilding {idx.qualified_name} would fail: IVFFlat k-means for "
                    f"lists={spec.lists} needs ~{_mb(build.required_bytes)}, maintenance_work_mem "
                    f"is {_mb(mwm)} (at most {build.max_lists:,} lists fit)",
                    f"{build.kmeans_samples:,} sample rows × {spec.lists} lists; "
                    f"{build.consequence}",
                    fix,
                    object=idx.qualified_name,
                    sets=(("maintenance_work_mem", f"'{need}'"),),
                )
