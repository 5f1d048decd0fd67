"""The shape of a vector query, read from PostgreSQL's parse tree. Pure: no database, no I/O.

:func:`analyze_query` turns the first statement of a text into a frozen
:class:`~pgvtui.core.query.shape.QueryShape`: statement type, CTEs (with their MATERIALIZED
flag and their own shape), FROM items (tables with schema and alias, subqueries, functions,
joins, LATERAL), the select list and its aliases, the WHERE text, ORDER BY items, LIMIT/OFFSET
and every use of a pgvector distance operator (``lhs OP rhs``, also ``OPERATOR(schema.<->)``)
with its column side, its query-vector side and the clause it appears in.

The statement is read by :mod:`.parser` (libpg_query), so operator precedence, comments,
quoting and ``FETCH FIRST``/``TABLE``/``ROWS FROM`` are read exactly as the server reads them;
:mod:`.spans` finds where each node sits in the text so fixes can splice it. Expressions are
walked without recursion; query levels nested deeper than :data:`MAX_LEVELS` are not analysed.

Rules must not guess from this alone what the plan shows; they use it to find *which* table
and column a k-NN runs on (:meth:`QueryShape.knn`) and how the query is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pglast import ast
from pglast.enums.parsenodes import A_Expr_Kind, CTEMaterialize, SetOperation, SortByDir
from pglast.enums.primnodes import SubLinkType

from pgvtui.core.plan import VECTOR_OPERATORS
from pgvtui.core.query import parser
from pgvtui.core.query.shape import (
    Cast,
    ColumnSide,
    Cte,
    DistanceUse,
    FromItem,
    OrderItem,
    QueryShape,
    QuerySide,
    SelectItem,
    TableRef,
)
from pgvtui.core.query.spans import (
    CLAUSE_WORDS,
    COMMA,
    FROM_ITEM_ENDS,
    JOIN_WORDS,
    SourceText,
    const_locations,
)

MAX_LEVELS = 64  # nested query levels analysed (subqueries in subqueries …)

_STATEMENT_TYPES = {
    "InsertStmt": "INSERT",
    "UpdateStmt": "UPDATE",
    "DeleteStmt": "DELETE",
    "MergeStmt": "MERGE",
}


def analyze_query(sql: str) -> QueryShape:
    """The shape of the first statement in ``sql``.

    psycopg placeholders (``%s``, ``%(name)s``) are read as parameters. Text PostgreSQL's
    parser rejects (or that is over :mod:`.parser`'s limits) has the shape
    ``QueryShape("INVALID")``: nothing in it, so no rule reads anything into it."""
    try:
        mapped, holders = parser.map_placeholders(sql)
        stmts, tokens = parser.parse_scanned(mapped)
    except parser.SqlError:
        return QueryShape(statement_type="INVALID")
    if not stmts:
        return QueryShape(statement_type="EMPTY")
    try:
        consts = const_locations(mapped, parser.parse_json(mapped), stmts)
    except parser.SqlError:  # libpg_query's JSON writer has a depth limit of its own
        consts = {}
    src = SourceText(sql, tokens, holders, consts)
    src.index_tree(stmts[0])
    params = {h.number: h.text for h in holders}
    raw = stmts[0]
    first = src.after(raw.stmt_location or 0)
    end = len(src.toks) - 1
    if raw.stmt_len:
        end = src.after((raw.stmt_location or 0) + raw.stmt_len) - 1
    while end > first and src.is_(end, "ASCII_59"):
        end -= 1
    return _Analyzer(src, params).statement(raw.stmt, None, (first, end), 0)


# --------------------------------------------------------------------------------------------
# Name resolution
# --------------------------------------------------------------------------------------------


@dataclass
class _Scope:
    """Name resolution for one query level (with its parent for LATERAL/correlated refs)."""

    ctes: set[str]
    parent: _Scope | None
    from_items: list[FromItem] = field(default_factory=list)
    cte_shapes: dict[str, QueryShape] = field(default_factory=dict)

    def cte_shape(self, name: str) -> QueryShape | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.cte_shapes:
                return scope.cte_shapes[name]
            scope = scope.parent
        return None

    def resolve_local(self, qualifier: str | None) -> bool:
        """True when ``qualifier`` names a FROM item of this level (not an outer one)."""
        if qualifier is None:
            return bool(self.from_items)
        return any(f.ref_name == qualifier for f in self.from_items)

    def all_ctes(self) -> set[str]:
        out: set[str] = set()
        scope: _Scope | None = self
        while scope is not None:
            out |= scope.ctes
            scope = scope.parent
        return out

    def resolve(self, qualifier: str | None) -> FromItem | None:
        scope: _Scope | None = self
        while scope is not None:
            items = scope.from_items
            if qualifier is None:
                tables = [f for f in items if f.kind == "table"]
                if len(items) == 1:
                    return items[0]
                if len(tables) == 1:
                    return tables[0]  # best guess: the only base table at this level
                if items:
                    return None
            else:
                for f in items:
                    if f.ref_name == qualifier:
                        return f
            scope = scope.parent
        return None


# --------------------------------------------------------------------------------------------
# Analysis
# --------------------------------------------------------------------------------------------


class _Analyzer:
    def __init__(self, src: SourceText, params: dict[int, str]) -> None:
        self.src = src
        self.params = params
        self._bare_select: dict[int, bool] = {}  # id(SelectItem) → its expression is a distance

    # -- statements ------------------------------------------------------------------------------
    def statement(
        self, node: Any, parent: _Scope | None, rng: tuple[int, int] | None, level: int
    ) -> QueryShape:
        """One statement (or a CTE body / subquery); ``rng`` its token range when known."""
        if isinstance(node, ast.SelectStmt):
            if level > MAX_LEVELS:
                return QueryShape(statement_type="SELECT")
            return self.select(node, parent, rng, level)
        kind = _STATEMENT_TYPES.get(type(node).__name__)
        if kind is None:
            kind = self.src.toks[rng[0]].text.upper() if rng is not None else "OTHER"
        ctes: tuple[Cte, ...] = ()
        with_clause = getattr(node, "withClause", None)
        if isinstance(with_clause, ast.WithClause) and level <= MAX_LEVELS:
            ctes = tuple(self.ctes(with_clause, parent, level))
        return QueryShape(statement_type=kind, ctes=ctes)

    def ctes(self, clause: ast.WithClause, parent: _Scope | None, level: int) -> list[Cte]:
        src = self.src
        out: list[Cte] = []
        known: set[str] = set()
        for cte in clause.ctes or ():
            if not isinstance(cte, ast.CommonTableExpr) or cte.ctename is None:
                continue
            name = cte.ctename
            scope = _Scope(known | {name}, parent, cte_shapes={c.name: c.shape for c in out})
            # name [(cols)] AS [NOT] MATERIALIZED ( body )
            k = src.at(cte.location or 0)
            if src.is_(k + 1, "ASCII_40"):
                k = src.match[k + 1]
            kw_span: tuple[int, int] | None = None
            body: tuple[int, int] | None = None
            if src.is_(k + 1, "AS"):
                k += 1
                kw_span = (src.end(k), src.end(k))
                if src.is_(k + 1, "MATERIALIZED"):
                    kw_span = src.span(k + 1, k + 1)
                    k += 1
                elif src.is_(k + 1, "NOT") and src.is_(k + 2, "MATERIALIZED"):
                    kw_span = src.span(k + 1, k + 2)
                    k += 2
                if src.is_(k + 1, "ASCII_40") and src.match[k + 1] > k + 2:
                    body = (k + 2, src.match[k + 1] - 1)
            shape = self.statement(cte.ctequery, scope, body, level + 1)
            mat = {
                CTEMaterialize.CTEMaterializeAlways: True,
                CTEMaterialize.CTEMaterializeNever: False,
            }.get(cte.ctematerialized or CTEMaterialize.CTEMaterializeDefault)
            out.append(Cte(name=name, materialized=mat, shape=shape, keyword_span=kw_span))
            known.add(name)
        return out

    def select(
        self, sel: ast.SelectStmt, parent: _Scope | None, rng: tuple[int, int] | None, level: int
    ) -> QueryShape:
        src = self.src
        ctes: list[Cte] = []
        if sel.withClause is not None:
            ctes = self.ctes(sel.withClause, parent, level)
        scope = _Scope({c.name for c in ctes}, parent, cte_shapes={c.name: c.shape for c in ctes})
        if rng is None:
            rng = self._level_range(sel)
        span = src.span(*rng) if rng is not None and rng[1] >= rng[0] else None

        if sel.op != SetOperation.SETOP_NONE:
            base = self._set_operation(sel, scope, level)
        else:
            base = self._simple_select(sel, scope, level)
        order_by, ds, subs, order_span = self._order_by(sel, scope, base.select_items, level)
        limit, limit_text, offset, limit_span = self._limits(sel, rng)
        return replace(
            base,
            ctes=tuple(ctes),
            order_by=order_by or base.order_by,
            distances=_unique([*base.distances, *ds]),
            subqueries=(*base.subqueries, *subs),
            limit=limit if limit_text is not None else base.limit,
            limit_text=limit_text if limit_text is not None else base.limit_text,
            offset=offset if offset is not None else base.offset,
            span=span,
            order_by_span=order_span or base.order_by_span,
            limit_span=limit_span or base.limit_span,
        )

    def _set_operation(self, sel: ast.SelectStmt, scope: _Scope, level: int) -> QueryShape:
        """UNION / INTERSECT / EXCEPT: the first branch gives the columns, the others are
        analysed as subqueries. Iterative over long chains."""
        branches: list[ast.SelectStmt] = []
        node: Any = sel
        while isinstance(node, ast.SelectStmt) and node.op != SetOperation.SETOP_NONE:
            if node is not sel and (node.sortClause or node.limitCount or node.withClause):
                break  # a parenthesised set operation with its own ORDER BY: one branch
            if node.rarg is not None:
                branches.append(node.rarg)
            node = node.larg
        first_scope = _Scope(set(), scope, cte_shapes={})
        first = self.statement(node, first_scope, None, level + 1)
        others = [
            self.statement(b, _Scope(set(), scope), None, level + 1)
            for b in reversed(branches)
            if b is not None
        ]
        if first.order_by or first.limit_text is not None:
            # (SELECT … ORDER BY … LIMIT …) UNION …: that branch is a level of its own
            return QueryShape(
                statement_type=first.statement_type,
                select_items=first.select_items,
                subqueries=(first, *others),
            )
        return replace(first, subqueries=(*first.subqueries, *others), span=None)

    def _simple_select(self, sel: ast.SelectStmt, scope: _Scope, level: int) -> QueryShape:
        src = self.src
        kind = "SELECT"
        if sel.valuesLists:
            kind = "VALUES"
        from_items = self._from(sel.fromClause or (), scope, level)
        scope.from_items = from_items
        if kind == "SELECT" and sel.fromClause:
            k = self._from_start(sel.fromClause[0])
            if k is not None:
                k -= 1
                while src.is_(k, "ONLY"):
                    k -= 1
                if src.is_(k, "TABLE"):
                    kind = "TABLE"
        distances: list[DistanceUse] = []
        subqueries: list[QueryShape] = []
        select_items: list[SelectItem] = []
        if kind != "TABLE":
            for target in sel.targetList or ():
                if not isinstance(target, ast.ResTarget) or target.val is None:
                    continue
                ds, subs = self.scan(target.val, "select", scope, level)
                item = SelectItem(
                    text=self._target_text(target), alias=target.name, distances=tuple(ds)
                )
                self._bare_select[id(item)] = len(ds) == 1 and _is_distance(target.val)
                select_items.append(item)
                distances.extend(ds)
                subqueries.extend(subs)
        for row in sel.valuesLists or ():
            ds, subs = self.scan(row, "select", scope, level)
            distances.extend(ds)
            subqueries.extend(subs)
        where_text = where_span = None
        if sel.whereClause is not None:
            r = src.node_range(sel.whereClause)
            if r is not None:
                r = src.parenthesised(*r)
                hi = src.run_end(r[0], CLAUSE_WORDS, comma=False)
                where_span = src.span(r[0], max(hi, r[1]))
                where_text = src.original[where_span[0] : where_span[1]]
            ds, subs = self.scan(sel.whereClause, "where", scope, level)
            distances.extend(ds)
            subqueries.extend(subs)
        for node, clause in (
            (sel.groupClause, "group_by"),
            (sel.havingClause, "having"),
            (sel.windowClause, "other"),
            (sel.distinctClause, "other"),
        ):
            if node:
                ds, subs = self.scan(node, clause, scope, level)
                distances.extend(ds)
                subqueries.extend(subs)
        return QueryShape(
            statement_type=kind,
            distances=_unique(distances),
            where_text=where_text,
            from_items=tuple(from_items),
            select_items=tuple(select_items),
            subqueries=tuple(subqueries),
            where_span=where_span,
        )

    def _target_text(self, target: ast.ResTarget) -> str:
        """The select-list expression as written, without ``[AS] alias``."""
        r = self.src.node_range(target.val) if target.val is not None else None
        if r is None:
            return ""
        return self.src.text(*r)

    def _level_range(self, sel: ast.SelectStmt) -> tuple[int, int] | None:
        """The tokens inside the parentheses around a nested query level."""
        src = self.src
        anchor: Any = sel
        while isinstance(anchor, ast.SelectStmt) and anchor.op != SetOperation.SETOP_NONE:
            anchor = anchor.larg
        if not isinstance(anchor, ast.SelectStmt):
            return None
        k = -1
        for target in anchor.targetList or ():
            loc = getattr(target, "location", -1)
            if isinstance(loc, int) and loc >= 0:
                k = src.at(loc)
                break
        if k < 0:
            for part in (anchor.fromClause, anchor.valuesLists):
                if part:
                    r = src.node_range(part[0]) if isinstance(part[0], ast.Node) else None
                    if r is None and isinstance(part[0], tuple) and part[0]:
                        r = src.node_range(part[0][0])
                    if r is not None:
                        k = r[0]
                        break
        if k < 0:
            return None
        group = src.group_of(k)
        if anchor.valuesLists and group is not None:
            group = src.group_of(group[0])
        if group is None:
            return None
        return group[0] + 1, group[1] - 1

    # -- FROM ------------------------------------------------------------------------------------
    def _from(self, nodes: Sequence[Any], scope: _Scope, level: int) -> list[FromItem]:
        src = self.src
        out: list[FromItem] = []
        leaves: list[tuple[Any, Any]] = []  # (leaf node, quals/using of the join it ends)
        stack: list[tuple[Any, Any]] = [(n, None) for n in reversed(nodes)]
        while stack:
            node, quals = stack.pop()
            if isinstance(node, ast.JoinExpr):
                stack.append((node.rarg, node.quals if node.quals is not None else node))
                stack.append((node.larg, None))
            else:
                leaves.append((node, quals))
        for node, quals in leaves:
            start = self._from_start(node)
            lateral = bool(getattr(node, "lateral", False))
            if start is None:
                out.append(FromItem(kind="other", text=""))
                continue
            k = start
            while src.is_(k - 1, "LATERAL_P", "ONLY"):
                k -= 1
                lateral = lateral or src.names[k] == "LATERAL_P"
            sep_start, join_type = self._separator(k - 1)
            head = start + 2 if src.is_(start, "ROWS") and src.is_(start + 1, "FROM") else start
            end = src.run_end(head, FROM_ITEM_ENDS)
            item = self._from_leaf(node, scope, lateral, out, level)
            item = replace(
                item,
                text=src.text(k, end),
                join_type=join_type,
                lateral=lateral,
                span=src.span(k, end),
                sep_start=sep_start,
            )
            out.append(item)
            if quals is not None:
                scope.from_items = out
                if src.is_(end + 1, "ON"):
                    q_end = src.run_end(end + 2, FROM_ITEM_ENDS)
                    if isinstance(quals, ast.Node) and not isinstance(quals, ast.JoinExpr):
                        self.scan(quals, "join", scope, level)
                    out[-1] = replace(item, span=src.span(k, q_end))
                elif src.is_(end + 1, "USING") and src.is_(end + 2, "ASCII_40"):
                    out[-1] = replace(item, span=src.span(k, max(end, src.match[end + 2])))
        return out

    def _from_start(self, node: Any) -> int | None:
        src = self.src
        if isinstance(node, ast.RangeVar):
            return src.at(node.location) if node.location is not None else None
        if isinstance(node, ast.RangeSubselect) and isinstance(node.subquery, ast.SelectStmt):
            inner = self._level_range(node.subquery)
            if inner is not None:
                return inner[0] - 1
        r = src.node_range(node)
        if r is None:
            return None
        if isinstance(node, ast.RangeFunction) and node.is_rowsfrom:
            group = src.group_of(r[0])
            if (
                group is not None
                and src.is_(group[0] - 1, "FROM")
                and src.is_(group[0] - 2, "ROWS")
            ):
                return group[0] - 2
        return r[0]

    def _separator(self, k: int) -> tuple[int | None, str | None]:
        """Where the separator before a FROM item (ending at token ``k``) starts, and the join
        type its words spell (None for a comma or the first item)."""
        src = self.src
        if src.is_(k, COMMA):
            return src.start(k), None
        if not src.is_(k, "JOIN"):
            return None, None
        j = k
        while src.is_(j - 1, *JOIN_WORDS):
            j -= 1
        words = [src.names[x] for x in range(j, k + 1)]
        kinds = [w.removesuffix("_P").lower() for w in words if w not in ("JOIN", "OUTER_P")]
        return src.start(j), " ".join(kinds) if kinds else "inner"

    def _from_leaf(
        self, node: Any, scope: _Scope, lateral: bool, so_far: list[FromItem], level: int
    ) -> FromItem:
        alias = _alias(node)
        if isinstance(node, ast.RangeTableSample):
            node = node.relation
        if isinstance(node, ast.RangeVar):
            name = node.relname or ""
            schema = node.schemaname
            kind = "cte" if schema is None and name in scope.all_ctes() else "table"
            return FromItem(kind=kind, text="", schema=schema, name=name, alias=alias)
        if isinstance(node, ast.RangeSubselect):
            inner = _Scope(scope.all_ctes(), scope.parent)
            if lateral:
                inner.from_items = list(so_far)
            sub = self.statement(node.subquery, inner, None, level + 1)
            kind = "values" if sub.statement_type == "VALUES" else "subquery"
            return FromItem(kind=kind, text="", alias=alias, subquery=sub)
        if isinstance(node, ast.RangeFunction):
            fname = None
            for item in node.functions or ():
                call = item[0] if isinstance(item, tuple) and item else item
                if isinstance(call, ast.FuncCall) and fname is None:
                    fname = ".".join(parser.names(call.funcname))
                if isinstance(call, ast.Node):
                    self.scan(call, "other", scope, level)
            return FromItem(kind="function", text="", name=fname, alias=alias)
        return FromItem(kind="other", text="", alias=alias)

    # -- ORDER BY / LIMIT ------------------------------------------------------------------------
    def _order_by(
        self, sel: ast.SelectStmt, scope: _Scope, select_items: Sequence[SelectItem], level: int
    ) -> tuple[tuple[OrderItem, ...], list[DistanceUse], list[QueryShape], tuple[int, int] | None]:
        src = self.src
        items: list[OrderItem] = []
        distances: list[DistanceUse] = []
        subqueries: list[QueryShape] = []
        clause_span = None
        for sort in sel.sortClause or ():
            if not isinstance(sort, ast.SortBy) or sort.node is None:
                continue
            r = src.node_range(sort.node)
            if r is None:
                continue
            r = src.parenthesised(*r)
            lo = r[0]
            end = max(src.run_end(lo, CLAUSE_WORDS), r[1])
            expr_end = end
            if src.is_(expr_end, "FIRST_P", "LAST_P") and src.is_(expr_end - 1, "NULLS_P"):
                expr_end -= 2
            if src.is_(expr_end, "ASC", "DESC"):
                expr_end -= 1
            elif sort.useOp:
                u = expr_end
                while u > r[1] and not src.is_(u, "USING"):
                    u -= 1
                if src.is_(u, "USING"):
                    expr_end = u - 1
            expr_end = max(expr_end, r[1])
            if clause_span is None:
                first = lo - 2 if src.is_(lo - 1, "BY") and src.is_(lo - 2, "ORDER") else lo
                clause_span = (src.start(first), src.end(end))
            clause_span = (clause_span[0], src.end(end))
            ds, subs = self.scan(sort.node, "order_by", scope, level)
            subqueries.extend(subs)
            using = parser.names(sort.useOp)
            descending = sort.sortby_dir == SortByDir.SORTBY_DESC or (
                bool(using) and using[-1] in (">", ">=")
            )
            items.append(
                self._order_item(
                    sort.node,
                    ds,
                    select_items,
                    text=src.text(lo, expr_end),
                    descending=descending,
                    span=src.span(lo, end),
                    expr_span=src.span(lo, expr_end),
                )
            )
            distances.extend(ds)
        return tuple(items), distances, subqueries, clause_span

    def _order_item(
        self,
        expr: Any,
        ds: list[DistanceUse],
        select_items: Sequence[SelectItem],
        **where: Any,
    ) -> OrderItem:
        refs: list[str] = []
        for sub in parser.walk(expr):
            if isinstance(sub, ast.ColumnRef):
                refs.extend(n for n in parser.names(sub.fields) if n != "*")
        ordinal = _int_const(expr)
        wrapped = bool(ds) and not (len(ds) == 1 and _is_distance(expr))
        alias = None
        via: list[DistanceUse] = []
        target: SelectItem | None = None
        bare_name = parser.names(expr.fields) if isinstance(expr, ast.ColumnRef) else ()
        if ordinal is not None and 1 <= ordinal <= len(select_items):
            target = select_items[ordinal - 1]
        elif len(bare_name) == 1:
            for s in select_items:
                if s.alias == bare_name[0]:
                    target = s
                    alias = s.alias
                    break
        else:
            # an alias used inside a larger expression (ORDER BY dist + 0): wrapped
            for s in select_items:
                if s.alias and s.alias in refs and s.distances:
                    via.extend(s.distances)
                    wrapped = True
        if target is not None and target.distances:
            via.extend(target.distances)
            wrapped = not self._bare_select.get(id(target), False)
        all_ds = [*ds, *[d for d in via if d not in ds]]
        return OrderItem(
            ordinal=ordinal,
            alias=alias,
            distances=tuple(
                replace(d, clause="order_by") if d.clause != "order_by" else d for d in all_ds
            ),
            wrapped=wrapped,
            references=tuple(refs),
            **where,
        )

    def _limits(
        self, sel: ast.SelectStmt, rng: tuple[int, int] | None
    ) -> tuple[int | None, str | None, int | None, tuple[int, int] | None]:
        """(limit, limit_text, offset, span of the LIMIT/OFFSET/FETCH clauses)."""
        src = self.src
        limit = offset = None
        limit_text = None
        starts: list[int] = []
        ends: list[int] = []
        count = sel.limitCount
        if count is not None and not (isinstance(count, ast.A_Const) and count.isnull):
            limit = _int_const(count)
            r = src.node_range(count)
            if r is None:  # FETCH FIRST ROW ONLY: an implicit 1
                limit_text = str(limit) if limit is not None else "1"
                kw = self._fetch_keyword(rng)
                if kw is not None:
                    starts.append(src.start(kw))
                    ends.append(src.end(src.run_end(kw + 1, CLAUSE_WORDS)))
            else:
                limit_text = src.text(*r)
                r = src.parenthesised(*r)
                kw = r[0] - 1
                if src.is_(kw, "FIRST_P", "NEXT") and src.is_(kw - 1, "FETCH"):
                    kw -= 1
                if src.is_(kw, "LIMIT", "FETCH"):
                    starts.append(src.start(kw))
                    ends.append(src.end(max(src.run_end(r[0], CLAUSE_WORDS), r[1])))
        elif count is not None:
            r = src.node_range(count)  # LIMIT ALL / LIMIT NULL: no limit, but a clause
            if r is not None and src.is_(r[0] - 1, "LIMIT"):
                starts.append(src.start(r[0] - 1))
                ends.append(src.end(r[1]))
        if sel.limitOffset is not None:
            offset = _int_const(sel.limitOffset)
            r = src.node_range(sel.limitOffset)
            r = src.parenthesised(*r) if r is not None else None
            if r is not None and src.is_(r[0] - 1, "OFFSET"):
                starts.append(src.start(r[0] - 1))
                ends.append(src.end(max(src.run_end(r[0], CLAUSE_WORDS), r[1])))
        span = (min(starts), max(ends)) if starts else None
        return limit, limit_text, offset, span

    def _fetch_keyword(self, rng: tuple[int, int] | None) -> int | None:
        """The last FETCH token at this level's own bracket depth."""
        src = self.src
        if rng is None or rng[1] < rng[0]:
            return None
        level = src.enclosing[rng[0]]
        for k in range(rng[1], rng[0] - 1, -1):
            if src.names[k] == "FETCH" and src.enclosing[k] == level:
                return k
        return None

    # -- expressions -----------------------------------------------------------------------------
    def scan(
        self, root: Any, clause: str, scope: _Scope, level: int
    ) -> tuple[list[DistanceUse], list[QueryShape]]:
        """Distance uses and subqueries in an expression (iterative)."""
        distances: list[DistanceUse] = []
        subqueries: list[QueryShape] = []
        stack: list[Any] = [root]
        while stack:
            item = stack.pop()
            if isinstance(item, tuple):
                stack.extend(reversed(item))
                continue
            if not isinstance(item, ast.Node):
                continue
            if isinstance(item, ast.SubLink):
                if item.testexpr is not None:
                    stack.append(item.testexpr)
                if item.subselect is not None:
                    inner = _Scope(scope.all_ctes(), scope)
                    subqueries.append(self.statement(item.subselect, inner, None, level + 1))
                continue
            if isinstance(item, ast.SelectStmt):  # e.g. inside a RangeFunction; not expected
                continue
            if isinstance(item, ast.A_Expr) and _is_distance(item):
                d = self.distance(item, clause, scope)
                if d is not None:
                    distances.append(d)
            slots: Any = getattr(type(item), "__slots__", {})
            children = [getattr(item, a, None) for a in slots]
            stack.extend(reversed([c for c in children if isinstance(c, ast.Node | tuple)]))
        return distances, subqueries

    def distance(self, node: ast.A_Expr, clause: str, scope: _Scope) -> DistanceUse | None:
        src = self.src
        left, right = node.lexpr, node.rexpr
        span = src.node_span(node)
        if span is None or left is None or right is None:
            return None
        column = self.column_side(left)
        query = self.query_side(right, scope)
        swapped = False
        if column.name is None and column.function is None:
            rhs_col = self.column_side(right)
            lhs_as_query = self.query_side(left, scope)
            if rhs_col.name is not None and lhs_as_query.kind in (
                "literal",
                "param",
                "subquery",
                "function",
                "other",
            ):
                column, query, swapped = rhs_col, lhs_as_query, True
        elif query.kind in ("column", "cte_ref") and column.name is not None:
            # both sides are columns: the one on a base table is the column side
            lt = scope.resolve(column.qualifier)
            rq = self.column_side(right)
            rt = scope.resolve(rq.qualifier)
            if (lt is None or lt.kind != "table") and rt is not None and rt.kind == "table":
                column, query, swapped = rq, self.query_side(left, scope), True
        table: TableRef | None = None
        via: str | None = None
        if column.name is not None:
            f = scope.resolve(column.qualifier)
            if f is not None and f.kind == "table" and f.name:
                table = TableRef(schema=f.schema, name=f.name)
            elif f is not None and f.kind == "cte" and f.name:
                via = f"cte:{f.name}"
                inner = scope.cte_shape(f.name)
                table = _source_table(inner) if inner is not None else None
            elif f is not None and f.kind == "subquery" and f.subquery is not None:
                via = f"subquery:{f.ref_name or '?'}"
                table = _source_table(f.subquery)
        names = parser.names(node.name)
        return DistanceUse(
            operator=names[-1],
            column=column,
            query=query,
            clause=clause,
            text=src.original[span[0] : span[1]],
            table=table,
            swapped=swapped,
            via=via,
            span=span,
        )

    def column_side(self, node: Any) -> ColumnSide:
        text = self.src.node_text(node)
        core, casts = self._strip(node)
        function = None
        if isinstance(core, ast.FuncCall) and core.args and len(core.args) == 1:
            function = ".".join(parser.names(core.funcname)).lower()
            core, casts = self._strip(core.args[0])
        if not isinstance(core, ast.ColumnRef):
            return ColumnSide(text=text, name=None, qualifier=None, casts=casts, function=function)
        names = parser.names(core.fields)
        if not names or names[-1] == "*":
            return ColumnSide(text=text, name=None, qualifier=None, casts=casts, function=function)
        return ColumnSide(
            text=text,
            name=names[-1],
            qualifier=names[-2] if len(names) >= 2 else None,
            schema=names[-3] if len(names) >= 3 else None,
            casts=casts,
            function=function,
        )

    def query_side(self, node: Any, scope: _Scope) -> QuerySide:
        return replace(self._query_side(node, scope), uncast_text=self._uncast_text(node))

    def _uncast_text(self, node: Any) -> str:
        core, _casts = self._strip(node)
        r = self.src.node_range(core) if isinstance(core, ast.Node) else None
        return self.src.text(*r) if r is not None else ""

    def _query_side(self, node: Any, scope: _Scope) -> QuerySide:
        text = self.src.node_text(node)
        core, casts = self._strip(node)
        if isinstance(core, ast.A_Const) and isinstance(core.val, ast.String):
            value = core.val.sval or ""
            return QuerySide(text=text, kind="literal", casts=casts, literal_dims=_dims(value))
        if isinstance(core, ast.ParamRef):
            number = core.number or 0
            param = self.params.get(number, f"${number}")
            return QuerySide(text=text, kind="param", casts=casts, param=param)
        if isinstance(core, ast.A_ArrayExpr):
            dims = len(core.elements or ())
            return QuerySide(text=text, kind="literal", casts=casts, literal_dims=dims)
        if isinstance(core, ast.SubLink) and core.subLinkType in (
            SubLinkType.EXPR_SUBLINK,
            SubLinkType.ARRAY_SUBLINK,
        ):
            return QuerySide(text=text, kind="subquery", casts=casts)
        if isinstance(core, ast.ColumnRef):
            names = parser.names(core.fields)
            if names and names[-1] != "*":
                name = names[-1]
                qualifier = names[-2] if len(names) >= 2 else None
                f = scope.resolve(qualifier) if qualifier else None
                kind = "column"
                from_kind = f.kind if f is not None else None
                from_name = f.ref_name if f is not None else None
                if f is not None and not scope.resolve_local(qualifier):
                    from_kind = "outer"
                if (f is not None and f.kind == "cte") or (
                    qualifier is None and name in scope.all_ctes()
                ):
                    kind = "cte_ref"
                return QuerySide(
                    text=text,
                    kind=kind,
                    casts=casts,
                    name=name,
                    qualifier=qualifier,
                    from_kind=from_kind,
                    from_name=from_name,
                )
        if isinstance(core, ast.FuncCall):
            fname = ".".join(parser.names(core.funcname)).lower()
            return QuerySide(text=text, kind="function", casts=casts, function=fname)
        return QuerySide(text=text, kind="other", casts=casts)

    def _strip(self, node: Any) -> tuple[Any, tuple[Cast, ...]]:
        """``expr::a::b(3)`` → (expr, (a, b(3))), also ``CAST(expr AS t)``; ``COLLATE`` is
        looked through."""
        casts: list[Cast] = []
        while True:
            if isinstance(node, ast.TypeCast) and node.arg is not None and node.typeName:
                casts.insert(0, self._cast(node.typeName))
                node = node.arg
            elif isinstance(node, ast.CollateClause) and node.arg is not None:
                node = node.arg
            else:
                return node, tuple(casts)

    def _cast(self, tn: ast.TypeName) -> Cast:
        src = self.src
        names = parser.names(tn.names)
        dims = _int_const(tn.typmods[0]) if tn.typmods else None
        text = ""
        if tn.location is not None and tn.location >= 0:
            k = src.at(tn.location)
            text = src.text(k, src.type_end(k))
        type_name = names[-1].lower() if names else text.lower()
        return Cast(type=type_name, dims=dims, text=text or type_name)


# --------------------------------------------------------------------------------------------
# Small readers
# --------------------------------------------------------------------------------------------


def _is_distance(node: Any) -> bool:
    if not isinstance(node, ast.A_Expr) or node.kind != A_Expr_Kind.AEXPR_OP:
        return False
    names = parser.names(node.name)
    return bool(names) and names[-1] in VECTOR_OPERATORS and node.lexpr is not None


def _int_const(node: Any) -> int | None:
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.Integer):
        return int(node.val.ival or 0)
    return None


def _alias(node: Any) -> str | None:
    alias = getattr(node, "alias", None)
    if isinstance(alias, ast.Alias) and alias.aliasname:
        return str(alias.aliasname)
    return None


def _dims(value: str) -> int | None:
    """Dimensions of a vector literal text: '[1,2,3]' → 3, '{1:1,3:2}/5' → 5 (sparsevec)."""
    v = value.strip()
    if v.startswith("[") and v.endswith("]"):
        inner = v[1:-1].strip()
        return 0 if not inner else inner.count(",") + 1
    m = re.fullmatch(r"\{.*\}\s*/\s*(\d+)", v, re.S)
    if m:
        return int(m.group(1))
    if re.fullmatch(r"[01]+", v):  # bit literal as text
        return len(v)
    return None


def _unique(ds: Sequence[DistanceUse]) -> tuple[DistanceUse, ...]:
    out: list[DistanceUse] = []
    for d in ds:
        if d not in out:
            out.append(d)
    return tuple(out)


def _source_table(shape: QueryShape) -> TableRef | None:
    """The one base table a CTE/subquery reads from (through nested CTEs), if unambiguous."""
    for _ in range(MAX_LEVELS):
        tables = [f for f in shape.from_items if f.kind == "table" and f.name]
        if len(tables) == 1 and len(shape.from_items) == 1:
            return TableRef(schema=tables[0].schema, name=tables[0].name or "")
        if len(shape.from_items) != 1:
            return None
        f = shape.from_items[0]
        if f.subquery is not None:
            shape = f.subquery
            continue
        c = shape.cte(f.name) if f.kind == "cte" and f.name else None
        if c is None:
            return None
        shape = c.shape
    return None
