"""``pgvtui report --format markdown``: the report document as GitHub-flavoured Markdown.

Same content as the JSON and the HTML: the fleet summary, what changed since the baseline,
then one section per database. Server-provided text is escaped for tables (``|``, line breaks)
and fixes go in fenced ```sql blocks.
"""

from __future__ import annotations

import re
from typing import Any

from pgvtui.core.units import human_bytes
from pgvtui.render import report_tables as rt
from pgvtui.render import report_workload as rw


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


def _text(c: rt.Cell) -> str | None:
    match c:
        case rt.Flag(value):
            return "yes" if value else "NO"
        case rt.Code(text) | rt.Styled(text) | rt.Link(text):
            return text
        case _:
            return c


def _tables(*tables: rt.Table | None) -> list[str]:
    """Each table under its ``###`` heading, then a blank line (``None``: no table)."""
    out: list[str] = []
    for t in tables:
        if t is None:
            continue
        head = [c.title for c in t.columns]
        out += [] if t.title is None else [f"### {t.title}", ""]
        out += ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        out += ["| " + " | ".join(cell(_text(c)) for c in r.cells) + " |" for r in t.rows]
        out.append("")
    return out


def _yn(b: bool | None) -> str:
    return "—" if b is None else "yes" if b else "NO"


def _fix(f: dict[str, Any]) -> list[str]:
    """A finding's fix: SQL fenced, advice as a sub-item; nothing without one."""
    if not f.get("fix"):
        return []
    if f.get("fix_is_sql", True):
        return ["", _fence(str(f["fix"]), "sql"), ""]
    return [f"  - Fix: {cell(f['fix'])}"]


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
    out += _tables(rt.databases(doc), *rt.fleet_tables(doc))
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
    growth = rt.index_growth(b)
    changes = rt.baseline_tables(b)
    out += _tables(growth, *changes)
    if growth is None and not changes:
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
    out += _tables(rt.settings(d))
    index_table = rt.indexes(d)
    out += _tables(index_table) if index_table else ["No HNSW or IVFFlat index.", ""]
    out += _tables(rt.recall(d))
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
        out += _fix(f)
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
    out += _tables(rt.workload(w))
    for n, s in enumerate(w["statements"], 1):
        out += [
            f"**{n}.** queryid {cell(s['queryid'])} — {cell(rw.diagnosis(s))}",
            "",
            _fence(s["query"], "sql"),
            "",
        ]
        for f in (s.get("diagnosis") or {}).get("findings", []):
            out.append(f"- **{f['severity']}** `{f['rule']}`: {cell(f['message'])}")
            out += _fix(f)
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
