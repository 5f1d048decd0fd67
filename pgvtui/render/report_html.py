"""``pgvtui report --format html``: one self-contained page to hand round.

No script, no network, no external asset: the CSS is inline, the charts are inline SVG
(:mod:`pgvtui.render.report_svg`). The layout is one column that narrows to a phone (tables
scroll sideways inside their own box) and prints without the colour fills the printer would
waste. Every string from the report document — names, settings, server messages — passes
``html.escape``: ``<script>`` in a table name is text, not markup.
"""

from __future__ import annotations

from typing import Any

from pgvtui.core.units import human_bytes, human_count
from pgvtui.render import report_workload as rw
from pgvtui.render.report_overview import DATABASE_HEAD, database_row
from pgvtui.render.report_svg import (
    DeltaRow,
    FitRow,
    Limit,
    Point,
    ShareItem,
    esc,
    fit_bars,
    growth_bars,
    recall_scatter,
    share_bar,
    share_slices,
    swatch,
)

CSS = """
:root { --ok:#2e7d4f; --warn:#c98a00; --bad:#b3261e; --ink:#1d2125; --mute:#5c6670;
        --line:#d5dbe0; --bg:#fff; --card:#f5f7f9; }
* { box-sizing: border-box; }
body { overflow-wrap: break-word; color: var(--ink);
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       background: var(--bg); margin: 0 auto; padding: 12px 16px 40px; max-width: 1100px; }
h1 { font-size: 1.6em; margin: .2em 0; } h2 { font-size: 1.3em; margin-top: 1.6em;
  border-bottom: 2px solid var(--line); padding-bottom: .2em; } h3 { font-size: 1.05em; }
.meta, .mute { color: var(--mute); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 8px; }
.card { background: var(--card); border-radius: 6px; padding: 8px 10px; }
.card .n { font-size: 1.45em; font-weight: 600; display: block; }
.card.bad .n { color: var(--bad); } .card.warn .n { color: var(--warn); }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: .5em 0 1em; }
table { border-collapse: collapse; width: 100%; font-size: .92em; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line);
         vertical-align: top; }
th { background: var(--card); white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.sev { font-weight: 600; text-transform: uppercase; font-size: .8em; }
.sev.error, .no { color: var(--bad); } .sev.warning { color: var(--warn); }
.sev.info { color: var(--mute); } .yes { color: var(--ok); }
pre { background: var(--card); padding: 6px 8px; border-radius: 4px; overflow-x: auto;
      white-space: pre-wrap; word-break: break-word; font-size: .88em; margin: .3em 0; }
code { font-size: .92em; }
ul.findings { padding-left: 1.1em; } ul.findings li { margin-bottom: .6em; }
section.db { break-before: auto; }
.chart { width: 100%; max-width: 620px; height: auto; display: block; margin: .3em 0 1em; }
ul.key { list-style: none; padding: 0; font-size: .9em; } .swatch { vertical-align: -1px; }
.chart .lbl, .chart .val, .chart .legend, .chart .tick { font: 11px system-ui, sans-serif;
  fill: var(--ink); } .chart .tick, .chart .legend { fill: var(--mute); }
.chart .bar.ok { fill: var(--ok); } .chart .bar.warn { fill: var(--warn); }
.chart .bar.bad { fill: var(--bad); }
.chart .limit { stroke-width: 2.5; } .chart .limit.sb { stroke: #111; }
.chart .limit.ecs { stroke: #555; stroke-dasharray: 4 2; }
.chart .limit.ram { stroke: #888; stroke-dasharray: 1 2; }
.chart .val { paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.chart .val.inside { fill: #fff; stroke: none; font-weight: 600; }
.chart .axis { stroke: #777; } .chart .grid { stroke: #e4e8ec; }
.chart .pt { fill: #3b6ea5; stroke: #fff; }
.failed td { color: var(--bad); }
@media (max-width: 600px) { body { font-size: 14px; padding: 8px; } h1 { font-size: 1.3em; }
  th, td { padding: 3px 5px; } }
@media print { body { max-width: none; padding: 0; font-size: 11pt; }
  .scroll { overflow: visible; } pre { white-space: pre-wrap; } table { font-size: 8.5pt; }
  h2 { break-after: avoid; } table, .chart, li { break-inside: avoid; }
  .card { border: 1px solid var(--line); background: none; } th { background: none; } }
"""


def _table(
    head: list[str], rows: list[list[str]], num: set[int] | None = None, row_class: str = ""
) -> str:
    """A table in a sideways-scrolling box. Cells are already-escaped HTML."""
    num = num or set()
    th = "".join(f"<th>{esc(h)}</th>" for h in head)
    tr = f'<tr class="{esc(row_class)}">' if row_class else "<tr>"
    body = "".join(
        tr
        + "".join(
            f'<td class="num">{c}</td>' if i in num else f"<td>{c}</td>" for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return (
        f'<div class="scroll"><table><thead><tr>{th}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _b(n: int | None) -> str:
    return esc(human_bytes(n))


def _yn(v: bool | None) -> str:
    if v is None:
        return "—"
    return '<span class="yes">yes</span>' if v else '<span class="no">no</span>'


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.0f} %"


def _num(v: float | None, digits: int = 3) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def _signed(n: int | None, fmt: Any = human_bytes) -> str:
    if n is None:
        return "—"
    sign = "+" if n > 0 else "−" if n < 0 else "±"
    return esc(sign + fmt(abs(n)))


def _sev(s: str) -> str:
    return f'<span class="sev {esc(s)}">{esc(s)}</span>'


def _card(label: str, value: str, css: str = "") -> str:
    return f'<div class="card {css}"><span class="n">{value}</span>{esc(label)}</div>'


def _limits(mem: dict[str, Any]) -> tuple[Limit, ...]:
    return (
        Limit("shared_buffers", mem["shared_buffers_bytes"], "sb"),
        Limit("effective_cache_size", mem["effective_cache_size_bytes"], "ecs"),
        Limit("RAM", mem["ram_bytes"], "ram"),
    )


def summary_html(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    f = s["findings"]
    cards = [
        _card("databases checked", f"{s['checked']} / {s['targets']}"),
        _card("failed", str(s["failed"]), "bad" if s["failed"] else ""),
        _card("ANN indexes", str(s["ann_indexes"])),
        _card("ANN bytes in all", _b(s["total_ann_bytes"])),
        _card(
            "indexes over shared_buffers",
            str(len(s["not_fitting"])),
            "bad" if s["not_fitting"] else "",
        ),
        _card(
            "findings (error / warning / info)",
            f"{f.get('error', 0)} / {f.get('warning', 0)} / {f.get('info', 0)}",
            "bad" if f.get("error") else "warn" if f.get("warning") else "",
        ),
    ]
    out = [
        '<section id="summary"><h2>Fleet summary</h2>',
        f'<div class="cards">{"".join(cards)}</div>',
    ]
    if doc["databases"]:
        out.append("<h3>Databases</h3>")
        rows = []
        for n, d in enumerate(doc["databases"]):
            cells = [esc(c) for c in database_row(d)]
            cells[0] = f'<a href="#db{n}">{cells[0]}</a>'
            if d["fits"] and not d["fits"]["shared_buffers"]:
                cells[7] = '<span class="no">NO</span>'
            rows.append(cells)
        out.append(_table(DATABASE_HEAD, rows, {4, 5, 6, 9}))
    dbs = [d for d in doc["databases"] if d["memory"]]
    if dbs:
        out.append("<h3>Memory fit per database (all ANN indexes together)</h3>")
        out.append(
            fit_bars(
                [FitRow(d["target"], d["ann_bytes"], _limits(d["memory"])) for d in dbs],
                "ANN bytes per database against shared_buffers, effective_cache_size and RAM",
            )
        )
    items = [
        ShareItem(f"{d['target']} {i['schema']}.{i['name']}", i["size_bytes"])
        for d in doc["databases"]
        for i in d["indexes"]
    ]
    if items:
        slices = share_slices(items)
        out.append("<h3>Index size share across the fleet</h3>")
        out.append(share_bar(slices, "Share of all ANN index bytes"))
        out.append(
            '<ul class="key">'
            + "".join(
                f"<li>{swatch(colour)} {pct:.1f} % · {_b(it.bytes)} · {esc(it.label)}</li>"
                for it, pct, colour in slices
            )
            + "</ul>"
        )
    if s["not_fitting"]:
        out.append("<h3>Indexes larger than shared_buffers</h3>")
        out.append(
            _table(
                ["Database", "Index", "Size", "shared_buffers", "Over by", "Fits RAM"],
                [
                    [
                        esc(n["database"]),
                        esc(n["index"]),
                        _b(n["size_bytes"]),
                        _b(n["shared_buffers_bytes"]),
                        _b(n["over_bytes"]),
                        _yn(n["fits_ram"]),
                    ]
                    for n in s["not_fitting"]
                ],
                {2, 3, 4},
            )
        )
    if s["databases_not_fitting"]:
        out.append("<h3>Databases whose ANN indexes together exceed shared_buffers</h3>")
        out.append(
            _table(
                ["Database", "ANN bytes", "shared_buffers", "Over by"],
                [
                    [
                        esc(n["database"]),
                        _b(n["ann_bytes"]),
                        _b(n["shared_buffers_bytes"]),
                        _b(n["over_bytes"]),
                    ]
                    for n in s["databases_not_fitting"]
                ],
                {1, 2, 3},
            )
        )
    if s["worst_findings"]:
        out.append("<h3>Worst findings</h3>")
        out.append(
            _table(
                ["Severity", "Rule", "Database", "Object", "Message"],
                [
                    [
                        _sev(w["severity"]),
                        f"<code>{esc(w['rule'])}</code>",
                        esc(w["database"]),
                        esc(w["object"] or "—"),
                        esc(w["message"]),
                    ]
                    for w in s["worst_findings"]
                ],
            )
        )
    if s["largest_growth"]:
        out.append("<h3>Largest growth since the baseline</h3>")
        out.append(
            _table(
                ["Database", "Index", "Size now", "Growth", "Rows growth"],
                [
                    [
                        esc(g["database"]),
                        esc(g["index"]),
                        _b(g["bytes_after"]),
                        _signed(g["bytes_delta"]),
                        _signed(g["rows_delta"], human_count),
                    ]
                    for g in s["largest_growth"]
                ],
                {2, 3, 4},
            )
        )
    if doc["failures"]:
        out.append("<h3>Targets that could not be checked</h3>")
        out.append(
            _table(
                ["Target", "Error", "After"],
                [
                    [esc(x["target"]), esc(x["error"]), f"{x['seconds']:.1f} s"]
                    for x in doc["failures"]
                ],
                {2},
                row_class="failed",
            )
        )
    points = [
        Point(f"{d['target']} {r['index']}", r["latency_ms_p50"], r["recall_mean"])
        for d in doc["databases"]
        for r in d["recall"] or []
        if r["recall_mean"] is not None and r["latency_ms_p50"] is not None
    ]
    if points:
        out.append("<h3>Recall against latency at the current settings</h3>")
        out.append(recall_scatter(points, "Recall@k mean against p50 latency, one point per index"))
        out.append(
            '<ol class="mute">'
            + "".join(
                f"<li>{esc(p.label)}: recall {p.recall:.3f}, p50 {p.latency_ms:.3f} ms</li>"
                for p in points
            )
            + "</ol>"
        )
    out.append("</section>")
    return "\n".join(out)


def baseline_html(doc: dict[str, Any]) -> str:
    b = doc.get("baseline")
    if not b:
        return ""
    out = [
        '<section id="baseline">',
        f"<h2>Changes since {esc(b.get('source'))}</h2>",
        f'<p class="meta">Baseline generated {esc(b.get("generated_at"))}; '
        f"ANN bytes then {_b(b.get('total_ann_bytes_before'))}, now "
        f"{_b(doc['summary']['total_ann_bytes'])}.</p>",
    ]
    if b["databases_added"] or b["databases_missing"]:
        out.append(
            "<p>New databases: "
            + (esc(", ".join(b["databases_added"])) or "none")
            + ". No longer checked: "
            + (esc(", ".join(b["databases_missing"])) or "none")
            + ".</p>"
        )
    if b["indexes"]:
        out.append("<h3>Index growth</h3>")
        out.append(
            growth_bars(
                [
                    DeltaRow(f"{i['database']} {i['index']} ({i['status']})", i["bytes_delta"])
                    for i in b["indexes"]
                ],
                "Index bytes gained or lost since the baseline",
            )
        )
        out.append(
            _table(
                [
                    "Database",
                    "Index",
                    "Status",
                    "Before",
                    "After",
                    "Growth",
                    "Rows before",
                    "Rows after",
                    "Rows growth",
                ],
                [
                    [
                        esc(i["database"]),
                        esc(i["index"]),
                        esc(i["status"]),
                        _b(i["bytes_before"]),
                        _b(i["bytes_after"]),
                        _signed(i["bytes_delta"]),
                        esc(human_count(i["rows_before"])),
                        esc(human_count(i["rows_after"])),
                        _signed(i["rows_delta"], human_count),
                    ]
                    for i in b["indexes"]
                ],
                {3, 4, 5, 6, 7, 8},
            )
        )
    for key, title in (
        ("findings_new", "New findings"),
        ("findings_resolved", "Resolved findings"),
    ):
        if b[key]:
            out.append(f"<h3>{esc(title)}</h3>")
            out.append(
                _table(
                    ["Severity", "Rule", "Database", "Object", "Message"],
                    [
                        [
                            _sev(f["severity"]),
                            f"<code>{esc(f['rule'])}</code>",
                            esc(f["database"]),
                            esc(f.get("object") or "—"),
                            esc(f["message"]),
                        ]
                        for f in b[key]
                    ],
                )
            )
    changed = b["settings_changed"] + b.get("server_changed", [])
    if changed:
        out.append("<h3>Settings and versions that changed</h3>")
        out.append(
            _table(
                ["Database", "Name", "Before", "After"],
                [
                    [
                        esc(c["database"]),
                        f"<code>{esc(c['name'])}</code>",
                        esc(c["before"]),
                        esc(c["after"]),
                    ]
                    for c in changed
                ],
            )
        )
    if b["recall_moved"]:
        out.append("<h3>Recall that moved</h3>")
        out.append(
            _table(
                [
                    "Database",
                    "Index",
                    "Recall before",
                    "Recall after",
                    "Change",
                    "p50 before",
                    "p50 after",
                ],
                [
                    [
                        esc(r["database"]),
                        esc(r["index"]),
                        _num(r["recall_before"]),
                        _num(r["recall_after"]),
                        f"{r['recall_delta']:+.3f}",
                        _num(r["latency_ms_p50_before"]),
                        _num(r["latency_ms_p50_after"]),
                    ]
                    for r in b["recall_moved"]
                ],
                {2, 3, 4, 5, 6},
            )
        )
    if not changed and not any(
        b[k] for k in ("indexes", "findings_new", "findings_resolved", "recall_moved")
    ):
        out.append("<p>No change in indexes, findings, settings or recall.</p>")
    out.append("</section>")
    return "\n".join(out)


def database_html(d: dict[str, Any], n: int) -> str:
    srv, mem = d["server"], d["memory"]
    out = [
        f'<section class="db" id="db{n}"><h2>{esc(d["target"])}</h2>',
        f'<p class="meta">PostgreSQL {esc(srv["version"])} · pgvector '
        f"{esc(srv['pgvector'] or 'not installed')} · {esc(srv['role'])} · "
        f"{d['vector_columns']} vector columns · checked in {d['seconds']:.1f} s</p>",
    ]
    if mem:
        fits = d["fits"]
        out.append(
            f"<p>ANN indexes <b>{_b(d['ann_bytes'])}</b> · shared_buffers "
            f"{_b(mem['shared_buffers_bytes'])} (fits {_yn(fits['shared_buffers'])}) · "
            f"effective_cache_size {_b(mem['effective_cache_size_bytes'])} "
            f"(fits {_yn(fits['effective_cache_size'])}) · RAM {_b(mem['ram_bytes'])} "
            f'<span class="mute">[{esc(mem["ram_source"])}]</span> (fits {_yn(fits["ram"])})</p>'
        )
    if d["buffercache"] and not d["buffercache"]["available"]:
        out.append(f'<p class="mute">Residency not measured: {esc(d["buffercache"]["reason"])}</p>')
    out += [f'<p class="mute">Note: {esc(x)}</p>' for x in d["notes"]]
    if d["indexes"] and mem:
        out.append("<h3>Memory fit per index</h3>")
        out.append(
            fit_bars(
                [
                    FitRow(f"{i['schema']}.{i['name']}", i["size_bytes"], _limits(mem))
                    for i in d["indexes"]
                ],
                f"Index sizes in {d['target']} against its memory",
            )
        )
    if d["indexes"]:
        out.append("<h3>ANN indexes</h3>")
        out.append(
            _table(
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
                        esc(f"{i['schema']}.{i['name']}"),
                        esc(i["table"]),
                        esc(i["method"]),
                        esc(f"{i['key']} {i['key_type'] or '?'}({i['dims'] or '?'})"),
                        esc(", ".join(f"{k}={v}" for k, v in i["options"].items())),
                        _b(i["size_bytes"]),
                        esc(human_count(i["rows"])),
                        _pct(i["share_pct"]),
                        _yn(i["fits_shared_buffers"]),
                        _yn(i["fits_ram"]),
                        _pct(i["resident_pct"]),
                        esc(human_count(i["idx_scan"])),
                    ]
                    for i in d["indexes"]
                ],
                {5, 6, 7, 10, 11},
            )
        )
    else:
        out.append("<p>No HNSW or IVFFlat index.</p>")
    if d["recall"]:
        out.append("<h3>Recall at the current settings</h3>")
        out.append(
            _table(
                ["Index", "Settings", "Queries", "Recall mean", "Min", "p50 ms", "p95 ms", "Note"],
                [
                    [
                        esc(r["index"]),
                        esc(", ".join(f"{k}={v}" for k, v in r["settings"].items())),
                        str(r["queries"]),
                        _num(r["recall_mean"]),
                        _num(r["recall_min"]),
                        _num(r["latency_ms_p50"]),
                        _num(r["latency_ms_p95"]),
                        esc(r["error"] or ""),
                    ]
                    for r in d["recall"]
                ],
                {2, 3, 4, 5, 6},
            )
        )
    if d["workload"] is not None:
        out.append(workload_html(d["workload"]))
    out.append("<h3>Settings</h3>")
    out.append(
        _table(
            ["Setting", "Value"],
            [
                [f"<code>{esc(k)}</code>", esc(v if v is not None else "—")]
                for k, v in d["settings"].items()
            ],
        )
    )
    out.append("<h3>Findings</h3>")
    if not d["findings"]:
        out.append("<p>None.</p>")
    else:
        items = []
        for f in d["findings"]:
            obj = f" — {esc(f['object'])}" if f.get("object") else ""
            fix = ""
            if f.get("fix"):
                fix = (
                    f"<pre><code>{esc(f['fix'])}</code></pre>"
                    if f.get("fix_is_sql", True)
                    else f"<div>Fix: {esc(f['fix'])}</div>"
                )
            items.append(
                f"<li>{_sev(f['severity'])} <code>{esc(f['rule'])}</code>{obj}<br>"
                f'{esc(f["message"])}<br><span class="mute">{esc(f["evidence"])}</span>{fix}</li>'
            )
        out.append('<ul class="findings">' + "".join(items) + "</ul>")
    out.append("</section>")
    return "\n".join(out)


def workload_html(w: dict[str, Any]) -> str:
    out = ["<h3>Top vector statements</h3>"]
    line = rw.intro(w)
    if line:
        out.append(f"<p>{esc(line)}</p>")
    out += [f'<p class="mute">{esc(n)}</p>' for n in w["notes"]]
    if not w["statements"]:
        return "".join(out)
    rows = [[esc(c) for c in rw.row(n, s)] for n, s in enumerate(w["statements"], 1)]
    out.append(_table(rw.HEAD, rows, rw.NUMERIC))
    for n, s in enumerate(w["statements"], 1):
        findings = "".join(
            f"<li>{_sev(f['severity'])} <code>{esc(f['rule'])}</code>: {esc(f['message'])}"
            + (
                (
                    f"<pre><code>{esc(f['fix'])}</code></pre>"
                    if f.get("fix_is_sql", True)
                    else f"<div>Fix: {esc(f['fix'])}</div>"
                )
                if f.get("fix")
                else ""
            )
            + "</li>"
            for f in (s.get("diagnosis") or {}).get("findings", [])
        )
        out.append(
            f"<p><b>{n}.</b> queryid {esc(s['queryid'])} — {esc(rw.diagnosis(s))}</p>"
            f"<pre><code>{esc(s['query'])}</code></pre>"
            + (f"<ul>{findings}</ul>" if findings else "")
        )
    return "".join(out)


def render_html(doc: dict[str, Any]) -> str:
    toc = "".join(
        f'<li><a href="#db{n}">{esc(d["target"])}</a></li>' for n, d in enumerate(doc["databases"])
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>pgvtui report {esc(doc['generated_at'])}</title>",
        f"<style>{CSS}</style></head><body>",
        "<header><h1>pgvtui report</h1>",
        f'<p class="meta">Generated {esc(doc["generated_at"])} by {esc(doc["tool"])} '
        f"(report format {esc(doc['format_version'])}).</p></header>",
        summary_html(doc),
        baseline_html(doc),
        f"<nav><h2>Databases</h2><ul>{toc}</ul></nav>" if toc else "",
        *(database_html(d, n) for n, d in enumerate(doc["databases"])),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"
