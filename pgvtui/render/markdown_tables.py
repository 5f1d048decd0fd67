"""``--format markdown`` for inventory, residency, recall and estimate: GitHub pipe tables.

The tables are the text report's (``TableData`` from each renderer), so both formats show the
same rows. Cells are escaped for a pipe table: ``|`` and ``\\`` are backslash-escaped, a line
break becomes ``<br>``, and the characters Markdown would read as emphasis, code, links or HTML
are escaped where they would be read so. SQL goes in ```sql fences.
"""

from __future__ import annotations

import re

from rich.text import Text

from pgvtui.core.coverage import Coverage
from pgvtui.core.models import Inventory
from pgvtui.core.recall.sweep import RecallReport
from pgvtui.core.residency import ResidencyReport
from pgvtui.core.sizing import EstimateReport
from pgvtui.render import estimate as est
from pgvtui.render import inventory as inv_text
from pgvtui.render import recall as rec_text
from pgvtui.render import residency as res_text
from pgvtui.render.layout import Cell, TableData
from pgvtui.render.markdown import _fence

# backslash, code, emphasis, links, a pipe; "<" only where it could open an HTML tag (so
# operators such as <=> and <-> read as they are); "_" only at a word's edge
_SPECIAL = re.compile(r"[\\`*\[\]|]|<(?=[A-Za-z/!?])|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def md_text(text: str) -> str:
    """Inline text safe in a table cell or a paragraph (intra-word ``_`` stays as it is, so
    ``articles_embedding_idx`` reads as it is)."""
    escaped = _SPECIAL.sub(lambda m: "\\" + m.group(), text)
    return escaped.replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")


def _plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else cell


def md_table(data: TableData) -> list[str]:
    out: list[str] = []
    if data.title:
        out += [f"## {md_text(data.title)}", ""]
    if not data.rows:
        return [*out, "(none)", ""]
    out.append("| " + " | ".join(md_text(c.header) or " " for c in data.cols) + " |")
    out.append("|" + "|".join("---:" if c.kind == "number" else "---" for c in data.cols) + "|")
    for row in data.rows:
        out.append("| " + " | ".join(md_text(_plain(v)) for v in row) + " |")
    return [*out, ""]


def _doc(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).rstrip() + "\n"


def coverage_markdown(coverage: Coverage) -> str:
    """The "not checked" section (empty when everything was seen)."""
    if not coverage.entries:
        return ""
    out = ["", "## Coverage — not checked", ""]
    out += [f"- {md_text(line)}" for line in coverage.lines()]
    return _doc(out)


def inventory_markdown(inv: Inventory) -> str:
    s = inv.server
    out = ["# pgvtui inventory", ""]
    out += [
        f"- **PostgreSQL** {md_text(s.version)}, **pgvector** "
        f"{md_text(s.pgvector_version or 'not installed')} "
        f"(newest available {md_text(s.pgvector_available or '?')})",
        f"- **database** {md_text(s.database)} as {md_text(s.user)}",
        f"- **extensions** {md_text(inv_text.extensions_text(inv))}",
        f"- **settings** {md_text(', '.join(inv_text.settings_items(inv)))}",
        "",
    ]
    out += md_table(inv_text.column_table(inv))
    out += md_table(inv_text.index_table(inv))
    if any(i.defaults for i in inv.indexes):
        out += [md_text(inv_text.DEFAULTS_NOTE), ""]
    return _doc(out)


def residency_markdown(report: ResidencyReport) -> str:
    from pgvtui.render.fmt import human_bytes

    m = report.memory
    out = ["# pgvtui residency", ""]
    out += [
        f"- **shared_buffers** {human_bytes(m.shared_buffers_bytes)}",
        f"- **effective_cache_size** {human_bytes(m.effective_cache_size_bytes)}",
        f"- **RAM** {human_bytes(m.ram_bytes)} ({md_text(m.ram_source)})",
        f"- **all ANN indexes** {human_bytes(report.total_ann_bytes)}",
        "",
    ]
    bc = report.buffercache
    if not bc.available:
        out += [f"Measured residency unavailable: {md_text(bc.reason or '')}", ""]
        if bc.create_sql:
            out += [_fence(bc.create_sql, "sql"), ""]
    out += md_table(res_text.index_table(report))
    notes = [f"{i.qualified_name}: {i.model_note}" for i in report.indexes if i.model_note]
    out += [f"- model: {md_text(n)}" for n in notes] + ([""] if notes else [])
    if report.suggestions:
        out += ["## Suggestions", ""]
        for sug in report.suggestions:
            out += [f"- {md_text(sug.text)}"]
            if sug.sql:
                out += ["", _fence(sug.sql, "sql"), ""]
        out.append("")
    return _doc(out)


def recall_markdown(rep: RecallReport) -> str:
    out = [f"# pgvtui recall: {md_text(rep.index)}", "", md_text(rec_text.run_details(rep)), ""]
    if rep.ground_truth_seconds is not None:
        out += [
            f"Ground truth: exact top-{rep.k} over {rep.ground_truth_rows:,} rows in one pass, "
            f"{rep.ground_truth_seconds:.2f} s",
            "",
        ]
    if not rep.complete:
        out += [f"**Interrupted during {md_text(rep.stopped_during or 'the run')}**", ""]
    if rep.results:
        out += md_table(rec_text.results_table(rep))
        out += [md_text(rec_text.LEGEND), ""]
    rec = rep.recommendation
    if rec is not None:
        lines = [line.plain for line in rec_text.recommendation_lines(rep)]
        out += [f"**{md_text(lines[0])}**", ""]
        if rec.met and rec.set_sql:
            out += [_fence(rec.set_sql, "sql"), ""]
        out += [f"- {md_text(line.strip())}" for line in lines[1:]] + ([""] if lines[1:] else [])
    out += [f"- note: {md_text(w)}" for w in rep.warnings]
    return _doc(out)


def estimate_markdown(report: EstimateReport) -> str:
    out = ["# pgvtui estimate", "", f"**{md_text(est.key_line(report))}**", ""]
    out += md_table(est.facts_table(report))
    fix = est.mwm_fix(report)
    if fix is not None:
        out += [md_text(report.build.consequence or ""), "", _fence(fix, "sql"), ""]
    out += md_table(est.what_if_table(report))
    out += [md_text(est.NOTE)]
    return _doc(out)
