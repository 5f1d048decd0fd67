"""Export a Search run (SQL, settings, plan, findings) as Markdown or JSON (pure)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pgvtui.core.models import to_jsonable
from pgvtui.ui.backend import SearchOutcome
from pgvtui.ui.widgets.plan_tree import node_details, node_label


def outcome_json(outcome: SearchOutcome) -> dict[str, Any]:
    plan = outcome.plan
    return {
        "sql": outcome.sql,
        "settings": outcome.settings,
        "error": outcome.error.one_line() if outcome.error else None,
        "execution_ms": outcome.execution_ms,
        "rows": outcome.row_count,
        "shared_hit": outcome.buffers[0],
        "shared_read": outcome.buffers[1],
        "findings": [f.to_json() for f in outcome.findings],
        "plan": to_jsonable(plan.raw) if plan else None,
    }


def outcome_markdown(outcome: SearchOutcome) -> str:
    out = ["# pgvtui search", "", "```sql", outcome.sql.strip(), "```", ""]
    if outcome.settings:
        out += ["Settings: " + ", ".join(f"`{k} = {v}`" for k, v in outcome.settings.items()), ""]
    if outcome.error:
        out += [f"**{outcome.error.title}:** {outcome.error.message}", ""]
    if outcome.plan:
        hit, read = outcome.buffers
        out += [
            f"Execution {outcome.execution_ms or 0:.2f} ms · {outcome.row_count} rows · "
            f"shared hit {hit}, read {read}",
            "",
            "## Plan",
            "",
            "```",
        ]
        for n in outcome.plan.root.walk():
            out.append("  " * n.depth + node_label(n).plain)
            out.extend("  " * n.depth + "    " + d for d in node_details(n))
        out += ["```", ""]
    out += ["## Findings", ""]
    if not outcome.findings:
        out.append("None.")
    for f in outcome.findings:
        out += [f"- **{f.severity.value}** `{f.rule}` — {f.message}", f"  - evidence: {f.evidence}"]
        if f.fix:
            out.append(f"  - fix: `{f.fix}`" if f.fix_is_sql else f"  - do: {f.fix}")
    return "\n".join(out) + "\n"


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
