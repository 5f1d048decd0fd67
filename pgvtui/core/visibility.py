"""What this role cannot see: the privilege and extension gaps of a live report, as Coverage.

One statement (``coverage.sql``) over the inventory's vector columns finds:

- tables the role may not SELECT (no sampled vectors, no recall, no exact checks on them);
- vector columns whose pg_stats row is hidden (pg_stats shows a row only where the role may
  SELECT the column): null fraction and average width — what the size model and
  ``toasted-vectors`` / ``full-precision-storage`` read — are unknown;
- vector columns in schemas without USAGE, which are not in the inventory at all;
- without pg_read_all_stats (pg_monitor): other roles' index builds in
  ``pg_stat_progress_create_index`` (a build by another role looks like an invalid index) and
  their query texts in pg_stat_activity / pg_stat_statements;
- settings the role may not read (``shared_preload_libraries`` without pg_read_all_settings);
- pg_stat_statements not installed, or not readable.

pg_buffercache's gaps come with the residency report (:func:`pgvtui.core.residency.coverage`).
"""

from __future__ import annotations

from typing import Any

from pgvtui.core.coverage import Coverage, CoverageEntry
from pgvtui.core.models import Inventory
from pgvtui.core.session import Session

MONITOR_FIX = "GRANT pg_monitor TO {role};"


async def coverage_of(session: Session, inv: Inventory) -> Coverage:
    """The gaps of what ``session``'s role can see in ``inv``'s database (one statement)."""
    row = (
        await session.fetch_dicts(
            "coverage",
            {
                "table_oids": [c.table_oid for c in inv.columns],
                "attnums": [c.attnum for c in inv.columns],
            },
        )
    )[0]
    return Coverage(tuple(entries_from(row, inv)))


def entries_from(row: dict[str, Any], inv: Inventory) -> list[CoverageEntry]:
    role = inv.server.user
    out: list[CoverageEntry] = []
    no_select = tuple(sorted(str(t) for t in row["no_select"] or []))
    if no_select:
        out.append(
            CoverageEntry(
                "tables",
                "no SELECT privilege: vectors cannot be sampled or searched exactly",
                objects=no_select,
                affects=("recall", "search/check on these tables", "Inventory sample query"),
                fix=f"GRANT SELECT ON <table> TO {role};",
            )
        )
    hidden = tuple(sorted(str(t) for t in row["stats_hidden"] or []))
    if hidden:
        out.append(
            CoverageEntry(
                "pg_stats",
                "statistics rows hidden (pg_stats shows only columns the role may SELECT): "
                "null fraction and average width unknown",
                objects=hidden,
                affects=("toasted-vectors", "full-precision-storage", "size model rows"),
                fix=f"GRANT SELECT ON <table> TO {role};",
            )
        )
    columns, schemas = row["hidden_schemas"] or [0, 0]
    if columns:
        out.append(
            CoverageEntry(
                "schemas",
                f"{columns} vector column{'s' * (columns != 1)} in {schemas} "
                f"schema{'s' * (schemas != 1)} without USAGE: not in the inventory",
                count=int(columns),
                affects=("every catalog rule",),
                fix=f"GRANT USAGE ON SCHEMA <schema> TO {role};",
            )
        )
    superuser = bool(row["superuser"])
    if not superuser and not row["read_all_stats"]:
        out.append(
            CoverageEntry(
                "statistics",
                "without pg_read_all_stats (pg_monitor) other roles' index builds and query "
                "texts are hidden: a build by another role looks like an invalid index",
                affects=("invalid-index", "Activity", "workload"),
                fix=MONITOR_FIX.format(role=role),
            )
        )
    unreadable = sorted(name for name, value in inv.settings.items() if value is None)
    if not superuser and not row["read_all_settings"] and unreadable:
        shown = [n for n in unreadable if n == "shared_preload_libraries"] or unreadable[:3]
        out.append(
            CoverageEntry(
                "settings",
                f"{', '.join(shown)} not readable without pg_read_all_settings (pg_monitor)",
                affects=("autoprewarm advice",),
                fix=MONITOR_FIX.format(role=role),
            )
        )
    if row["statements_version"] is None:
        out.append(
            CoverageEntry(
                "pg_stat_statements",
                "not installed in this database: no workload (which queries run, how often)",
                kind="extension",
                affects=("workload",),
                fix="CREATE EXTENSION pg_stat_statements;  -- and shared_preload_libraries",
                skips_checks=False,
            )
        )
    elif not row["statements_readable"]:
        out.append(
            CoverageEntry(
                "pg_stat_statements",
                "installed but not readable by this role",
                affects=("workload",),
                fix=MONITOR_FIX.format(role=role),
                skips_checks=False,
            )
        )
    return out
