"""The typed plan tree every reader produces and every rule reads. Pure data.

A :class:`Plan` is the same whatever it was read from (EXPLAIN JSON, psql text, a log entry):
the readers in this package build the JSON-shaped document first and this tree from it, so
``Plan.raw`` is always EXPLAIN (FORMAT JSON)'s shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

VECTOR_OPERATORS = ("<->", "<#>", "<=>", "<+>", "<~>", "<%>")


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
    partial_mode: str | None = None  # Simple | Partial | Finalize (aggregates)
    parallel_aware: bool = False  # "Parallel Seq Scan" …
    workers_planned: int | None = None
    workers_launched: int | None = None
    heap_fetches: int | None = None
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
    source_format: str = "json"  # json | text: what the plan was read from
    # The excerpt starts below its root (first node indented or "->"): there may be a Limit
    # (or anything else) above it that the reader never saw.
    fragment: bool = False
    truncated: str | None = None  # why the plan looks cut (mid-line, missing input nodes)
    notes: tuple[str, ...] = ()  # lines skipped while reading, with their line numbers

    @property
    def analyzed(self) -> bool:
        """EXPLAIN ANALYZE: the nodes carry actual rows/loops."""
        return any(n.actual_loops is not None for n in self.root.walk())

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
    def has_buffers(self) -> bool:
        """The plan was taken with BUFFERS (without, the counts above read 0). A node of a
        text plan shows no Buffers line when its counts are all 0: any node with one counts."""
        return any("Shared Hit Blocks" in n.raw for n in self.root.walk())

    @property
    def shared_read(self) -> int:
        return self.root.shared_read

    def parent_of(self, target: PlanNode) -> PlanNode | None:
        for n in self.root.walk():
            if any(c is target for c in n.children):
                return n
        return None
