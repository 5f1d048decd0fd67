"""function-not-inlined: the vector search runs inside a user function the planner cannot inline.

Context: ``RuleContext.extras["function_search"]`` (a :class:`pgvtui.core.functions.
FunctionSearch`), set when ``check`` unwraps a call such as ``SELECT * FROM
match_documents($1, $2)`` — the plan is then one ``Function Scan`` and the search inside is
diagnosed from the function's body. PostgreSQL inlines a set-returning function called in FROM
only when it is ``LANGUAGE sql``, not VOLATILE, not STRICT, not SECURITY DEFINER, has no SET
clauses and its body is one SELECT; otherwise the caller's WHERE and LIMIT cannot reach the
search: the function returns every row it produces first.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvtui.core import statement
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register

EXTRAS_KEY = "function_search"


@register
class FunctionNotInlined(Rule):
    id = "function-not-inlined"
    severity = Severity.INFO
    summary = "the search runs inside a function the planner cannot inline into the caller"
    kind = "query"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        fs = ctx.extras.get(EXTRAS_KEY)
        if fs is None:
            return
        why = list(fs.inline_blockers)
        if not why:
            return
        f = fs.function
        body_limit = ctx.sql is not None and statement.limit_kind(ctx.sql) == "value"
        severity = self.severity
        message = (
            f"{f.display}() runs the vector search and cannot be inlined into the calling query:"
            f" {'; '.join(why)}"
        )
        if fs.outer_limit is not None and not body_limit:
            severity = Severity.WARNING
            message += (
                f"; the caller's LIMIT {fs.outer_limit} applies only after the function has"
                " returned every row it found"
            )
        yield self.finding(
            message,
            f"called as: {fs.call_sql}; body: {f.language}"
            f" {dict(i='IMMUTABLE', s='STABLE', v='VOLATILE').get(f.volatility, f.volatility)}"
            + (" SECURITY DEFINER" if f.security_definer else ""),
            "Give the function its own LIMIT (a match_count argument with a non-null value) so "
            "the search inside stops at k rows; to let the planner inline it, rewrite it as "
            "LANGUAGE sql STABLE with a single SELECT (no SECURITY DEFINER, no SET clauses).",
            fix_is_sql=False,
            object=f.display,
            severity=severity,
        )
