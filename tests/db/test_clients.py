"""The client-library fixtures build, and their statements reach pg_stat_statements with $n."""

from __future__ import annotations

import psycopg

from tests.db import clients


def test_clients_build_and_are_recorded(dsn: str, admin: psycopg.Connection) -> None:
    clients.enable_pg_stat_statements(admin)
    built = clients.build(admin, rows=600)
    admin.execute("SELECT pg_stat_statements_reset()")
    clients.run_queries(dsn, built, times=2)
    texts = [
        r[0]
        for r in admin.execute(
            "SELECT query FROM pg_stat_statements WHERE dbid ="
            " (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchall()
    ]
    for client in built.values():
        assert any(client.table in t for t in texts), client.name
    lc = next(t for t in texts if "langchain_pg_embedding" in t and "<=>" in t)
    assert "$2::UUID" in lc and "$3::INTEGER" in lc
    hay = next(t for t in texts if "haystack_documents" in t)
    assert "'[" not in hay and "$1" in hay  # the literal vector was normalised
