"""invalid-index: an ANN index with pg_index.indisvalid = false that is not being built.

Left behind by a failed or cancelled CREATE INDEX CONCURRENTLY / REINDEX CONCURRENTLY. The planner
never uses it; while indisready is true every write still maintains it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pgvtui.core.rules import wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

_LEFTOVER = re.compile(r"_cc(new|old)\d*$")


@register
class InvalidIndex(Rule):
    id = "invalid-index"
    severity = Severity.WARNING
    summary = "an ANN index is invalid (a failed concurrent build): unused, maybe still maintained"
    kind = "catalog"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.inventory is None:
            return
        for index in ctx.inventory.indexes:
            if index.valid or index.building:
                continue
            name = wording.ident(index.schema, index.name)
            leftover = bool(_LEFTOVER.search(index.name))
            if leftover:
                fix = (
                    f"DROP INDEX CONCURRENTLY {name};\n"
                    "-- a leftover of a failed REINDEX CONCURRENTLY: the original index is intact"
                )
            else:
                fix = (
                    f"REINDEX INDEX CONCURRENTLY {name};\n"
                    f"-- or, if it is not wanted: DROP INDEX CONCURRENTLY {name};\n"
                    "-- a failed ivfflat build often needs more maintenance_work_mem first"
                )
            upkeep = (
                "still updated by every write (indisready = true)"
                if index.ready
                else "not maintained (indisready = false)"
            )
            yield self.finding(
                f"{index.qualified_name} is invalid: queries never use it, and it is {upkeep}",
                f"pg_index: indisvalid = false, indisready = {str(index.ready).lower()}, no"
                f" CREATE INDEX in progress; {index.definition};"
                f" {wording.human_bytes(index.size_bytes)}",
                fix,
                object=index.qualified_name,
                drops=(index.qualified_name,) if leftover else (),
                rebuilds=() if leftover else (index.qualified_name,),
            )
