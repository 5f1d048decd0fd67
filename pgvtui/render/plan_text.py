"""Pure pieces of plan display shared by the CLI renderers and the UI's plan tree."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pgvtui.core.plan import PlanNode
from pgvtui.core.rules.base import Finding
from pgvtui.render.fmt import human_count

MAX_SHOWN = 1_000
"""Longest string (expression, vector literal, query) text output shows; the rest is elided with
a count (``--format json`` keeps everything)."""


def elide(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters with ``… (+N characters)``; short text unchanged."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… (+{len(text) - limit:,} characters)"


def node_detail_items(
    node: PlanNode, shorten: Callable[[str], str] = elide
) -> list[tuple[str, str]]:
    """The node's interesting keys as ``(key, value)`` in display order: Order By, Sort Key,
    Sort Method, Index Cond, Filter, Join Filter, Disabled — only those present. ``shorten`` is
    applied to the SQL expressions (each sort key on its own); by default long ones are elided."""
    items: list[tuple[str, str | None]] = [
        ("Order By", node.order_by and shorten(node.order_by)),
        ("Sort Key", ", ".join(shorten(k) for k in node.sort_key)),
        ("Sort Method", node.sort_method),
        ("Index Cond", node.index_cond and shorten(node.index_cond)),
        ("Filter", node.filter and shorten(node.filter)),
        ("Join Filter", node.join_filter and shorten(node.join_filter)),
        ("Disabled", "true" if node.disabled else None),
    ]
    return [(key, value) for key, value in items if value]


def findings_by_node(findings: Iterable[Finding]) -> dict[int, list[Finding]]:
    """Findings that point at a plan node, grouped by ``PlanNode.id`` (in their order)."""
    marks: dict[int, list[Finding]] = {}
    for f in findings:
        if f.node_id is not None:
            marks.setdefault(f.node_id, []).append(f)
    return marks


def node_stats(node: PlanNode) -> str:
    """Rows (actual and planned), loops, time, buffers and rows removed: one format for the
    CLI tree, the Markdown report and the TUI plan tree."""
    parts: list[str] = []
    if node.actual_rows is not None:
        rows = f"rows {human_count(node.actual_rows)}"
        if node.plan_rows is not None:
            rows += f" (planned {human_count(node.plan_rows)})"
        parts.append(rows)
        if node.actual_loops and node.actual_loops != 1:
            parts.append(f"loops {node.actual_loops}")
        if node.total_ms is not None:
            parts.append(f"{node.total_ms:.3f} ms")
    elif node.plan_rows is not None:
        parts.append(f"planned rows {human_count(node.plan_rows)}")
    if node.shared_hit or node.shared_read:
        parts.append(f"hit {human_count(node.shared_hit)} read {human_count(node.shared_read)}")
    if node.rows_removed_by_filter:
        parts.append(f"removed by filter {human_count(node.rows_removed_by_filter)}")
    return " · ".join(parts)


def node_texts(node: PlanNode) -> list[str]:
    """The node's expressions as the plan has them (before any shortening)."""
    return [
        t
        for t in (node.order_by, *node.sort_key, node.index_cond, node.filter, node.join_filter)
        if t
    ]
