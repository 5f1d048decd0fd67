"""The catalog check-up: inventory + measured residency + every catalog rule, in one place.

Used by ``pgvtui check`` (no query) and the TUI's Overview, so both show the same findings —
and the same :class:`~pgvtui.core.coverage.Coverage`: what the role could not see, and why.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from pgvtui.core import residency as res
from pgvtui.core import untyped_dims, workload
from pgvtui.core.catalog import inventory as load_inventory
from pgvtui.core.coverage import Coverage, CoverageEntry
from pgvtui.core.models import Inventory
from pgvtui.core.rules.base import Finding, RuleContext, run_rules
from pgvtui.core.session import Session
from pgvtui.core.visibility import coverage_of
from pgvtui.errors import PgvtuiError

WORKLOAD_ENTRIES = 500  # pg_stat_statements entries read for unused-index


@dataclass(frozen=True)
class CatalogCheck:
    inventory: Inventory
    residency: res.ResidencyReport | None
    residency_error: str | None  # why residency could not be measured (one line), if so
    findings: tuple[Finding, ...]
    coverage: Coverage = field(default_factory=Coverage)  # what the role could not see


async def check_catalog(session: Session, inv: Inventory | None = None) -> CatalogCheck:
    """Inventory, residency (degrading to None with a reason) and the catalog rules' findings.

    Residency feeds ``index-exceeds-memory`` (RAM) and ``index-mostly-cold`` (pg_buffercache);
    when it cannot be measured those rules fall back to what the inventory shows."""
    inv = inv or await load_inventory(session)
    report: res.ResidencyReport | None = None
    error: str | None = None
    try:
        report = await res.collect(session, inv=inv)
    except PgvtuiError as exc:
        if session.broken:
            raise
        error = exc.one_line()
    ctx = RuleContext(inventory=inv, settings=dict(inv.settings))
    if report is not None:
        ctx.extras[res.EXTRAS_KEY] = report
    if any(i.idx_scan == 0 for i in inv.indexes):  # unused-index: what the workload searches
        try:
            w = await workload.collect(session, top=WORKLOAD_ENTRIES)
        except PgvtuiError:
            if session.broken:
                raise
        else:
            ctx.extras[workload.EXTRAS_KEY] = w.entries
    if any(c.dims is None for c in inv.columns):  # untyped-vector-column's fix: real dims
        ctx.extras[untyped_dims.EXTRAS_KEY] = await untyped_dims.sample_dims(session, inv)
    coverage = await coverage_of(session, inv)
    if report is not None:
        coverage = coverage.merged(
            Coverage(tuple(e for e in report.coverage.entries if e.area != "settings"))
        )
    elif error is not None:
        coverage = coverage.with_entries(
            [
                CoverageEntry(
                    "residency",
                    f"not measured: {error}",
                    kind="error",
                    objects=tuple(i.qualified_name for i in inv.indexes),
                    affects=("index-exceeds-memory (RAM)", "index-mostly-cold"),
                )
            ]
        )
    # In a thread: on a big catalog the rules are seconds of CPU, and the TUI's event loop
    # (this coroutine runs on it) must keep answering keys meanwhile.
    findings = await asyncio.to_thread(lambda: tuple(run_rules(ctx, kinds=("catalog",))))
    return CatalogCheck(inv, report, error, findings, coverage)
