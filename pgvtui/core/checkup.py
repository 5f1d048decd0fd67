"""The catalog check-up: inventory + measured residency + every catalog rule, in one place.

Used by ``pgvtui check`` (no query) and the TUI's Overview, so both show the same findings.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from pgvtui.core import residency as res
from pgvtui.core.catalog import inventory as load_inventory
from pgvtui.core.models import Inventory
from pgvtui.core.rules.base import Finding, RuleContext, run_rules
from pgvtui.core.session import Session
from pgvtui.errors import PgvtuiError


@dataclass(frozen=True)
class CatalogCheck:
    inventory: Inventory
    residency: res.ResidencyReport | None
    residency_error: str | None  # why residency could not be measured (one line), if so
    findings: tuple[Finding, ...]


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
    # In a thread: on a big catalog the rules are seconds of CPU, and the TUI's event loop
    # (this coroutine runs on it) must keep answering keys meanwhile.
    findings = await asyncio.to_thread(lambda: tuple(run_rules(ctx, kinds=("catalog",))))
    return CatalogCheck(inv, report, error, findings)
