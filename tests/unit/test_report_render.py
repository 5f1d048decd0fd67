"""The Markdown and HTML reports, byte for byte, for one representative fleet report.

``tests/data/report/fleet.json`` is a recorded ``pgvtui report`` (three databases of the test
fleet, two dead targets, a baseline) with every table given rows and the awkward values put in:
an index over shared_buffers, unknown flags, a setting that appeared, recall that moved, an
error instead of a recall figure, a fix in words, a fence inside a fix, ``|`` and ``<`` in
names. ``fleet.md`` and ``fleet.html`` are what the renderers make of it. After a deliberate
change to the output, rewrite them and read the diff::

    PYTHONPATH=. python -c "from tests.unit.test_report_render import rewrite; rewrite()"
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest

from pgvtui.render import report_tables as rt
from pgvtui.render.report_html import render_html
from pgvtui.render.report_markdown import render_markdown

DATA = Path(__file__).resolve().parents[1] / "data" / "report"
RENDERERS = {"fleet.md": render_markdown, "fleet.html": render_html}


def _doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DATA / "fleet.json").read_text(encoding="utf-8"))
    return doc


def rewrite() -> None:
    for name, render in RENDERERS.items():
        (DATA / name).write_text(render(_doc()), encoding="utf-8")


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_report_output_is_pinned(name: str) -> None:
    want = (DATA / name).read_text(encoding="utf-8")
    assert RENDERERS[name](_doc()) == want, f"{name} changed: see this module's docstring"


def _tables(doc: dict[str, Any]) -> list[rt.Table]:
    b = doc["baseline"]
    out = [rt.databases(doc), *rt.fleet_tables(doc), rt.index_growth(b), *rt.baseline_tables(b)]
    for d in doc["databases"]:
        out += [rt.indexes(d), rt.recall(d), rt.settings(d), rt.workload(d["workload"])]
    return [t for t in out if t]


def test_both_formats_show_every_table_with_its_cells() -> None:
    """Each table of the model, in both formats: its heading, its columns, each text cell."""
    doc = _doc()
    tables = _tables(doc)
    assert len(tables) == 21  # 11 for the fleet and the baseline, 10 in the databases
    md = render_markdown(doc).replace("\\", "")
    page = html.unescape(render_html(doc))
    for t in tables:
        assert all(len(r.cells) == len(t.columns) for r in t.rows)
        texts = [c.title for c in t.columns] + [c for r in t.rows for c in r.cells if c]
        for text in (md, page):
            assert t.title is None or t.title in text
            for c in texts:
                assert not isinstance(c, str) or c.replace("\n", " ") in text, c


def test_a_report_without_baseline() -> None:
    """No baseline: no growth (``largest_growth`` is null), no section of changes."""
    doc = _doc()
    del doc["baseline"]
    doc["summary"]["largest_growth"] = None
    for text in (render_markdown(doc), render_html(doc)):
        assert "Changes since" not in text and "Largest growth" not in text
        assert "Fleet summary" in text and "Worst findings" in text
