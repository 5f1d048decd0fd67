"""Export a Search run as Markdown or JSON — the same documents ``pgvtui check`` writes
(:class:`pgvtui.core.search.CheckReport` rendered by :mod:`pgvtui.render.markdown`), with the
database and the time at the top of the Markdown and the whole plan as EXPLAIN text (every node
detail, nothing shortened). Files are ``pgvtui-search-N.md|json`` with one numbering for both:
N is the first number free in either format, so the two exports of one run can share it."""

from __future__ import annotations

import json
from datetime import datetime
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


def outcome_markdown(
    outcome: SearchOutcome, database: str = "", when: datetime | None = None
) -> str:
    from pgvtui.render.explain_text import explain_text
    from pgvtui.render.markdown import render_markdown

    title, *rest = render_markdown(to_report(outcome), title="pgvtui search").split("\n")
    when = when or datetime.now().astimezone()
    head = [title, ""]
    if database:
        head.append(f"Database: `{database}`  ")
    head.append(f"Exported: {when.isoformat(timespec='seconds')}")
    out = "\n".join([*head, *rest]).rstrip("\n") + "\n"
    if outcome.plan is not None:
        fence = "````" if "```" in (text := explain_text(outcome.plan)) else "```"
        out += f"\n## EXPLAIN\n\n{fence}text\n{text}{fence}\n"
    return out


def export_name(n: int, fmt: str) -> str:
    return f"pgvtui-search-{n}.{'json' if fmt == 'json' else 'md'}"


def next_export_number(directory: Path) -> int:
    """The first N for which neither ``pgvtui-search-N.md`` nor ``.json`` exists."""
    n = 1
    while any((directory / export_name(n, f)).exists() for f in ("md", "json")):
        n += 1
    return n


def write_export_to(outcome: SearchOutcome, fmt: str, path: Path, database: str = "") -> Path:
    """Write one export to ``path`` (never over an existing file: FileExistsError)."""
    if fmt == "json":
        text = json.dumps(outcome_json(outcome), indent=2, default=str) + "\n"
    else:
        text = outcome_markdown(outcome, database)
    with path.open("x", encoding="utf-8") as f:
        f.write(text)
    return path


def export_to_answer(
    outcome: SearchOutcome, fmt: str, answer: str, default_name: str, database: str = ""
) -> Path:
    """Write to the path the user typed (``~`` expanded; a directory gets ``default_name``
    inside it) and return it. FileExistsError / OSError are the caller's to report."""
    path = Path(answer).expanduser()
    if path.is_dir():
        path = path / default_name
    return write_export_to(outcome, fmt, path, database)


def write_export(outcome: SearchOutcome, fmt: str, directory: Path, database: str = "") -> Path:
    """Write ``pgvtui-search-N.md|json`` in ``directory`` (N from :func:`next_export_number`)
    and return its path."""
    path = directory / export_name(next_export_number(directory), fmt)
    return write_export_to(outcome, fmt, path, database)
