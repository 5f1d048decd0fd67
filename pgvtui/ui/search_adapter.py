"""Adapter between the Search screen and the core's safe execution path.

Runs one query through ``pgvtui.core.search`` (guarded EXPLAIN ANALYZE in a read-only
transaction with SET LOCAL settings) and returns the Search screen's outcome: the plan, the
query-rule findings and a few result rows for the table. Kept separate so the screen never
depends on the core's call shape.

A statement as the application sends it — any number of ``$n`` parameters, or a call of a
function whose body searches vectors — goes through :func:`pgvtui.core.appcheck.check_statement`
instead (what ``pgvtui check --sql`` runs): with no values its **generic plan**, with ``sample``
/ ``params`` EXPLAIN ANALYZE with values sampled from the data or typed in; the function's body
is what gets diagnosed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pgvtui.core import appcheck, search
from pgvtui.core.models import Inventory
from pgvtui.core.rules.base import Finding, RuleContext, run_rules
from pgvtui.core.session import Session
from pgvtui.errors import PgvtuiError, QueryFailed
from pgvtui.ui.backend import SearchOutcome

MAX_ROWS = 50
MAX_CELL = 60


def cell(value: Any) -> str:
    """A result value as a short display string (vectors are long)."""
    if value is None:
        return "NULL"
    text = f"{value:.6g}" if isinstance(value, float) else str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


async def run(
    session: Session,
    sql: str,
    settings: dict[str, str],
    inventory: Inventory | None,
    *,
    sample: bool = False,
    params: Mapping[int, str] | None = None,
) -> SearchOutcome:
    """:func:`pgvtui.core.search.diagnose`: guard, EXPLAIN ANALYZE in a read-only transaction,
    a preview of the rows, the ``enable_seqscan = off`` re-plan when useful, the query rules.
    A statement (:func:`pgvtui.core.appcheck.is_statement`) is checked as ``pgvtui check --sql``
    does: its generic plan, or with ``sample`` / ``params`` run with values. The outcome's
    ``wall_ms`` is the caller's to fill in."""
    text, info = appcheck.as_dollar_params(sql)  # %s / %(name)s as written in code: $n
    check: appcheck.StatementCheck | None = None
    if appcheck.is_statement(info):
        check = await appcheck.check_statement(
            session,
            text,
            settings,
            info=info,
            sample=sample,
            params=params,
            inventory=inventory,
            preview_rows=MAX_ROWS,
        )
        diag = check.diagnosis
    else:
        diag = await search.diagnose(
            session, sql, settings, inventory=inventory, preview_rows=MAX_ROWS
        )
    res = diag.search
    return SearchOutcome(
        sql=sql,
        settings=dict(settings),
        plan=res.plan,
        findings=tuple(diag.findings),
        columns=res.result_columns,
        rows=tuple(tuple(cell(v) for v in r) for r in res.result_rows),
        error=QueryFailed(res.error.message, title=res.error.title) if res.error else None,
        generic=check is not None and check.generic,
        bound=check.bound if check is not None else (),
        function=check.function if check is not None else None,
    )


def findings_for_error(
    sql: str, settings: Mapping[str, str], inventory: Inventory | None, exc: PgvtuiError
) -> list[Finding]:
    """Query rules that explain a server error (e.g. a dimension mismatch); no plan needed."""
    from pgvtui.core.query import analyze_query

    query = analyze_query(sql)
    ctx = RuleContext(
        inventory=inventory,
        sql=sql,
        query=query,
        settings={**(inventory.settings if inventory else {}), **settings},
        error=exc.message,
    )
    return run_rules(ctx, kinds=("query",))
