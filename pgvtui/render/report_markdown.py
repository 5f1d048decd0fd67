"""``pgvtui report --format markdown``: the report document as GitHub-flavoured Markdown.

Same content as the JSON and the HTML: the fleet summary, what changed since the baseline,
then one section per database. Server-provided text is escaped for tables (``|``, line breaks)
and fixes go in fenced ```sql blocks.
"""

from __future__ import annotations

import re
from typing import Any

from pgvtui.core.units import human_bytes, human_count
from pgvtui.render import report_workload as rw
from pgvtui.render.report_overview import DATABASE_HEAD, database_row


def cell(value: Any) -> str:
    """A table cell: ``|`` escaped, line breaks as spaces, markup characters inert."""
    if value is None:
        return "—"
    text = str(value).replace("\r", " ").replace("\n", " ")
    for ch in ("\\", "|", "*", "`", "[", "]", "<", ">"):
        text = text.replace(ch, "\\" + ch)
    # an underscore inside a word is never emphasis (GFM): escape only the others
    return _EDGE_UNDERSCORE.sub(r"\\_", text)


_EDGE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def _fence(body: str, lang: str = "") -> str:
    fence = "```"
    while fence in body:
        fence += "`"
    return f"{fence}{lang}\n{body.rstrip()}\n{fence}"


def _table(head: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return [*out, ""]


def _signed_bytes(n: int | None) -> str:
    if n is None:
        return "—"
    return ("+" if n > 0 else "−" if n < 0 else "±") + human_bytes(abs(n))


def _signed_count(n: int | None) -> str:
    if n is None:
        return "—"
    return ("+" if n > 0 else "−" if n < 0 else "±") + human_count(abs(n))


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0f} %"


def _yn(b: bool | None) -> str:
    return "—" if b is None else "yes" if b else "NO"


def summary_lines(doc: dict[str, Any]) -> list[str]:
    s = doc["summary"]
    f = s["findings"]
    out = [
        "## Fleet summary",
        "",
        f"- Databases checked: **{s['checked']}** of {s['targets']}"
        + (f" (**{s['failed']} failed**)" if s["failed"] else ""),
        f"- ANN indexes: {s['ann_indexes']}, {human_bytes(s['total_ann_bytes'])} in all",
        f"- Findings: {f.get('error', 0)} error, {f.get('warning', 0)} warning, "
        f"{f.get('info', 0)} info",
        "",
    ]
    if doc["databases"]:
        out += ["### Databases", ""]
        out += _table(DATABASE_HEAD, [database_row(d) for d in doc["databases"]])
    if s["not_fitting"]:
        out += ["### Indexes larger than shared_buffers", ""]
        out += _table(
            ["Database", "Index", "Size", "shared_buffers", "Over by", "Fits RAM"],
            [
                [
                    n["database"],
                    n["index"],
                    human_bytes(n["size_bytes"]),
                    human_bytes(n["shared_buffers_bytes"]),
                    human_bytes(n["over_bytes"]),
                    _yn(n["fits_ram"]),
                ]
                for n in s["not_fitting"]
            ],
        )
    if s["databases_not_fitting"]:
        out += ["### Databases whose ANN indexes together exceed shared_buffers", ""]
        out += _table(
            ["Database", "ANN bytes", "shared_buffers", "Over by"],
            [
                [
                    n["database"],
                    human_bytes(n["ann_bytes"]),
                    human_bytes(n["shared_buffers_bytes"]),
                    human_bytes(n["over_bytes"]),
                ]
                for n in s["databases_not_fitting"]
            ],
        )
    if s["worst_findings"]:
        out += ["### Worst findings", ""]
        out += _table(
            ["Severity", "Rule", "Database", "Object", "Message"],
            [
                [w["severity"], w["rule"], w["database"], w["object"], w["message"]]
                for w in s["worst_findings"]
            ],
        )
    if s["largest_growth"]:
        out += ["### Largest growth since the baseline", ""]
        out += _table(
            ["Database", "Index", "Size now", "Growth", "Rows growth"],
            [
                [
                    g["database"],
                    g["index"],
                    human_bytes(g["bytes_after"]),
                    _signed_bytes(g["bytes_delta"]),
                    _signed_count(g["rows_delta"]),
                ]
                for g in s["largest_growth"]
            ],
        )
    if doc["failures"]:
        out += ["### Targets that could not be checked", ""]
        out += _table(
            ["Target", "Error", "After"],
            [[x["target"], x["error"], f"{x['seconds']:.1f} s"] for x in doc["failures"]],
        )
    return out


def baseline_lines(doc: dict[str, Any]) -> list[str]:
    b = doc.get("baseline")
    if not b:
        return []
    out = [
        f"## Changes since {cell(b.get('source'))} ({cell(b.get('generated_at'))})",
        "",
        f"ANN bytes then {human_bytes(b.get('total_ann_bytes_before'))}, now "
        f"{human_bytes(doc['summary']['total_ann_bytes'])}.",
        "",
    ]
    if b["databases_added"] or b["databases_missing"]:
        out += [
            "- New databases: " + (", ".join(cell(x) for x in b["databases_added"]) or "none"),
            "- Databases no longer checked: "
            + (", ".join(cell(x) for x in b["databases_missing"]) or "none"),
            "",
        ]
    if b["indexes"]:
        out += ["### Index growth", ""]
        out += _table(
            [
                "Database",
                "Index",
                "Status",
                "Before",
                "After",
                "Growth",
                "Rows before",
                "Rows after",
            ],
            [
                [
                    i["database"],
                    i["index"],
                    i["status"],
                    human_bytes(i["bytes_before"]),
                    human_bytes(i["bytes_after"]),
                    _signed_bytes(i["bytes_delta"]),
                    human_count(i["rows_before"]),
                    human_count(i["rows_after"]),
                ]
                for i in b["indexes"]
            ],
        )
    for key, title in (("findings_new", "New findings"), ("findings_resolved", "Resolved")):
        if b[key]:
            out += [f"### {title}", ""]
            out += _table(
                ["Severity", "Rule", "Database", "Object", "Message"],
                [
                    [f["severity"], f["rule"], f["database"], f.get("object"), f["message"]]
                    for f in b[key]
                ],
            )
    changed = b["settings_changed"] + b.get("server_changed", [])
    if changed:
        out += ["### Settings and versions that changed", ""]
        out += _table(
            ["Database", "Name", "Before", "After"],
            [[c["database"], c["name"], c["before"], c["after"]] for c in changed],
        )
    if b["recall_moved"]:
        out += ["### Recall that moved", ""]
        out += _table(
            ["Database", "Index", "Recall before", "Recall after", "p50 before", "p50 after"],
            [
                [
                    r["database"],
                    r["index"],
                    r["recall_before"],
                    r["recall_after"],
                    r["latency_ms_p50_before"],
                    r["latency_ms_p50_after"],
                ]
                for r in b["recall_moved"]
            ],
        )
    if not changed and not any(
        b[k] for k in ("indexes", "findings_new", "findings_resolved", "recall_moved")
    ):
        out += ["No change in indexes, findings, settings or recall.", ""]
    return out


def database_lines(d: dict[str, Any]) -> list[str]:
    srv = d["server"]
    mem = d["memory"]
    out = [
        f"## {cell(d['target'])}",
        "",
        f"- PostgreSQL {cell(srv['version'])}, pgvector {cell(srv['pgvector'] or 'not installed')}"
        f", {srv['role']}, {d['vector_columns']} vector columns; checked in {d['seconds']:.1f} s",
    ]
    if mem:
        out.append(
            f"- ANN indexes {human_bytes(d['ann_bytes'])}; shared_buffers "
            f"{human_bytes(mem['shared_buffers_bytes'])} (fits: {_yn(d['fits']['shared_buffers'])})"
            f", effective_cache_size {human_bytes(mem['effective_cache_size_bytes'])} "
            f"(fits: {_yn(d['fits']['effective_cache_size'])}), RAM {human_bytes(mem['ram_bytes'])}"
            f" [{mem['ram_source']}] (fits: {_yn(d['fits']['ram'])})"
        )
    if d["buffercache"] and not d["buffercache"]["available"]:
        out.append(f"- Residency not measured: {cell(d['buffercache']['reason'])}")
    out += [f"- Note: {cell(n)}" for n in d["notes"]]
    out.append("")
    settings = d["settings"]
    out += ["### Settings", ""]
    out += _table(["Setting", "Value"], [[k, v] for k, v in settings.items()])
    if d["indexes"]:
        out += ["### ANN indexes", ""]
        out += _table(
            [
                "Index",
                "Table",
                "Method",
                "Key",
                "Options",
                "Size",
                "Rows",
                "Share",
                "Fits SB",
                "Fits RAM",
                "Resident",
                "Scans",
            ],
            [
                [
                    f"{i['schema']}.{i['name']}",
                    i["table"],
                    i["method"],
                    f"{i['key']} {i['key_type'] or '?'}({i['dims'] or '?'})",
                    ", ".join(f"{k}={v}" for k, v in i["options"].items()),
                    human_bytes(i["size_bytes"]),
                    human_count(i["rows"]),
                    _pct(i["share_pct"]),
                    _yn(i["fits_shared_buffers"]),
                    _yn(i["fits_ram"]),
                    _pct(i["resident_pct"]),
                    human_count(i["idx_scan"]),
                ]
                for i in d["indexes"]
            ],
        )
    else:
        out += ["No HNSW or IVFFlat index.", ""]
    if d["recall"]:
        out += ["### Recall at the current settings", ""]
        out += _table(
            ["Index", "Settings", "Queries", "Recall@k mean", "Min", "p50 ms", "p95 ms", "Note"],
            [
                [
                    r["index"],
                    ", ".join(f"{k}={v}" for k, v in r["settings"].items()),
                    r["queries"],
                    r["recall_mean"],
                    r["recall_min"],
                    r["latency_ms_p50"],
                    r["latency_ms_p95"],
                    r["error"],
                ]
                for r in d["recall"]
            ],
        )
    if d["workload"] is not None:
        out += workload_lines(d["workload"])
    out += ["### Findings", ""]
    if not d["findings"]:
        out += ["None.", ""]
    for f in d["findings"]:
        obj = f" — {cell(f['object'])}" if f.get("object") else ""
        out += [
            f"- **{f['severity']}** `{f['rule']}`{obj}: {cell(f['message'])}",
            f"  - Evidence: {cell(f['evidence'])}",
        ]
        if f.get("fix") and f.get("fix_is_sql", True):
            out += ["", _fence(str(f["fix"]), "sql"), ""]
        elif f.get("fix"):
            out += [f"  - Fix: {cell(f['fix'])}"]
    out.append("")
    return out


def workload_lines(w: dict[str, Any]) -> list[str]:
    out = ["### Top vector statements", ""]
    line = rw.intro(w)
    if line:
        out += [cell(line), ""]
    out += [f"- Note: {cell(n)}" for n in w["notes"]]
    if w["notes"]:
        out.append("")
    if not w["statements"]:
        return out
    out += _table(rw.HEAD, [rw.row(n, s) for n, s in enumerate(w["statements"], 1)])
    for n, s in enumerate(w["statements"], 1):
        out += [
            f"**{n}.** queryid {cell(s['queryid'])} — {cell(rw.diagnosis(s))}",
            "",
            _fence(s["query"], "sql"),
            "",
        ]
        for f in (s.get("diagnosis") or {}).get("findings", []):
            out.append(f"- **{f['severity']}** `{f['rule']}`: {cell(f['message'])}")
            if f.get("fix") and f.get("fix_is_sql", True):
                out += ["", _fence(str(f["fix"]), "sql"), ""]
            elif f.get("fix"):
                out.append(f"  - Fix: {cell(f['fix'])}")
        out.append("")
    return out


def render_markdown(doc: dict[str, Any]) -> str:
    out = [
        "# pgvtui report",
        "",
        f"Generated {cell(doc['generated_at'])} by {cell(doc['tool'])} "
        f"(format {doc['format_version']}).",
        "",
    ]
    out += summary_lines(doc)
    out += baseline_lines(doc)
    for d in doc["databases"]:
        out += database_lines(d)
    return "\n".join(out).rstrip() + "\n"
