"""ivfflat-lists: an IVFFlat index whose lists are far from pgvector's guidance for its rows.

pgvector README: lists = rows / 1000 up to 1M rows, sqrt(rows) above. "Far" means outside
[0.5×, 2×] of that, or fewer than 50 rows per list (k-means trained on little data, low recall,
pgvector #995). Tables under SMALL_TABLE_ROWS rows are ignored unless they have < 50 rows per list;
tables under 1,000 rows always.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from pgvtui.core import sizing
from pgvtui.core.rules import catalog, effective_settings, pgvector_facts, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

LOW, HIGH = 0.5, 2.0
MIN_ROWS_PER_LIST = 50


def recommended_lists(rows: int) -> int:
    if rows <= 1_000_000:
        return max(1, round(rows / 1000))
    return round(math.sqrt(rows))


def _memory_line(build: sizing.BuildMemory | None) -> str:
    """``SET maintenance_work_mem`` when the rebuild's k-means would not fit (it is an ERROR)."""
    if build is None or build.fits:
        return ""
    need = sizing.memory_needed(build)
    return f"SET maintenance_work_mem = '{sizing.pg_size_literal(need)}';  -- k-means must fit\n"


def _memory_set(build: sizing.BuildMemory | None) -> tuple[tuple[str, str], ...]:
    if build is None or build.fits:
        return ()
    return (("maintenance_work_mem", f"'{sizing.pg_size_literal(sizing.memory_needed(build))}'"),)


@register
class IvfflatLists(Rule):
    id = "ivfflat-lists"
    severity = Severity.WARNING
    summary = "IVFFlat lists far from rows/1000 (≤ 1M rows) or sqrt(rows)"
    kind = "catalog"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None:
            return
        mwm = effective_settings.setting_bytes(ctx, "maintenance_work_mem")
        for index in inv.indexes:
            if index.method != "ivfflat" or index.lists is None or not index.valid:
                continue
            if index.predicate is not None:
                continue  # a partial index holds an unknown share of the table's rows
            rows = catalog.indexed_rows(inv, index)
            if rows is None or rows < 1000:
                continue
            rec = recommended_lists(rows)
            too_few_rows = index.lists > rows / MIN_ROWS_PER_LIST
            far = not (LOW * rec <= index.lists <= HIGH * rec)
            if not too_few_rows and (not far or rows < pgvector_facts.SMALL_TABLE_ROWS):
                continue
            guidance = "rows/1000" if rows <= 1_000_000 else "sqrt(rows)"
            why = (
                f"only {rows / index.lists:.0f} rows per list: k-means trained on little data"
                if too_few_rows
                else f"{index.lists / rec:.1f}× the recommended {rec}"
            )
            name = wording.ident(index.schema, index.name)
            probes = max(1, math.ceil(math.sqrt(rec)))
            build = catalog.rebuild_memory(index, rows, mwm, lists=rec)
            mem_line = _memory_line(build)
            yield self.finding(
                f"{index.qualified_name} has lists = {index.lists} for ~{wording.num(rows)} rows"
                f" ({why})",
                f"{index.definition}"
                f"{' (lists defaults to 100)' if 'lists' in index.defaults else ''};"
                f" ~{wording.num(rows)} rows (reltuples); pgvector guidance {guidance} = {rec}",
                f"ALTER INDEX {name} SET (lists = {rec});\n"
                f"{mem_line}"
                f"REINDEX INDEX CONCURRENTLY {name};\n"
                f"-- then probe about sqrt(lists): SET ivfflat.probes = {probes};",
                object=index.qualified_name,
                rebuilds=(index.qualified_name,),
                sets=(("ivfflat.probes", str(probes)), *_memory_set(build)),
            )
