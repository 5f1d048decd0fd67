"""A report over a primary and its streaming replica: each node is its own database in the
report, with its role, its own memory settings and its own measured residency (and a recall
spot check that runs read-only on the standby)."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pgvtui.cli import main
from pgvtui.core.embedded import EmbeddedServer
from tests.conftest import scratch_server
from tests.db.tables import knn, make_table

DB = "shop"


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[EmbeddedServer, EmbeddedServer]]:
    with scratch_server("pgvtui-primary-", "32MB") as primary:
        primary.start()
        hba = primary.pgdata / "pg_hba.conf"
        hba.write_text("local replication all trust\n" + hba.read_text())
        with psycopg.connect(primary.dsn(), autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")
            conn.execute(f"CREATE DATABASE {DB}")
        with psycopg.connect(primary.dsn(DB), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION vector")
            conn.execute("CREATE EXTENSION pg_buffercache")
            make_table(conn, "items", 32, 3000)
            conn.execute("CREATE INDEX items_hnsw ON items USING hnsw (emb vector_l2_ops)")
            conn.execute("ANALYZE items")
            conn.execute("CHECKPOINT")
        parent = Path(tempfile.mkdtemp(prefix="pgvtui-standby-"))
        standby = EmbeddedServer(parent / "pg", settings={"shared_buffers": "48MB"})
        try:
            standby._prepare_user()  # the server's system user owns the data directory
            standby._run(
                ["pg_basebackup", "-D", str(standby.pgdata), "-R", "-X", "stream",
                 "-h", str(primary.socket_dir), "-p", str(primary.port), "-U", "postgres"]
            )  # fmt: skip
            standby.start()
            yield primary, standby
        finally:
            standby.destroy()
            shutil.rmtree(parent, ignore_errors=True)


def test_primary_and_replica_each_with_their_residency(
    pair: tuple[EmbeddedServer, EmbeddedServer], tmp_path: Path
) -> None:
    primary, standby = pair
    with psycopg.connect(standby.dsn(DB), autocommit=True) as conn:
        assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        knn(conn, "items", 32, 20)  # read traffic on the replica warms its own cache
    out = tmp_path / "r.json"
    rc = main(["report", primary.dsn(DB), standby.dsn(DB), "--recall-sample", "5",
               "-o", str(out)])  # fmt: skip
    assert rc == 0
    doc = json.loads(out.read_text())
    p, s = doc["databases"]
    assert (p["server"]["role"], s["server"]["role"]) == ("primary", "standby")
    assert p["target"] != s["target"]
    assert p["memory"]["shared_buffers_bytes"] == 32 * 1024**2
    assert s["memory"]["shared_buffers_bytes"] == 48 * 1024**2
    # the same index bytes (physical replication), measured residency per node
    (pi,), (si,) = p["indexes"], s["indexes"]
    assert pi["name"] == si["name"] == "items_hnsw"
    assert pi["size_bytes"] == si["size_bytes"]
    assert p["buffercache"]["available"] and s["buffercache"]["available"]
    assert pi["resident_pct"] is not None and si["resident_pct"] is not None
    with psycopg.connect(standby.dsn(DB)) as conn:
        pages = conn.execute(
            "SELECT count(*) FROM pg_buffercache b JOIN pg_class c "
            "ON b.relfilenode = pg_relation_filenode(c.oid) WHERE c.relname = 'items_hnsw' "
            "AND b.reldatabase = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchone()
        total = conn.execute("SELECT pg_relation_size('items_hnsw') / 8192").fetchone()
    assert pages and total
    assert si["resident_pct"] == pytest.approx(min(100.0, 100.0 * pages[0] / total[0]), abs=5)
    # the spot check ran on the standby too (read-only)
    assert s["recall"][0]["recall_mean"] is not None, s["recall"]
