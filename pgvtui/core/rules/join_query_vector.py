"""join-query-vector: the query vector comes from a joined table/CTE, so every row is sorted.

Plan shape (pgvector-facts §2): ``FROM items, cte`` / ``CROSS JOIN (SELECT q FROM queries …)``
gives Nested Loop → Sort → Seq Scan: the distance's right side is a column of another relation,
so the index cannot order the scan. A scalar subquery ``(SELECT q FROM …)`` becomes an InitPlan
and the Index Scan orders by ``(emb <-> (InitPlan 1).col1)``. (A LATERAL per-row k-NN is fine;
a CROSS JOIN to a constant subquery is pulled up and fine too — the plan shows it.)

On a recorded plan without the catalog the plan-visible half runs: a distance Sort whose key
compares columns of two relations (``i.emb <-> q.q``, read with PostgreSQL's parser) over a
join.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.plan import Plan, PlanNode
from pgvtui.core.plan.sort_keys import joined_query_vector
from pgvtui.core.query import FromItem, QueryShape, parser
from pgvtui.core.rules import plan_expressions, plan_walk, rewrite
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

_JOINS = ("Nested Loop", "Hash Join", "Merge Join")


@register
class JoinQueryVector(Rule):
    id = "join-query-vector"
    severity = Severity.WARNING
    summary = "the query vector comes from a join: use a scalar subquery so the index is used"
    kind = "query"
    needs = frozenset()

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.inventory is None and ctx.plan is not None:
            yield from self._plan_only(ctx.plan)
            return
        if ctx.inventory is None or ctx.plan is None or ctx.query is None:
            return
        hits = plan_walk.sorted_scans(ctx)
        for _scope, shape, _item, k in rewrite.knn_uses(ctx):
            q = k.use.query
            if q.kind not in ("column", "cte_ref") or q.from_kind in (None, "outer"):
                continue
            if not k.serving or rewrite.ann_scan_on(ctx, k.table) is not None:
                continue
            for hit in hits:
                if hit.table != k.table or hit.term.operator != k.use.operator:
                    continue
                join = _join_between(ctx, hit.sort, hit.scan)
                if join is None:
                    continue
                idx = k.serving[0]
                evidence = (
                    f"{hit.sort.node_type} (Sort Key {hit.term.expression}) over {join.label()}"
                    f" with {hit.scan.label()}; {idx.qualified_name} is not used"
                )
                fix, is_sql = self._fix(ctx, shape, k)
                yield self.finding(
                    f"the query vector {q.text} comes from a join ({q.from_name}), so"
                    f" {idx.qualified_name} cannot order the scan of {k.table.display}:"
                    " every row is joined and sorted; pass it as a scalar subquery",
                    evidence,
                    fix,
                    fix_is_sql=is_sql,
                    object=f"{k.table.display}.{k.column.column}",
                    node_id=hit.sort.id,
                )
                break

    def _plan_only(self, plan: Plan) -> Iterator[Finding]:
        for sort in plan.nodes():
            if sort.node_type not in plan_walk.SORT_NODES:
                continue
            joins = [d for d in plan_walk.descendants(sort) if d.node_type in _JOINS]
            if not joins:
                continue  # a LATERAL per-row k-NN sorts inside the join, not over it
            for key in sort.sort_key:
                d = joined_query_vector(key)
                if d is None:
                    continue
                vec = f"{d.right.qualifier}.{d.right.name}"
                col = f"{d.left.qualifier}.{d.left.name}"
                yield self.finding(
                    f"the query vector {vec} comes from a join ({d.right.qualifier}), so no"
                    f" index can order the scan for {col}: every row is joined and sorted;"
                    " pass it as a scalar subquery",
                    f"{sort.node_type} (Sort Key {plan_expressions.shorten_literals(key)}) over"
                    f" {joins[0].label()}",
                    f"Order by {col} {d.operator} a scalar subquery of the vector, then LIMIT k:"
                    " it is computed once (an InitPlan) and the index orders by it; for a"
                    " k-NN per row of the other table use CROSS JOIN LATERAL (… ORDER BY …"
                    " LIMIT k).",
                    fix_is_sql=False,
                    object=f"plan: {sort.label()}",
                    node_id=sort.id,
                )
                break

    @staticmethod
    def _fix(ctx: RuleContext, shape: QueryShape, k: rewrite.Knn) -> tuple[str, bool]:
        q = k.use.query
        item = _from_item(shape, q.from_name)
        prose = (
            f"Replace {q.text} with a scalar subquery (SELECT {q.text} FROM …) and drop"  # noqa: S608
            f" {q.from_name} from FROM; the planner then runs it once (InitPlan) and the index"
            " scan orders by its value.",
            False,
        )
        if ctx.sql is None or item is None or item.span is None or k.use.span is None:
            return prose
        if _referenced_elsewhere(ctx.sql, item.ref_name, k.use.span):
            return prose
        qstart = k.use.span[1] - len(q.text) if not k.use.swapped else k.use.span[0]
        scalar = f"(SELECT {q.text} FROM {item.text})"  # noqa: S608 - fix text, never executed
        edits = [(qstart, qstart + len(q.text), scalar)]
        if item.sep_start is not None:
            end = item.span[1]
            if item.sep_start > 0 and ctx.sql[item.sep_start - 1].isspace():
                while end < len(ctx.sql) and ctx.sql[end] in " \t":
                    end += 1
            edits.append((item.sep_start, end, ""))
        else:
            # the first FROM item has no separator: delete up to the start of the next one
            starts = [f.span[0] for f in shape.from_items if f.sep_start is not None and f.span]
            if not starts:
                return prose
            edits.append((item.span[0], starts[0], ""))
        new = rewrite.splice(ctx.sql, edits)
        return (
            "-- a scalar subquery is evaluated once (InitPlan); the index orders by its value\n"
            + rewrite.display_sql(new),
            True,
        )


def _from_item(shape: QueryShape, name: str | None) -> FromItem | None:
    for f in shape.from_items:
        if name is not None and f.ref_name == name:
            return f
    return None


def _referenced_elsewhere(text: str, name: str | None, span: tuple[int, int]) -> bool:
    """Is ``name.`` used outside the distance expression (select list, WHERE …)?"""
    if name is None:
        return True
    try:
        toks = [t for t in parser.scan(text) if not t.is_comment]
    except parser.SqlError:
        return True
    for i, t in enumerate(toks[:-1]):
        if (
            t.keyword in ("NO_KEYWORD", "UNRESERVED_KEYWORD")
            and _identifier(t.text) == name
            and toks[i + 1].char == "."
            and not (span[0] <= t.start < span[1])
        ):
            return True
    return False


def _identifier(text: str) -> str:
    """An identifier token's name as PostgreSQL folds it."""
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1].replace('""', '"')
    return text.lower()


def _join_between(ctx: RuleContext, top: PlanNode, bottom: PlanNode) -> PlanNode | None:
    """The first join on the way up from ``bottom`` to ``top`` (exclusive)."""
    assert ctx.plan is not None
    for node in plan_walk.ancestors(ctx.plan, bottom):
        if node is top:
            return None
        if node.node_type in _JOINS:
            return node
    return None
