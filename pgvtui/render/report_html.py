"""``pgvtui report --format html``: one self-contained page to hand round.

No script, no network, no external asset: the CSS is inline, the charts are inline SVG
(:mod:`pgvtui.render.report_svg`). The layout is one column that narrows to a phone (tables
scroll sideways inside their own box) and prints without the colour fills the printer would
waste. Every string from the report document — names, settings, server messages — passes
``html.escape``: ``<script>`` in a table name is text, not markup.
"""

from __future__ import annotations

from typing import Any

from pgvtui.core.units import human_bytes
from pgvtui.render import report_tables as rt
from pgvtui.render import report_workload as rw
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


def _cell(c: rt.Cell) -> str:
    match c:
        case None:
            return "—"
        case str():
            return esc(c)
        case rt.Code(text):
            return f"<code>{esc(text)}</code>"
        case rt.Flag(value):
            return _yn(value)
        case rt.Styled(text, style):
            return f'<span class="{esc(style)}">{esc(text)}</span>'
        case rt.Link(text, anchor):
            return f'<a href="#{esc(anchor)}">{esc(text)}</a>'


def _table(t: rt.Table) -> str:
    """A table in a sideways-scrolling box."""
    th = "".join(f"<th>{esc(c.title)}</th>" for c in t.columns)
    body = "".join(
        (f'<tr class="{esc(r.style)}">' if r.style else "<tr>")
        + "".join(
            f'<td class="num">{_cell(c)}</td>' if col.align == "right" else f"<td>{_cell(c)}</td>"
            for col, c in zip(t.columns, r.cells, strict=True)
        )
        + "</tr>"
        for r in t.rows
    )
    return (
        f'<div class="scroll"><table><thead><tr>{th}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _h3(t: rt.Table) -> str:
    return f"<h3>{esc(t.title)}</h3>"


def _titled(*tables: rt.Table | None) -> list[str]:
    """Each table under its heading (``None``: no table)."""
    return [part for t in tables if t for part in (_h3(t), _table(t))]


def _b(n: int | None) -> str:
    return esc(human_bytes(n))


def _yn(v: bool | None) -> str:
    if v is None:
        return "—"
    return '<span class="yes">yes</span>' if v else '<span class="no">no</span>'


def _sev(s: str) -> str:
    return _cell(rt.severity(s))


def _fix(f: dict[str, Any]) -> str:
    """A finding's fix: SQL in a code block, advice in words; nothing without one."""
    if not f.get("fix"):
        return ""
    if f.get("fix_is_sql", True):
        return f"<pre><code>{esc(f['fix'])}</code></pre>"
    return f"<div>Fix: {esc(f['fix'])}</div>"


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
    out += _titled(rt.databases(doc))
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
    out += _titled(*rt.fleet_tables(doc))
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
    growth = rt.index_growth(b)
    if growth:
        out.append(_h3(growth))
        out.append(
            growth_bars(
                [
                    DeltaRow(f"{i['database']} {i['index']} ({i['status']})", i["bytes_delta"])
                    for i in b["indexes"]
                ],
                "Index bytes gained or lost since the baseline",
            )
        )
        out.append(_table(growth))
    changes = rt.baseline_tables(b)
    out += _titled(*changes)
    if growth is None and not changes:
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
    index_table = rt.indexes(d)
    out += _titled(index_table) if index_table else ["<p>No HNSW or IVFFlat index.</p>"]
    out += _titled(rt.recall(d))
    if d["workload"] is not None:
        out.append(workload_html(d["workload"]))
    out += _titled(rt.settings(d))
    out.append("<h3>Findings</h3>")
    if not d["findings"]:
        out.append("<p>None.</p>")
    else:
        items = []
        for f in d["findings"]:
            obj = f" — {esc(f['object'])}" if f.get("object") else ""
            items.append(
                f"<li>{_sev(f['severity'])} <code>{esc(f['rule'])}</code>{obj}<br>"
                f'{esc(f["message"])}<br><span class="mute">{esc(f["evidence"])}</span>'
                f"{_fix(f)}</li>"
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
    table = rt.workload(w)
    if table is None:
        return "".join(out)
    out.append(_table(table))
    for n, s in enumerate(w["statements"], 1):
        findings = "".join(
            f"<li>{_sev(f['severity'])} <code>{esc(f['rule'])}</code>: {esc(f['message'])}"
            f"{_fix(f)}</li>"
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
