"""Walking a plan for the rules: nodes above and below a node, the Limit over a scan, Sort nodes
that order by a distance over an exact scan of a table, ANN index scans that came back short.
Pure."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pgvtui.core.models import IndexInfo
from pgvtui.core.plan import Plan, PlanNode
from pgvtui.core.rules.base import RuleContext
from pgvtui.core.rules.catalog import (
    TableRef,
    column_indexes,
    node_index,
    resolve_relation,
    serving,
)
from pgvtui.core.rules.plan_expressions import DistanceTerm, sort_terms

_TRANSPARENT = {"Result", "Subquery Scan", "Materialize", "Memoize"}


def limit_above(plan: Plan, node: PlanNode) -> PlanNode | None:
    """The Limit node directly above ``node`` (through row-preserving nodes), if any."""
    parent = plan.parent_of(node)
    while parent is not None and parent.node_type in _TRANSPARENT and len(parent.children) == 1:
        parent = plan.parent_of(parent)
    if parent is not None and parent.node_type == "Limit":
        return parent
    return None


def descendants(node: PlanNode) -> Iterator[PlanNode]:
    """Every node below ``node`` (pre-order, as :meth:`PlanNode.walk`)."""
    return itertools.islice(node.walk(), 1, None)


def ancestors(plan: Plan, node: PlanNode) -> Iterator[PlanNode]:
    """Every node above ``node``, from its parent up to the root."""
    parent = plan.parent_of(node)
    while parent is not None:
        yield parent
        parent = plan.parent_of(parent)


def source_scan(nodes: Iterable[PlanNode], kind: str, name: str) -> PlanNode | None:
    """The first of ``nodes`` that reads a query's row source: the CTE Scan of CTE ``name``
    (``kind`` "cte") or a Subquery Scan (``kind`` "subquery")."""
    for n in nodes:
        if kind == "cte" and n.node_type == "CTE Scan" and n.cte_name == name:
            return n
        if kind == "subquery" and n.node_type == "Subquery Scan":
            return n
    return None


def scan_rows(node: PlanNode) -> float | int | None:
    """Rows a scan read (over all loops), or the planner's estimate when not executed."""
    return node.rows_total if node.rows_total is not None else node.plan_rows


def alias_map(plan: Plan) -> dict[str, PlanNode]:
    """Scan nodes by alias (and by relation name when no alias), for qualified sort keys."""
    out: dict[str, PlanNode] = {}
    nodes = [n for n in plan.nodes() if n.relation]
    # Aliases first: a self-join or an InitPlan over the same table (``documents documents_1``)
    # must not shadow the scan whose alias is the bare table name.
    for n in nodes:
        out.setdefault(n.alias or n.relation or "", n)
    for n in nodes:
        out.setdefault(n.relation or "", n)
    return out


SORT_NODES = ("Sort", "Incremental Sort")
SEQ_SCANS = ("Seq Scan", "Parallel Seq Scan")


@dataclass(frozen=True)
class SortedScan:
    """A Sort on a distance over an exact scan of one table: the shape of "no index used"."""

    sort: PlanNode
    scan: PlanNode
    term: DistanceTerm
    table: TableRef


def relation_scan_types(plan: Plan) -> tuple[str, ...]:
    """Every node type in the plan that scans a relation (for ``sorted_scans`` of any scan)."""
    return tuple({n.node_type for n in plan.nodes() if n.relation})


def sorted_scans(ctx: RuleContext, scan_types: tuple[str, ...] = SEQ_SCANS) -> list[SortedScan]:
    """Sort nodes ordering by ``<column> <op> …`` over a scan (of ``scan_types``) of the
    column's table, with the table resolved in the catalog."""
    plan = ctx.plan
    if plan is None or ctx.inventory is None:
        return []
    aliases = alias_map(plan)
    out: list[SortedScan] = []
    for node in plan.nodes():
        if node.node_type not in SORT_NODES:
            continue
        below = [d for d in descendants(node) if d.relation]
        for term in sort_terms(node):
            if term.column is None:
                continue
            scan: PlanNode | None = None
            if term.qualifier is not None:
                cand = aliases.get(term.qualifier)
                if cand is not None and any(cand is d for d in below):
                    scan = cand
            elif len(below) == 1:
                scan = below[0]
            else:
                scans = [d for d in below if d.node_type in scan_types]
                scan = scans[0] if len(scans) == 1 else None
            if scan is None or scan.node_type not in scan_types:
                continue
            ref = resolve_relation(ctx, scan.relation, scan.schema)
            if ref is None or ctx.inventory.column(ref.schema, ref.table, term.column) is None:
                continue
            out.append(SortedScan(sort=node, scan=scan, term=term, table=ref))
    return out


def served_sorted_scans(ctx: RuleContext) -> Iterator[tuple[SortedScan, IndexInfo]]:
    """Sorted scans (:func:`sorted_scans`) of an uncast column that an ANN index on it serves
    with the sort's operator, each with the first such index: sorts that index could have
    replaced, had the ORDER BY been written its way."""
    inv = ctx.inventory
    if inv is None:
        return
    for hit in sorted_scans(ctx):
        term, t = hit.term, hit.table
        if term.cast is not None or term.column is None:
            continue
        found = serving(column_indexes(inv, t.schema, t.table, term.column), term.operator)
        if found:
            yield hit, found[0]


@dataclass(frozen=True)
class AnnScan:
    """An ANN Index Scan with its catalog index and the Limit above it."""

    node: PlanNode
    index: IndexInfo
    table: TableRef
    limit: PlanNode | None


def ann_scans(ctx: RuleContext) -> list[AnnScan]:
    plan = ctx.plan
    if plan is None or ctx.inventory is None:
        return []
    out: list[AnnScan] = []
    for node in plan.ann_scans():
        index = node_index(ctx, node)
        if index is None:
            continue
        out.append(
            AnnScan(node, index, TableRef(index.schema, index.table), limit_above(plan, node))
        )
    return out


def short_ann_scans(ctx: RuleContext) -> Iterator[tuple[AnnScan, int, float]]:
    """ANN scans under a Limit that returned fewer rows than the Limit planned:
    ``(scan, limit rows, actual rows of the scan)``."""
    for scan in ann_scans(ctx):
        lim, got = scan.limit, scan.node.actual_rows
        if lim is None or lim.plan_rows is None or got is None or got >= lim.plan_rows:
            continue
        yield scan, lim.plan_rows, got
