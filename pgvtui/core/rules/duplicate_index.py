"""duplicate-index: two or more ANN indexes on the same table with the same method, key, opclass
and predicate (build options such as m or lists may differ): each costs its full size and write
work, and the planner uses one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from pgvtui.core.models import IndexInfo
from pgvtui.core.rules import wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


def _key(i: IndexInfo) -> tuple[str, str, str, str, str, str]:
    key = i.key_column if i.key_column is not None else f"expr:{i.key_expression}"
    return (i.schema, i.table, i.method, key, i.opclass, i.predicate or "")


def _describe(i: IndexInfo) -> str:
    opts = ", ".join(i.reloptions) or "defaults"
    scans = "?" if i.idx_scan is None else wording.num(i.idx_scan)
    size = wording.human_bytes(i.size_bytes)
    return f"{i.qualified_name} ({i.method}, {opts}, {size}, {scans} scans)"


@register
class DuplicateIndex(Rule):
    id = "duplicate-index"
    severity = Severity.WARNING
    summary = "several ANN indexes share table, key, opclass and predicate"
    kind = "catalog"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.inventory is None:
            return
        groups: dict[tuple[str, str, str, str, str, str], list[IndexInfo]] = defaultdict(list)
        for index in ctx.inventory.indexes:
            if index.valid:
                groups[_key(index)].append(index)
        for (schema, table, _method, _key_text, opclass, predicate), members in groups.items():
            if len(members) < 2:
                continue
            # keep the most used (then the largest: usually the better-built); drop the rest
            ranked = sorted(members, key=lambda i: (i.idx_scan or 0, i.size_bytes), reverse=True)
            keep, drop = ranked[0], ranked[1:]
            key = members[0].key_column or members[0].key_expression or "?"
            evidence = "; ".join(_describe(i) for i in ranked) + (
                f"; same key {key}, opclass {opclass}"
                + (f", predicate {predicate}" if predicate else ", no predicate")
            )
            wasted = sum(i.size_bytes for i in drop)
            fix = (
                "\n".join(
                    f"DROP INDEX CONCURRENTLY {wording.ident(i.schema, i.name)};" for i in drop
                )
                + f"\n-- keeps {wording.ident(keep.schema, keep.name)}"
            )
            yield self.finding(
                f"{len(members)} indexes on {wording.display(schema, table)} ({key} {opclass})"
                f" serve the same queries; dropping {len(drop)} saves"
                f" {wording.human_bytes(wasted)}",
                evidence,
                fix,
                object=", ".join(sorted(i.qualified_name for i in members)),
                drops=tuple(i.qualified_name for i in drop),
                keeps=(keep.qualified_name,),
            )
