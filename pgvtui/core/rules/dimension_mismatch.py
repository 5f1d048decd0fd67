"""dimension-mismatch: the query vector's dimensions differ from the column's.

Not a plan shape: the statement fails (``different vector dimensions 3 and 64``, or
``expected 64 dimensions, not 3`` when a typmod cast is involved). pgvtui captures the error
(see :func:`pgvtui.core.search.run_explain`) and this rule explains it with the column's type
from the catalog and the query side from the parsed query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pgvtui.core.rules import rewrite
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

_DIFFERENT = re.compile(
    r"different (?:vector |halfvec |sparsevec |bit )?dimensions (\d+) and (\d+)"
)
_EXPECTED = re.compile(r"expected (\d+) dimensions, not (\d+)")


@register
class DimensionMismatch(Rule):
    id = "dimension-mismatch"
    severity = Severity.ERROR
    summary = "the query vector's dimensions differ from the column's (the query fails)"
    kind = "query"
    needs = frozenset({"error"})

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if not ctx.error:
            return
        m = _DIFFERENT.search(ctx.error)
        e = _EXPECTED.search(ctx.error)
        if m is None and e is None:
            return
        nums = {int(m.group(1)), int(m.group(2))} if m else set()
        if e:
            nums = {int(e.group(1)), int(e.group(2))}
        uses = []
        if ctx.query is not None:
            for _scope, d in ctx.query.all_distances():
                k = rewrite.resolve_use(ctx, d)
                if k is not None:
                    uses.append(k)
        col_dims = None
        target = None
        for k in uses:
            if k.column.dims is not None and k.column.dims in nums:
                target, col_dims = k, k.column.dims
                break
        if target is not None and col_dims is not None:
            others = nums - {col_dims}
            qdims = next(iter(others)) if others else target.use.query.dims
            ctype = rewrite.column_type(target.column)
            obj = f"{target.table.display}.{target.column.column}"
            msg = (
                f"the query vector has {qdims} dimensions but {obj} is {ctype}: the query fails"
                f" ({ctx.error})"
            )
            fix = (
                f"Use a query vector with {col_dims} dimensions — embedded by the same model as"
                f" the stored vectors — and cast it to {ctype} (e.g. $1::{ctype}); check with"
                f" SELECT vector_dims(<query vector>)."
            )
            evidence = f"server error: {ctx.error}; catalog: {obj} {ctype}"
            if target.use.query.kind == "literal":
                evidence += f"; the literal {target.use.query.text[:40]}… has {qdims} elements"
        else:
            obj = None
            msg = f"the query vector and the column have different dimensions ({ctx.error})"
            fix = (
                "Use query vectors from the same embedding model as the column, with the same"
                " number of dimensions (SELECT vector_dims(…) shows both)."
            )
            evidence = f"server error: {ctx.error}"
        yield self.finding(msg, evidence, fix, object=obj, fix_is_sql=False)
