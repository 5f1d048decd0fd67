"""index-mostly-cold: an ANN index that is used (idx_scan > 0) has little of itself in
shared_buffers right now, so its next queries read most graph pages from outside.

Needs measured residency: ``ctx.extras["residency"]`` must hold a
:class:`~pgvtui.core.residency.ResidencyReport` built with pg_buffercache readable (``pgvtui
residency`` builds one; ``pgvtui.core.residency.collect(session)`` in code). Without it, or for
an index whose residency was not measured, the rule stays silent.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.residency import COLD_PCT, EXTRAS_KEY, ResidencyReport
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


@register
class IndexMostlyCold(Rule):
    id = "index-mostly-cold"
    severity = Severity.WARNING
    summary = f"a used ANN index is less than {COLD_PCT:.0f} % resident in shared_buffers"
    kind = "catalog"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        rep = ctx.extras.get(EXTRAS_KEY)
        if not isinstance(rep, ResidencyReport) or not rep.buffercache.available:
            return
        for i in rep.indexes:
            if i.resident_pct is None or i.resident_pages is None:
                continue
            if not i.idx_scan or i.resident_pct >= COLD_PCT:
                continue
            pages = max(1, i.size_bytes // rep.memory.block_size)
            usage = ", ".join(f"{k}: {v}" for k, v in (i.usage_counts or {}).items() if v)
            if i.fits_shared_buffers:
                fix = i.prewarm_sql
                severity = None
                tail = "prewarm it (and consider autoprewarm so restarts keep it warm)"
            else:
                fix = (
                    f"{i.prewarm_sql}  -- loads only what shared_buffers can hold: the index "
                    "is larger than shared_buffers (see index-exceeds-memory)"
                )
                severity = Severity.INFO
                tail = "it cannot be fully cached: it is larger than shared_buffers"
            yield self.finding(
                f"{i.qualified_name} is used ({i.idx_scan:,} scans) but only "
                f"{i.resident_pct:.0f} % of it is in shared_buffers; {tail}",
                f"pg_buffercache: {i.resident_pages:,} of {pages:,} pages cached"
                + (f" (usage counts {usage})" if usage else "")
                + f"; idx_scan {i.idx_scan:,}",
                fix,
                object=i.qualified_name,
                severity=severity,
            )
