"""Export a Search run as Markdown or JSON — the same documents ``pgvtui check`` writes
(:class:`pgvtui.core.search.CheckReport` rendered by :mod:`pgvtui.render.markdown`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pgvtui.ui.backend import SearchOutcome

if TYPE_CHECKING:
    from pgvtui.core.search import CheckReport


def to_report(outcome: SearchOutcome) -> CheckReport:
    from pgvtui.core.search import CheckReport

    return CheckReport(
        findings=outcome.findings,
        query=outcome.sql,
        settings=dict(outcome.settings),
        execution_ms=outcome.execution_ms,
        planning_ms=outcome.plan.planning_ms if outcome.plan else None,
        rows=outcome.row_count,
        plan=outcome.plan,
        error=outcome.error.message if outcome.error else None,
        source="query",
    )


def outcome_json(outcome: SearchOutcome) -> dict[str, Any]:
    doc = to_report(outcome).to_json()
    doc["shared_hit"], doc["shared_read"] = outcome.buffers
    return doc


def outcome_markdown(outcome: SearchOutcome) -> str:
    from pgvtui.render.markdown import render_markdown

    return render_markdown(to_report(outcome), title="pgvtui search")


def write_export(outcome: SearchOutcome, fmt: str, directory: Path) -> Path:
    """Write ``pgvtui-search-N.md|json`` in ``directory`` (first free N) and return its path."""
    ext = "json" if fmt == "json" else "md"
    n = 1
    while (path := directory / f"pgvtui-search-{n}.{ext}").exists():
        n += 1
    if fmt == "json":
        path.write_text(json.dumps(outcome_json(outcome), indent=2, default=str) + "\n")
    else:
        path.write_text(outcome_markdown(outcome))
    return path
