"""ivfflat-low-probes: ivfflat.probes below half of sqrt(lists) for an IVFFlat index.

pgvector README: "a good place to start is sqrt(lists)". With probes = 1 and lists = 100 a query
searches 1 % of the index (and a filter leaves even fewer rows). Fires when
probes < sqrt(lists) / 2 — i.e. always for probes = 1 with lists ≥ 5, and e.g. lists = 100 needs
probes ≥ 5.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from pgvtui.core.reconcile import settings_fix
from pgvtui.core.rules import effective_settings, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


@register
class IvfflatLowProbes(Rule):
    id = "ivfflat-low-probes"
    severity = Severity.WARNING
    summary = "ivfflat.probes is far below sqrt(lists): low recall"
    kind = "catalog"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None:
            return
        probes = effective_settings.setting_int(ctx, "ivfflat.probes")
        if probes is None:
            return
        db = wording.ident(inv.server.database)
        for index in inv.indexes:
            if index.method != "ivfflat" or not index.lists or not index.valid:
                continue
            target = math.sqrt(index.lists)
            if probes >= target / 2:
                continue
            suggested = min(index.lists, math.ceil(target))
            sets = (("ivfflat.probes", str(suggested)),)
            yield self.finding(
                f"ivfflat.probes = {probes} searches {probes} of {index.lists} lists"
                f" ({probes / index.lists:.0%}) of {index.qualified_name}",
                f"ivfflat.probes = {probes}; {index.qualified_name} lists = {index.lists},"
                f" sqrt(lists) = {target:.1f}",
                settings_fix(sets, db),
                object=index.qualified_name,
                sets=sets,
            )
