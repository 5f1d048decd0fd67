"""materialized-cte: ORDER BY distance over a materialized CTE (or a subquery the planner
cannot flatten) sorts the CTE's rows instead of using the base table's ANN index.

Plan shape (pgvector-facts §2, "filter in a MATERIALIZED CTE, then ORDER BY distance"):
Sort (Sort Key on the distance) over a CTE Scan / Subquery Scan, and no ANN index scan of the
base table, while an index on the column serves the operator.

On a recorded plan without the catalog the plan-visible half runs: a distance Sort whose input
is a CTE Scan of a CTE that reads a table — the searched rows come from the CTE. A CTE that only
holds the query vector (its scan joined to the table, the sort over the join) is
``join-query-vector``'s case, not this one.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core.plan import Plan
from pgvtui.core.rules import plan_expressions, plan_walk, rewrite, wording
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


@register
class MaterializedCte(Rule):
    id = "materialized-cte"
    severity = Severity.WARNING
    summary = "ORDER BY distance over a materialized CTE/subquery cannot use the ANN index"
    kind = "query"
    needs = frozenset()

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.inventory is None and ctx.plan is not None:
            yield from self._plan_only(ctx.plan)
            return
        if ctx.inventory is None or ctx.plan is None or ctx.query is None:
            return
        for _scope, _shape, _item, k in rewrite.knn_uses(ctx):
            via = k.use.via
            if via is None or not k.serving or rewrite.ann_scan_on(ctx, k.table) is not None:
                continue
            kind, _, name = via.partition(":")
            sort = None
            hidden = None
            for node in ctx.plan.nodes():
                if node.node_type not in plan_walk.SORT_NODES:
                    continue
                if not any(t.operator == k.use.operator for t in plan_expressions.sort_terms(node)):
                    continue
                hidden = plan_walk.source_scan(plan_walk.descendants(node), kind, name)
                if hidden is not None:
                    sort = node
                    break
            if sort is None or hidden is None:
                continue
            idx = k.serving[0]
            what = f"the CTE {name}" if kind == "cte" else f"the subquery {name}"
            keys = ", ".join(plan_expressions.shorten_literals(s) for s in sort.sort_key)
            evidence = (
                f"{sort.node_type} (Sort Key {keys})"
                f" over {hidden.label()} ({wording.num(hidden.rows_total)} rows);"
                f" no index scan of {k.table.display} uses {idx.qualified_name}"
            )
            fix, is_sql = self._fix(ctx, kind, name, k)
            yield self.finding(
                f"ORDER BY {k.use.column.name} {k.use.operator} … runs over {what}, whose rows"
                f" are materialized first: {idx.qualified_name} on {k.table.display} cannot be"
                " used, every row of it is sorted",
                evidence,
                fix,
                fix_is_sql=is_sql,
                object=f"{k.table.display}.{k.column.column}",
                node_id=sort.id,
            )

    def _plan_only(self, plan: Plan) -> Iterator[Finding]:
        ctes = {
            (n.subplan_name or "").removeprefix("CTE "): n
            for n in plan.nodes()
            if (n.subplan_name or "").startswith("CTE ")
        }
        for sort in plan.nodes():
            if sort.node_type not in plan_walk.SORT_NODES or not plan_expressions.sort_terms(sort):
                continue
            scan = sort.children[0] if len(sort.children) == 1 else None
            if scan is None or scan.node_type != "CTE Scan" or scan.cte_name not in ctes:
                continue
            tables = [d.relation for d in ctes[scan.cte_name].walk() if d.relation]
            if not tables:
                continue  # a CTE of constants: nothing an index could search
            name = scan.cte_name
            yield self.finding(
                f"ORDER BY {plan_expressions.sort_terms(sort)[0].expression}"
                f" runs over the CTE {name},"
                f" whose rows ({tables[0]}) are materialized first: no ANN index on"
                f" {tables[0]} can be used, every row of {name} is sorted",
                f"{sort.node_type} ({sort.sort_method or 'sort'}) over {scan.label()}"
                f" ({wording.num(scan.plan_rows if scan.rows_total is None else scan.rows_total)}"
                f" rows); CTE {name} reads {', '.join(dict.fromkeys(tables))}",
                f"Write WITH {name} AS NOT MATERIALIZED (…) so the planner can inline it, or put"
                f" ORDER BY … LIMIT k (and the filter) in the query on {tables[0]} itself; with"
                " a selective filter also SET hnsw.iterative_scan = relaxed_order.",
                fix_is_sql=False,
                object=f"plan: CTE {name}",
                node_id=sort.id,
            )

    @staticmethod
    def _fix(ctx: RuleContext, kind: str, name: str, k: rewrite.Knn) -> tuple[str, bool]:
        assert ctx.query is not None
        if kind == "cte" and ctx.sql is not None:
            cte = rewrite.find_cte(ctx.query, name)
            if cte is not None and cte.keyword_span is not None:
                start, end = cte.keyword_span
                repl = "NOT MATERIALIZED" if start != end else " NOT MATERIALIZED"
                new = rewrite.splice(ctx.sql, [(start, end, repl)])
                lines = [
                    f"-- let the planner inline {name} so ORDER BY … LIMIT reaches the index",
                    rewrite.display_sql(new),
                ]
                if cte.shape.where_text:
                    lines.insert(
                        1,
                        "-- with a selective filter, also SET hnsw.iterative_scan ="
                        " relaxed_order so the index scan finds enough rows",
                    )
                return "\n".join(lines), True
        return (
            f"Put ORDER BY {k.use.text} LIMIT k (and the filter) in the query on"
            f" {k.table.display} itself instead of sorting the rows of {name}.",
            False,
        )
