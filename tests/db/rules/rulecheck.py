"""Helpers for the rule tests in this package: run a query through the real diagnosis path, run
one catalog rule over a live inventory, execute a finding's fix SQL."""

from __future__ import annotations

from collections.abc import Mapping

import psycopg

from pgvtui.core import catalog, search
from pgvtui.core.rules.base import Finding, RuleContext, all_rules
from pgvtui.core.session import Session
from tests.db.rules.shapes import findings_of


async def query_findings(
    session: Session, sql_text: str, rule: str, settings: Mapping[str, str] | None = None
) -> tuple[list[Finding], search.Diagnosis]:
    """EXPLAIN ANALYZE through :func:`search.diagnose` (read-only, rolled back); the findings of
    ``rule`` and the diagnosis (plan, context extras) for further assertions."""
    diag = await search.diagnose(session, sql_text, settings)
    assert diag.plan is not None, diag.search.error
    return findings_of(diag, rule), diag


async def catalog_findings(
    session: Session, rule: str, settings: Mapping[str, str] | None = None
) -> list[Finding]:
    """One catalog rule over a fresh inventory of the session's database."""
    inv = await catalog.inventory(session)
    merged: dict[str, str | None] = {**inv.settings, **dict(settings or {})}
    ctx = RuleContext(inventory=inv, settings=merged)
    return list(all_rules()[rule]().check(ctx))


def about(findings: list[Finding], obj: str) -> list[Finding]:
    return [f for f in findings if f.object == obj]


def fix_statements(finding: Finding, *, uncomment: tuple[str, ...] = ()) -> list[str]:
    """The runnable statements of a fix: non-comment lines, plus the part of a comment line from
    one of ``uncomment`` on (e.g. ``"VACUUM FULL"`` in ``-- rewrite: VACUUM FULL t;``)."""
    assert finding.fix is not None and finding.fix_is_sql
    out: list[str] = []
    for line in finding.fix.splitlines():
        text = line.strip()
        if text.startswith("--"):
            body = text[2:].strip()
            for start in uncomment:
                if start in body:
                    out.append(body[body.index(start) :].split("  --")[0])
                    break
            continue
        if text:
            out.append(text.split("  --")[0])
    return out


def run_fix(dsn: str, finding: Finding, *, uncomment: tuple[str, ...] = ()) -> list[str]:
    """Execute the fix's statements one by one in autocommit (CONCURRENTLY needs it)."""
    stmts = fix_statements(finding, uncomment=uncomment)
    assert stmts, finding.fix
    with psycopg.connect(dsn, autocommit=True) as conn:
        for stmt in stmts:
            conn.execute(stmt.encode())
    return stmts


def flush_stats(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """Make this backend's pending statistics visible to other sessions now."""
    conn.execute("SELECT pg_stat_force_next_flush()")
    conn.execute("SELECT 1")
