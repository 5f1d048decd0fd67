"""old-pgvector: the installed pgvector is older than the server offers, or than notable fixes.

pgvector CHANGELOG (reference §6): 0.8.0 iterative index scans and better filtered cost estimates;
0.8.3 HNSW vacuum corruption fix; 0.8.4 IVFFlat memory overrun fix. Warning when below 0.8.0, or
below 0.8.3 with an HNSW index / below 0.8.4 with an IVFFlat index; info when only a newer
version is available.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.rules import pgvector_facts
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register
from pgvtui.core.session import version_text

ITERATIVE = (0, 8, 0)
HNSW_VACUUM_FIX = (0, 8, 3)
IVFFLAT_MEMORY_FIX = (0, 8, 4)


@register
class OldPgvector(Rule):
    id = "old-pgvector"
    severity = Severity.WARNING
    summary = "pgvector is older than available or misses notable fixes"
    kind = "catalog"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None or not inv.server.pgvector_version:
            return
        installed = pgvector_facts.version_tuple(inv.server.pgvector_version)
        available = pgvector_facts.version_tuple(inv.server.pgvector_available)
        if not installed:
            return
        methods = {i.method for i in inv.indexes}
        reasons: list[str] = []
        if installed < ITERATIVE:
            reasons.append(
                f"< {version_text(ITERATIVE)}: no iterative index scans (filtered queries"
                " return too few rows), older filtered cost estimates"
            )
        if installed < HNSW_VACUUM_FIX and "hnsw" in methods:
            reasons.append(
                f"< {version_text(HNSW_VACUUM_FIX)} with HNSW indexes: HNSW vacuum corruption fix"
            )
        if installed < IVFFLAT_MEMORY_FIX and "ivfflat" in methods:
            reasons.append(
                f"< {version_text(IVFFLAT_MEMORY_FIX)} with IVFFlat indexes: "
                "IVFFlat memory overrun fix"
            )
        newer = bool(available) and available > installed
        if not reasons and not newer:
            return
        severity = Severity.WARNING if reasons else Severity.INFO
        offered = inv.server.pgvector_available or "unknown"
        if newer:
            fix = "ALTER EXTENSION vector UPDATE;"
            if reasons and available < max(ITERATIVE, HNSW_VACUUM_FIX, IVFFLAT_MEMORY_FIX):
                fix += "\n-- the server only offers " + offered + ": install a newer pgvector too"
            fix_is_sql = True
        else:
            fix = (
                f"Install a newer pgvector package on the server (it offers {offered}), then run"
                " ALTER EXTENSION vector UPDATE; in each database."
            )
            fix_is_sql = False
        message = f"pgvector {inv.server.pgvector_version} is installed"
        message += f"; the server offers {offered}" if newer else ""
        if reasons:
            message += " (" + "; ".join(r.split(":")[0] for r in reasons) + ")"
        yield self.finding(
            message,
            f"pg_extension.extversion = {inv.server.pgvector_version},"
            f" pg_available_extensions.default_version = {offered}"
            + ("; " + "; ".join(reasons) if reasons else ""),
            fix,
            object=f"extension vector {inv.server.pgvector_version}",
            severity=severity,
            fix_is_sql=fix_is_sql,
        )
