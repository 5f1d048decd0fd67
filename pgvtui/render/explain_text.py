"""A plan as PostgreSQL's own ``EXPLAIN`` text (``->`` arrows, two-space detail indents), written
from the JSON plan pgvtui runs — what explain.dalibo.com, explain.depesz.com and people on a
mailing list read. The TUI's "copy plan" key copies it.

The layout follows ``src/backend/commands/explain.c`` (text format): a node's line is its name
and the ``(cost=… rows=… width=…) (actual time=… rows=… loops=…)`` pairs; its details follow two
spaces deeper; a child starts ``->`` two spaces deeper than its parent's details and its own
details are six spaces deeper than its arrow; an InitPlan / SubPlan / CTE child is announced by
its name on a line of its own. Keys this module does not know are left out (never guessed).
A test compares the output with the server's own text for the same plans.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pgvtui.core.plan import Plan, PlanNode

# Details in explain.c's order: (JSON key, how a list joins).
_DETAIL_KEYS = (
    "Output",
    "Merge Cond",
    "Hash Cond",
    "Join Filter",
    "Rows Removed by Join Filter",
    "Group Key",
    "Sort Key",
    "Presorted Key",
    "Index Cond",
    "Rows Removed by Index Recheck",
    "Recheck Cond",
    "Order By",
    "TID Cond",
    "Filter",
    "Rows Removed by Filter",
    "One-Time Filter",
    "Cache Key",
    "Cache Mode",
)
_AGGREGATE = {"Plain": "Aggregate", "Sorted": "GroupAggregate", "Hashed": "HashAggregate"}
_AGGREGATE["Mixed"] = "MixedAggregate"
_SCANS_ON_RELATION = {
    "Seq Scan",
    "Sample Scan",
    "Bitmap Heap Scan",
    "Tid Scan",
    "Tid Range Scan",
    "Foreign Scan",
    "Index Scan",
    "Index Only Scan",
}


def _num(v: Any, digits: int = 2) -> str:
    return f"{float(v):.{digits}f}"


def _rows(v: Any) -> str:
    """Actual rows as the server printed them: PostgreSQL 18 reports a float and prints two
    decimals (``rows=10.00``), older servers an integer."""
    return f"{v:.2f}" if isinstance(v, float) else str(int(v))


def _name(node: dict[str, Any]) -> str:
    kind = str(node.get("Node Type", "?"))
    join = node.get("Join Type")
    if kind == "Aggregate":
        kind = _AGGREGATE.get(str(node.get("Strategy")), kind)
        partial = node.get("Partial Mode")
        if partial and partial != "Simple":
            kind = f"{partial} {kind}"
    elif kind == "Nested Loop" and join and join != "Inner":
        kind = f"Nested Loop {join} Join"
    elif kind.endswith(" Join") and join and join != "Inner":
        kind = f"{kind[: -len(' Join')]} {join} Join"
    elif kind == "SetOp" and node.get("Command"):
        kind = f"{'HashSetOp' if node.get('Strategy') == 'Hashed' else 'SetOp'} {node['Command']}"
    if node.get("Parallel Aware"):
        kind = "Parallel " + kind
    if node.get("Async Capable"):
        kind = "Async " + kind
    if node.get("Scan Direction") == "Backward":
        kind += " Backward"
    index = node.get("Index Name")
    relation = node.get("Relation Name")
    alias = node.get("Alias")
    if index and kind.rsplit(" Backward")[0].endswith("Bitmap Index Scan"):
        return f"{kind} on {index}"
    if index:
        kind += f" using {index}"
    target: str | None = None
    if relation:
        target = f"{node['Schema']}.{relation}" if node.get("Schema") else str(relation)
        if alias and alias != relation:
            target += f" {alias}"
    elif node.get("CTE Name"):
        target = str(node["CTE Name"]) + (
            f" {alias}" if alias and alias != node["CTE Name"] else ""
        )
    elif node.get("Function Name"):
        target = f"{node['Function Name']}" + (f" {alias}" if alias else "")
    elif alias and kind.split()[-1] == "Scan":
        target = str(alias)
    return f"{kind} on {target}" if target else kind


def _head(node: dict[str, Any]) -> str:
    line = _name(node)
    if "Startup Cost" in node:
        line += (
            f"  (cost={_num(node['Startup Cost'])}..{_num(node['Total Cost'])}"
            f" rows={int(node.get('Plan Rows', 0))} width={int(node.get('Plan Width', 0))})"
        )
    if node.get("Actual Loops") == 0:
        line += " (never executed)"
    elif "Actual Rows" in node:
        timing = ""
        if "Actual Total Time" in node:
            start, total = node["Actual Startup Time"], node["Actual Total Time"]
            timing = f"time={_num(start, 3)}..{_num(total, 3)} "
        rows = _rows(node["Actual Rows"])
        line += f" (actual {timing}rows={rows} loops={int(node['Actual Loops'])})"
    return line


def _buffers(node: dict[str, Any]) -> str | None:
    parts = []
    for scope in ("Shared", "Local", "Temp"):
        found = [
            f"{word.lower()}={node[key]}"
            for word in ("Hit", "Read", "Dirtied", "Written")
            if node.get(key := f"{scope} {word} Blocks")
        ]
        if found:
            parts.append(f"{scope.lower()} " + " ".join(found))
    return f"Buffers: {', '.join(parts)}" if parts else None


_COUNTS = ("Rows Removed by Filter", "Rows Removed by Join Filter", "Rows Removed by Index Recheck")


def _details(node: dict[str, Any]) -> Iterator[str]:
    if node.get("Disabled") is True:
        yield "Disabled: true"
    if node.get("Workers Planned") is not None:
        yield f"Workers Planned: {node['Workers Planned']}"
    if node.get("Workers Launched") is not None:
        yield f"Workers Launched: {node['Workers Launched']}"
    for key in _DETAIL_KEYS:
        value = node.get(key)
        if value is None or value is False or value == [] or (key in _COUNTS and not value):
            continue  # the text format leaves out zero counts (JSON always has them)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif value is True:
            value = "true"
        yield f"{key}: {value}"
    if node.get("Sort Method"):
        space = node.get("Sort Space Type", "Memory")
        used = node.get("Sort Space Used")
        tail = f"  {space}: {used}kB" if used is not None else ""
        yield f"Sort Method: {node['Sort Method']}{tail}"
    if node.get("Hash Buckets") is not None:
        yield (
            f"Buckets: {node['Hash Buckets']}  Batches: {node.get('Hash Batches')}"
            f"  Memory Usage: {node.get('Peak Memory Usage')}kB"
        )
    if node.get("HashAgg Batches") is not None:
        memory = node.get("Peak Memory Usage")
        line = f"Batches: {node['HashAgg Batches']}  Memory Usage: {memory}kB"
        if node.get("Disk Usage"):
            line += f"  Disk Usage: {node['Disk Usage']}kB"
        yield line
    if node.get("Storage") is not None and node.get("Maximum Storage") is not None:
        yield f"Storage: {node['Storage']}  Maximum Storage: {node['Maximum Storage']}kB"
    if node.get("Heap Fetches") is not None:
        yield f"Heap Fetches: {node['Heap Fetches']}"
    if node.get("Index Searches") is not None:
        yield f"Index Searches: {node['Index Searches']}"
    buffers = _buffers(node)
    if buffers:
        yield buffers


def _node_lines(plan_node: PlanNode, indent: int, arrow: bool) -> Iterator[str]:
    node = plan_node.raw
    pad = " " * indent
    if arrow:
        yield f"{pad}->  {_head(node)}"
        detail_indent = indent + 6
    else:
        yield f"{pad}{_head(node)}"
        detail_indent = indent + 2
    for line in _details(node):
        yield " " * detail_indent + line
    for child in plan_node.children:
        child_indent = detail_indent
        if child.raw.get("Subplan Name"):
            # "InitPlan 1", "SubPlan 2", "CTE name": a line of its own, the child below it
            yield " " * detail_indent + str(child.raw["Subplan Name"])
            child_indent += 2
        yield from _node_lines(child, child_indent, arrow=True)


def explain_text(plan: Plan) -> str:
    """The plan as ``EXPLAIN`` text (with ``Planning Time`` / ``Execution Time`` when known)."""
    lines = list(_node_lines(plan.root, 0, arrow=False))
    planning = plan.raw[0].get("Planning") if plan.raw else None
    buffers = _buffers(planning) if isinstance(planning, dict) else None
    if buffers:
        lines += ["Planning:", "  " + buffers]
    if plan.planning_ms is not None:
        lines.append(f"Planning Time: {plan.planning_ms:.3f} ms")
    if plan.execution_ms is not None:
        lines.append(f"Execution Time: {plan.execution_ms:.3f} ms")
    return "\n".join(lines) + "\n"
