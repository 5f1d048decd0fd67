"""EXPLAIN (FORMAT JSON) → :class:`Plan`. Pure: no database, no I/O.

Accepts the list-of-one-object form PostgreSQL prints (``[{"Plan": {...}, ...}]``), the bare
object, or a document that wraps it under ``"plan"`` (pgvtui's own JSON output). The text
reader (:mod:`.text_format`) builds this same document shape, so both go through
:func:`parse_plan` and give identical trees.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pgvtui.core.plan.model import Plan, PlanNode
from pgvtui.errors import PlanFileError


def _num(d: dict[str, Any], key: str) -> float | None:
    v = d.get(key)
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float):
        try:
            f = float(v)
        except OverflowError:
            f = math.inf
        if not math.isfinite(f):
            raise PlanFileError(f'"{key}" is not a finite number: {v!r}')
        return f
    return None


def _int(d: dict[str, Any], key: str) -> int | None:
    v = _num(d, key)
    return None if v is None else round(v)


def _text(d: dict[str, Any], key: str) -> str | None:
    v = d.get(key)
    return v if isinstance(v, str) else None


def _build(d: dict[str, Any], depth: int, counter: list[int]) -> PlanNode:
    node_id = counter[0]
    counter[0] += 1
    if depth > 200:
        raise PlanFileError("plan nested too deeply")
    sort_key = d.get("Sort Key")
    node = PlanNode(
        id=node_id,
        depth=depth,
        node_type=str(d.get("Node Type", "?")),
        relation=_text(d, "Relation Name"),
        schema=_text(d, "Schema"),
        alias=_text(d, "Alias"),
        index_name=_text(d, "Index Name"),
        order_by=_text(d, "Order By"),
        sort_key=tuple(str(k) for k in sort_key) if isinstance(sort_key, list) else (),
        sort_method=_text(d, "Sort Method"),
        filter=_text(d, "Filter"),
        index_cond=_text(d, "Index Cond"),
        join_filter=_text(d, "Join Filter"),
        join_type=_text(d, "Join Type"),
        rows_removed_by_filter=_int(d, "Rows Removed by Filter"),
        plan_rows=_int(d, "Plan Rows"),
        actual_rows=_num(d, "Actual Rows"),
        actual_loops=_int(d, "Actual Loops"),
        startup_cost=_num(d, "Startup Cost"),
        total_cost=_num(d, "Total Cost"),
        actual_startup_ms=_num(d, "Actual Startup Time"),
        actual_total_ms=_num(d, "Actual Total Time"),
        shared_hit=_int(d, "Shared Hit Blocks") or 0,
        shared_read=_int(d, "Shared Read Blocks") or 0,
        temp_read=_int(d, "Temp Read Blocks") or 0,
        temp_written=_int(d, "Temp Written Blocks") or 0,
        cte_name=_text(d, "CTE Name"),
        subplan_name=_text(d, "Subplan Name"),
        parent_relationship=_text(d, "Parent Relationship"),
        disabled=d.get("Disabled") if isinstance(d.get("Disabled"), bool) else None,
        index_searches=_int(d, "Index Searches"),
        strategy=_text(d, "Strategy"),
        partial_mode=_text(d, "Partial Mode"),
        parallel_aware=d.get("Parallel Aware") is True,
        workers_planned=_int(d, "Workers Planned"),
        workers_launched=_int(d, "Workers Launched"),
        heap_fetches=_int(d, "Heap Fetches"),
        raw={k: v for k, v in d.items() if k != "Plans"},
    )
    children = d.get("Plans") or []
    if not isinstance(children, list):
        raise PlanFileError(f'"Plans" of a {node.node_type} node is not a list')
    for child in children:
        if isinstance(child, dict):
            node.children.append(_build(child, depth + 1, counter))
    return node


def parse_plan(
    doc: Any,
    *,
    source_format: str = "json",
    fragment: bool = False,
    truncated: str | None = None,
    notes: tuple[str, ...] = (),
) -> Plan:
    """Parse EXPLAIN JSON (already decoded) into a :class:`Plan`."""
    if isinstance(doc, dict) and "plan" in doc and "Plan" not in doc:
        doc = doc["plan"]
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list) or not doc or not isinstance(doc[0], dict):
        raise PlanFileError("expected EXPLAIN (FORMAT JSON) output: a list with one plan object")
    top = doc[0]
    root = top.get("Plan")
    if not isinstance(root, dict) or "Node Type" not in root:
        raise PlanFileError('no "Plan" object with a "Node Type" in the document')
    settings = top.get("Settings")
    return Plan(
        root=_build(root, 0, [0]),
        planning_ms=_num(top, "Planning Time"),
        execution_ms=_num(top, "Execution Time"),
        settings={str(k): str(v) for k, v in settings.items()}
        if isinstance(settings, dict)
        else {},
        raw=doc,
        source_format=source_format,
        fragment=fragment,
        truncated=truncated,
        notes=notes,
    )


def load_plan_json(text: str) -> Any:
    """The decoded JSON of a plan file, or :class:`PlanFileError`."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(f"not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    except RecursionError as exc:
        raise PlanFileError("JSON nested too deeply") from exc
