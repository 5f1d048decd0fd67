"""The report's "Top vector statements" section, as plain strings both renderers escape: the
table's rows and each statement's diagnosis in words (Markdown and HTML say the same)."""

from __future__ import annotations

from typing import Any

HEAD = ["#", "Calls", "Total ms", "Mean ms", "Max ms", "Rows/call", "Read/call", "Searches"]
NUMERIC = {1, 2, 3, 4, 5, 6}


def intro(w: dict[str, Any]) -> str | None:
    """The line above the table, or the reason there is none (with what to do)."""
    if not w["available"] or w["reason"]:
        return " — ".join(x for x in (w["reason"], w.get("hint")) if x) or None
    shown = len(w["statements"])
    return (
        f"The {shown} heaviest of {w['matched']} vector statement(s) in pg_stat_statements, by "
        "total time; each diagnosed from its generic plan (nothing executed)."
    )


def row(n: int, s: dict[str, Any]) -> list[str]:
    parts = ((t["schema"], t["table"], t["column"]) for t in s["searches"])
    searches = [".".join(p for p in names if p) for names in parts]
    searches += [f"via {f}()" for f in s["functions"]]
    return [
        str(n),
        f"{s['calls']:,}",
        f"{s['total_ms']:,.1f}",
        f"{s['mean_ms']:,.2f}",
        f"{s['max_ms']:,.2f}",
        f"{s['rows_per_call']:,.1f}",
        f"{s['shared_blks_read_per_call']:,.0f}",
        ", ".join(searches) or "?",
    ]


def diagnosis(s: dict[str, Any]) -> str:
    """``generic plan: 2 finding(s)``, ``not diagnosed: time budget used up`` …"""
    d = s.get("diagnosis")
    if d is None:
        return "not diagnosed"
    if d["skipped"]:
        return "not diagnosed: the per-target time limit was reached first"
    where = f" (the search inside {d['function']}())" if d["function"] else ""
    if d["error"]:
        return f"{d['plan_kind']}{where}: {d['error']}"
    n = len(d["findings"])
    return f"{d['plan_kind']}{where}: " + (f"{n} finding(s)" if n else "no findings")
