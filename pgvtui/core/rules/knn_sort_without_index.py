"""knn-sort-without-index: a k-NN Sort over an exact scan of a table that is not small — seen
in the plan alone, without the catalog.

Plan shape: a Sort / Incremental Sort whose Sort Key orders by a pgvector distance operator,
over a (Parallel) Seq Scan or Bitmap Heap Scan of one table that produced at least
:data:`SMALL_ROWS` rows or about :data:`SMALL_BYTES` (docs/rules.md's "small table": 10,000 rows
or 1 MB; actual rows with ANALYZE, the planner's estimate otherwise). No ANN index served the
query. Why — no index, an index for another operator or type, a cast column, or the planner
preferring the scan — only the catalog can tell (``no-ann-index``, ``operator-mismatch``,
``type-mismatch``, ``index-not-chosen``), so with a catalog this rule stays silent and those
name the cause — unless the table is not in that catalog (a plan from another database); offline
it lists them and what to run to tell them apart.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.plan import Plan, PlanNode
from pgvtui.core.plan.sort_keys import joined_query_vector
from pgvtui.core.rules import plan_expressions, plan_walk, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

SMALL_ROWS = 10_000
SMALL_BYTES = 1024 * 1024
EXACT_SCANS = ("Seq Scan", "Bitmap Heap Scan")


def scanned_rows(plan: Plan, scan: PlanNode) -> tuple[float | None, str]:
    """Rows the scan read (actual with ANALYZE — over all loops, plus those its filter removed —
    else the estimate, which for a parallel scan is per process: times the Gather's workers
    planned + the leader) and which of the two it is."""
    if scan.actual_rows is not None and scan.actual_loops:
        loops = scan.actual_loops
        removed = (scan.rows_removed_by_filter or 0) * loops
        return scan.actual_rows * loops + removed, "actual"
    if scan.plan_rows is None:
        return None, "estimated"
    processes = 1
    if scan.parallel_aware:
        gather = next((a for a in plan_walk.ancestors(plan, scan) if a.workers_planned), None)
        processes = (gather.workers_planned or 0) + 1 if gather is not None else 1
    return float(scan.plan_rows * processes), "estimated"


def _exact_scan(sort: PlanNode) -> PlanNode | None:
    """The one table scan feeding the sort (through Gather, Hash … but not a second table)."""
    scans = [d for d in plan_walk.descendants(sort) if d.relation]
    if len(scans) != 1 or scans[0].node_type not in EXACT_SCANS:
        return None
    return scans[0]


@register
class KnnSortWithoutIndex(Rule):
    id = "knn-sort-without-index"
    severity = Severity.WARNING
    summary = "k-NN ORDER BY sorted over an exact scan of a large table: no ANN index served it"
    kind = "query"
    needs = frozenset()

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        plan = ctx.plan
        if plan is None:
            return
        known: set[str] = set()
        if ctx.inventory is not None:  # the rules that can prove the cause speak for these
            known = {c.table for c in ctx.inventory.columns}
        for sort in plan.nodes():
            if sort.node_type not in plan_walk.SORT_NODES:
                continue
            terms = plan_expressions.sort_terms(sort)
            if not terms or any(joined_query_vector(k) for k in sort.sort_key):
                continue  # the query vector from a join: join-query-vector's case
            scan = _exact_scan(sort)
            if scan is None or scan.relation in known:
                continue
            rows, kind = scanned_rows(plan, scan)
            width = scan.raw.get("Plan Width")
            size = rows * width if rows is not None and isinstance(width, int) else None
            if rows is None or (rows < SMALL_ROWS and (size is None or size < SMALL_BYTES)):
                continue
            term = terms[0]
            table = scan.relation or "?"
            shown = _plan_shows(term)
            yield self.finding(
                f"ORDER BY … {term.operator} … sorts {wording.num(rows)} rows ({kind}) of {table}"
                f" read by a {_scan_name(scan)}: no ANN index served this k-NN query"
                + (f" — the plan shows why: {shown}" if shown else ""),
                f"{sort.node_type} ({sort.sort_method or 'sort'}, Sort Key {sort.sort_key[0]})"
                f" over {scan.label()}, {wording.num(rows)} rows {kind}",
                _causes(table, term.column, term.operator),
                object=f"plan: {scan.label()}",
                fix_is_sql=False,
                node_id=sort.id,
            )


def _plan_shows(term: plan_expressions.DistanceTerm) -> str | None:
    """A cause the Sort Key itself shows (no catalog needed)."""
    if term.desc:
        return "ORDER BY … DESC; an ANN index returns the nearest rows first (ascending) only"
    if term.cast:
        return f"the column is cast to {term.cast} in the ORDER BY; an index on it cannot match"
    if term.wrapped or term.column is None:
        return "the distance is inside a larger expression; order by the bare distance"
    return None


def _scan_name(scan: PlanNode) -> str:
    return ("Parallel " if scan.parallel_aware else "") + scan.node_type


def _causes(table: str, column: str | None, operator: str) -> str:
    col = column or "the vector column"
    return (
        "Possible causes (the catalog tells them apart): (1) no HNSW/IVFFlat index on"
        f" {table}.{col}; (2) an index built for another operator than {operator} (opclass)"
        " or another type (vector vs halfvec); (3) the column is cast or wrapped in the ORDER"
        " BY so the index does not match; (4) the planner preferred the scan (a selective"
        " filter, no LIMIT, costs). To see which: run `pgvtui check --plan-file FILE CONNINFO`"
        f" against the database, or look yourself: in psql, \\d {table} lists its indexes"
        " with their operator classes; then EXPLAIN the query again after"
        " SET enable_seqscan = off to see whether an index can serve it at all."
    )
