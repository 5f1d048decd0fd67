"""`pgvtui check` without a query: catalog rules fed with measured residency, end to end."""

from __future__ import annotations

import json

import psycopg
import pytest

from pgvtui.cli import main
from tests.db.tables import make_table


def test_catalog_check_measures_residency(
    dsn: str, admin: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    make_table(admin, "docs", 32, 3000)
    admin.execute("CREATE INDEX docs_emb ON docs USING hnsw (emb vector_l2_ops)")
    admin.execute("ANALYZE docs")
    # Used (idx_scan > 0), then evicted from shared_buffers: measured cold.
    admin.execute("SET enable_seqscan = off")
    admin.execute(
        "SELECT id FROM docs ORDER BY emb <-> (SELECT emb FROM docs WHERE id = 1) LIMIT 5"
    )
    admin.execute("SELECT pg_stat_force_next_flush()")
    admin.execute("SELECT pg_buffercache_evict_relation('docs_emb'::regclass)")
    rc = main(["check", dsn, "--format", "json", "--fail-on", "never"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    findings = json.loads(out)["findings"]
    cold = [f for f in findings if f["rule"] == "index-mostly-cold"]
    assert len(cold) == 1 and cold[0]["object"].endswith("docs_emb"), findings
    assert "pg_prewarm" in cold[0]["fix"]

    # Warm it again: the finding goes away.
    admin.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
    admin.execute("SELECT pg_prewarm('docs_emb'::regclass)")
    rc = main(["check", dsn, "--format", "json", "--fail-on", "never"])
    out, _ = capsys.readouterr()
    assert not [f for f in json.loads(out)["findings"] if f["rule"] == "index-mostly-cold"]
