"""EXPLAIN (FORMAT JSON) → a typed plan tree. Pure: no database, no I/O.

Accepts the list-of-one-object form PostgreSQL prints (``[{"Plan": {...}, ...}]``), the bare
object, or a document that wraps it under ``"plan"`` (pgvtui's own JSON output).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pgvtui.errors import PlanFileError

VECTOR_OPERATORS = ("<->", "<#>", "<=>", "<+>", "<~>", "<%>")


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


@dataclass
class PlanNode:
    id: int  # pre-order position, 0 = root
    depth: int
    node_type: str
    relation: str | None = None
    schema: str | None = None
    alias: str | None = None
    index_name: str | None = None
    order_by: str | None = None  # "Order By" of an index scan (the ANN ordering)
    sort_key: tuple[str, ...] = ()
    sort_method: str | None = None
    filter: str | None = None
    index_cond: str | None = None
    join_filter: str | None = None
    join_type: str | None = None
    rows_removed_by_filter: int | None = None
    plan_rows: int | None = None
    actual_rows: float | None = None
    actual_loops: int | None = None
    startup_cost: float | None = None
    total_cost: float | None = None
    actual_startup_ms: float | None = None
    actual_total_ms: float | None = None
    shared_hit: int = 0
    shared_read: int = 0
    temp_read: int = 0
    temp_written: int = 0
    cte_name: str | None = None
    subplan_name: str | None = None
    parent_relationship: str | None = None
    disabled: bool | None = None
    index_searches: int | None = None
    strategy: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    children: list[PlanNode] = field(default_factory=list, repr=False)

    def walk(self) -> Iterator[PlanNode]:
        yield self
        for c in self.children:
            yield from c.walk()

    @property
    def rows_total(self) -> float | None:
        """Actual rows over all loops."""
        if self.actual_rows is None:
            return None
        return self.actual_rows * (self.actual_loops or 1)

    @property
    def total_ms(self) -> float | None:
        """Inclusive time over all loops."""
        if self.actual_total_ms is None:
            return None
        return self.actual_total_ms * (self.actual_loops or 1)

    @property
    def ann_order(self) -> bool:
        """An index scan ordered by a vector distance operator."""
        return bool(self.order_by) and any(op in (self.order_by or "") for op in VECTOR_OPERATORS)

    def label(self) -> str:
        parts = [self.node_type]
        if self.strategy and self.node_type in ("Aggregate", "SetOp"):
            parts[0] = f"{self.strategy} {self.node_type}"
        is_join = "Join" in self.node_type or self.node_type == "Nested Loop"
        if is_join and self.join_type and self.join_type != "Inner":
            parts.append(self.join_type)
        if self.index_name:
            parts.append(f"using {self.index_name}")
        if self.relation:
            rel = (
                self.relation
                if not self.alias or self.alias == self.relation
                else (f"{self.relation} {self.alias}")
            )
            parts.append(f"on {rel}")
        elif self.cte_name:
            parts.append(f"on {self.cte_name}")
        if self.subplan_name:
            parts.insert(0, f"[{self.subplan_name}]")
        return " ".join(parts)


@dataclass
class Plan:
    root: PlanNode
    planning_ms: float | None
    execution_ms: float | None
    settings: dict[str, str]  # "Settings" from EXPLAIN (SETTINGS): non-default planner GUCs
    raw: list[dict[str, Any]]

    def nodes(self) -> list[PlanNode]:
        return list(self.root.walk())

    def find(self, node_type: str) -> list[PlanNode]:
        return [n for n in self.root.walk() if n.node_type == node_type]

    def ann_scans(self) -> list[PlanNode]:
        return [n for n in self.root.walk() if n.ann_order]

    def node(self, node_id: int) -> PlanNode | None:
        for n in self.root.walk():
            if n.id == node_id:
                return n
        return None

    @property
    def rows(self) -> int | None:
        r = self.root.actual_rows
        return None if r is None else round(r)

    @property
    def shared_hit(self) -> int:
        return self.root.shared_hit

    @property
    def shared_read(self) -> int:
        return self.root.shared_read

    def parent_of(self, target: PlanNode) -> PlanNode | None:
        for n in self.root.walk():
            if any(c is target for c in n.children):
                return n
        return None


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
        raw={k: v for k, v in d.items() if k != "Plans"},
    )
    children = d.get("Plans") or []
    if not isinstance(children, list):
        raise PlanFileError(f'"Plans" of a {node.node_type} node is not a list')
    for child in children:
        if isinstance(child, dict):
            node.children.append(_build(child, depth + 1, counter))
    return node


def parse_plan(doc: Any) -> Plan:
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
    )


def load_plan_json(text: str) -> Any:
    """The decoded JSON of a plan file, or :class:`PlanFileError`."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(f"not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    except RecursionError as exc:
        raise PlanFileError("JSON nested too deeply") from exc


def parse_plan_text(text: str) -> Plan:
    return parse_plan(load_plan_json(text))
