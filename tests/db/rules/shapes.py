"""Helpers for the query-shape rule tests: a schema with awkward identifiers, and running a
finding's rewritten query back through the diagnosis.

``make_space`` creates, in schema ``"Vec Space"`` (a space, capitals): ``"Items"`` (12,000 rows,
``id``, ``category`` 0..99, ``"Emb"`` vector(16), HNSW ``"Items L2"`` vector_l2_ops),
``"Cos Items"`` (``"Emb"`` vector(16), HNSW vector_cosine_ops) and ``"Queries"`` (10 rows,
``"select"`` vector(16) — a reserved word as a column name).
"""

from __future__ import annotations

import psycopg

from pgvtui.core import search
from pgvtui.core.rules.base import Finding
from pgvtui.core.session import Session
from tests.db.rules.conftest import create_vector_table, vector_literal

SCHEMA = '"Vec Space"'
ITEMS = '"Vec Space"."Items"'
COS = '"Vec Space"."Cos Items"'
QUERIES = '"Vec Space"."Queries"'
DIMS = 16
Q = vector_literal(dims=DIMS, seed=5)


def make_space(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    create_vector_table(
        conn,
        schema="Vec Space",
        table="Items",
        column="Emb",
        dims=DIMS,
        rows=12_000,
        index_name="Items L2",
    )
    create_vector_table(
        conn,
        schema="Vec Space",
        table="Cos Items",
        column="Emb",
        dims=DIMS,
        rows=12_000,
        opclass="vector_cosine_ops",
        index_name="Cos Items cos",
        category=False,
        seed=0.2,
    )
    create_vector_table(
        conn,
        schema="Vec Space",
        table="Queries",
        column="select",
        dims=DIMS,
        rows=10,
        index=None,
        category=False,
        seed=0.3,
    )


def fix_query(finding: Finding) -> str:
    """The rewritten query of a fix: its first non-comment statement that is a query."""
    assert finding.fix is not None and finding.fix_is_sql, finding.fix
    stmts = [
        line.strip()
        for line in finding.fix.splitlines()
        if line.strip() and not line.strip().startswith("--")
    ]
    queries = [s for s in stmts if s.lower().startswith(("select", "with"))]
    assert queries, finding.fix
    return queries[0].rstrip(";")


async def diagnose(
    session: Session, sql: str, settings: dict[str, str] | None = None
) -> search.Diagnosis:
    return await search.diagnose(session, sql, settings or {})


def rules_of(diag: search.Diagnosis) -> set[str]:
    return {f.rule for f in diag.findings}


def findings_of(diag: search.Diagnosis, rule: str) -> list[Finding]:
    """The diagnosis' findings of one rule, in order."""
    return [f for f in diag.findings if f.rule == rule]


def ann_used(diag: search.Diagnosis) -> bool:
    return diag.plan is not None and bool(diag.plan.ann_scans())
