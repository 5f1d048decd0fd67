"""toasted-vectors: vector values wider than the TOAST threshold stored out of line.

pgvector's types use storage EXTERNAL by default (0.6.0+), so a value over ~2 kB (vector(d) with
d ≳ 506) is moved to the TOAST table. Every exact scan then fetches each value through the TOAST
index, and the planner does not cost that: Seq Scans look cheap and are not parallelised
(pgvector #186, #240). ANALYZE measures the stored width, so pg_stats.avg_width of ~18 B (a TOAST
pointer) confirms it.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.models import ColumnInfo
from pgvtui.core.rules import catalog, pgvector_facts, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

PAGE_FIT_BYTES = 8000  # a PLAIN row must fit one 8 kB page with the other columns
MIN_TOAST_BYTES = 64 * 1024  # an empty TOAST table and its index are a few pages


@register
class ToastedVectors(Rule):
    id = "toasted-vectors"
    severity = Severity.WARNING
    summary = "vector values are TOASTed: exact scans pay uncosted TOAST reads, no parallelism"
    kind = "catalog"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None:
            return
        for col in inv.columns:
            if col.storage not in ("extended", "external"):
                continue
            total = catalog.table_bytes(inv, col.schema, col.table)
            if total is not None and total < pgvector_facts.SMALL_TABLE_BYTES:
                continue  # a small table: its exact scan is cheap, TOAST or not
            size = pgvector_facts.value_bytes(col.type, col.dims)
            if size is None:
                found = _untyped(self, col)
                if found is not None:
                    yield found
                continue
            # ANALYZE measures stored widths: an average far below V is a TOAST pointer (~18 B),
            # proof even when V alone is under the threshold (wide rows TOAST their largest value)
            pointer = col.avg_width is not None and size >= 512 and col.avg_width < size / 2
            if size <= pgvector_facts.TOAST_THRESHOLD_BYTES and not pointer:
                continue
            if not col.rows_estimate and col.toast_bytes < MIN_TOAST_BYTES:
                continue  # empty table: nothing is TOASTed yet
            table = wording.ident(col.schema, col.table)
            column = wording.ident(col.column)
            width = ""
            if col.avg_width is not None:
                width = f", pg_stats.avg_width {col.avg_width} B"
                if col.avg_width < size / 2:
                    width += " (a TOAST pointer)"
            evidence = (
                f"{col.qualified_name} {col.type}({col.dims}): {size} B per value"
                f" (TOAST threshold {pgvector_facts.TOAST_THRESHOLD_BYTES} B per row), attstorage"
                f" {col.storage}{width};"
                f" TOAST {wording.human_bytes(col.toast_bytes)} vs heap"
                f" {wording.human_bytes(col.table_bytes)}"
            )
            if size <= PAGE_FIT_BYTES:
                fix = (
                    f"ALTER TABLE {table} ALTER COLUMN {column} SET STORAGE PLAIN;\n"
                    "-- affects rows written from now on; move existing rows in line with a"
                    " rewrite:\n"
                    f"-- VACUUM FULL {table};  -- ACCESS EXCLUSIVE lock (or pg_repack)\n"
                    "-- PLAIN rows must fit one 8 kB page with the other columns; if they may"
                    " not, use SET STORAGE MAIN. Rows still over 2 kB then TOAST their other"
                    " wide columns instead"
                )
                fix_is_sql = True
            else:
                fix = (
                    f"{size} B values cannot be kept in line (a row must fit one 8 kB page):"
                    " store halfvec, or reduce the dimensions."
                )
                fix_is_sql = False
            yield self.finding(
                f"{col.qualified_name} values ({size} B) are stored out of line"
                " in TOAST: exact scans are slow and under-costed",
                evidence,
                fix,
                object=col.qualified_name,
                fix_is_sql=fix_is_sql,
            )


POINTER_MAX_WIDTH = 32  # pg_stats.avg_width of a TOAST pointer is ~18 B; no vector is that narrow


def _untyped(rule: Rule, col: ColumnInfo) -> Finding | None:
    """A column without dimensions (``embedding vector``, LangChain's default): the value size
    is unknown from the catalog, so the measured evidence decides — a TOAST-pointer-sized
    average width with a TOAST table that holds real data."""
    if col.toast_bytes < MIN_TOAST_BYTES:
        return None
    if col.avg_width is not None:
        if col.avg_width > POINTER_MAX_WIDTH:
            return None
    elif col.toast_bytes < col.table_bytes:
        return None  # never analyzed: only a TOAST table bigger than the heap says so
    width = (
        f"pg_stats.avg_width {col.avg_width} B (a TOAST pointer)"
        if col.avg_width is not None
        else "no pg_stats (never analyzed)"
    )
    return rule.finding(
        f"{col.qualified_name} values are stored out of line in TOAST: exact scans are slow"
        " and under-costed",
        f"{col.qualified_name} {col.type} without dimensions, attstorage {col.storage}, {width};"
        f" TOAST {wording.human_bytes(col.toast_bytes)}"
        f" vs heap {wording.human_bytes(col.table_bytes)}",
        "Give the column its dimension first (see untyped-vector-column): a vector(d) value is"
        " 4·d + 8 B. If that fits an 8 kB page with the other columns, ALTER TABLE … ALTER"
        " COLUMN … SET STORAGE PLAIN and rewrite the table (VACUUM FULL or pg_repack) to move"
        " the values in line; otherwise store halfvec or reduce the dimensions.",
        object=col.qualified_name,
        fix_is_sql=False,
    )
