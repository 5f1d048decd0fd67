"""Inventory against a real server: JSON shape, quoting, options, and a fixed statement count."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from pgvtui.cli import main
from pgvtui.core.catalog import inventory
from pgvtui.core.session import connect

SCHEMA = """
CREATE SCHEMA "Sales Data";
CREATE TABLE "Sales Data"."Order" (
    id bigint PRIMARY KEY,
    "select" vector(3),
    "Half Vec" halfvec(4) NOT NULL,
    bits bit(8),
    sparse sparsevec(5),
    anydims vector
);
INSERT INTO "Sales Data"."Order"
SELECT g, '[1,2,3]', '[1,2,3,4]', B'10101010', '{1:1}/5', NULL FROM generate_series(1, 200) g;
CREATE INDEX "Idx ""Q"" 1" ON "Sales Data"."Order" USING hnsw ("select" vector_cosine_ops)
    WITH (m = 8);
CREATE INDEX half_ivf ON "Sales Data"."Order" USING ivfflat ("Half Vec" halfvec_l2_ops)
    WITH (lists = 3) WHERE id > 5;
CREATE INDEX expr_idx ON "Sales Data"."Order" USING hnsw ((("select")::halfvec(3)) halfvec_ip_ops);
CREATE INDEX bits_idx ON "Sales Data"."Order" USING hnsw (bits bit_hamming_ops)
    WITH (m = 12, ef_construction = 40);
CREATE INDEX sparse_idx ON "Sales Data"."Order" USING hnsw (sparse sparsevec_l1_ops);
CREATE INDEX btree_not_listed ON "Sales Data"."Order" (id);
ANALYZE "Sales Data"."Order";
"""


@pytest.fixture
def populated(dsn: str, admin: psycopg.Connection) -> str:
    admin.execute(SCHEMA)
    return dsn


async def test_inventory_objects(populated: str) -> None:
    s = await connect(populated)
    try:
        inv = await inventory(s)
    finally:
        await s.close()
    cols = {c.column: c for c in inv.columns}
    assert set(cols) == {"select", "Half Vec", "bits", "sparse", "anydims"}
    assert cols["select"].schema == "Sales Data" and cols["select"].table == "Order"
    assert cols["select"].type == "vector" and cols["select"].dims == 3
    assert cols["Half Vec"].type == "halfvec" and not cols["Half Vec"].nullable
    assert cols["bits"].type == "bit" and cols["bits"].dims == 8
    assert cols["sparse"].type == "sparsevec" and cols["sparse"].dims == 5
    assert cols["anydims"].dims is None and cols["anydims"].null_frac == 1.0
    assert cols["select"].rows_estimate == 200
    assert cols["select"].total_bytes >= cols["select"].table_bytes > 0

    idx = {i.name: i for i in inv.indexes}
    assert set(idx) == {'Idx "Q" 1', "half_ivf", "expr_idx", "bits_idx", "sparse_idx"}
    q = idx['Idx "Q" 1']
    assert (q.method, q.opclass, q.operator, q.key_column) == (
        "hnsw",
        "vector_cosine_ops",
        "<=>",
        "select",
    )
    assert (q.m, q.ef_construction, q.lists) == (8, 64, None)
    assert q.defaults == ("ef_construction",)
    assert q.valid and q.ready and not q.building and q.size_bytes > 0
    assert q.idx_scan == 0
    ivf = idx["half_ivf"]
    assert (ivf.lists, ivf.defaults, ivf.operator, ivf.predicate) == (3, (), "<->", "id > 5")
    e = idx["expr_idx"]
    assert e.key_column is None and e.key_expression is not None
    assert "halfvec(3)" in e.key_expression
    assert (e.key_type, e.key_dims, e.operator) == ("halfvec", 3, "<#>")
    assert (idx["bits_idx"].operator, idx["bits_idx"].m, idx["bits_idx"].defaults) == (
        "<~>",
        12,
        (),
    )
    assert idx["sparse_idx"].operator == "<+>"
    assert inv.settings["hnsw.ef_search"] == "40"
    assert inv.settings["ivfflat.probes"] == "1"
    assert inv.settings["shared_buffers"] is not None
    assert inv.server.pgvector_version is not None
    assert set(inv.server.extensions) >= {"pg_buffercache", "pg_prewarm", "pg_stat_statements"}
    assert inv.server.extensions["pg_buffercache"]["installed"] is not None


async def test_statement_count_does_not_grow_with_catalog(
    populated: str, admin: psycopg.Connection
) -> None:
    s = await connect(populated)
    small = (await inventory(s)).statements
    await s.close()
    for i in range(30):
        admin.execute(
            psycopg.sql.SQL(
                "CREATE TABLE {} (id int, e vector(2)); CREATE INDEX ON {} USING hnsw "
                "(e vector_l2_ops)"
            ).format(psycopg.sql.Identifier(f"t{i}"), psycopg.sql.Identifier(f"t{i}"))
        )
    s = await connect(populated)
    inv = await inventory(s)
    await s.close()
    assert len(inv.indexes) == 35
    # the connection set-up query plus one inventory statement
    assert inv.statements == small == 2


async def test_inventory_sends_one_statement_on_the_wire(populated: str, tmp_path: Path) -> None:
    # libpq's protocol trace shows what really went to the server, not what we counted.
    s = await connect(populated)
    trace = tmp_path / "trace"
    try:
        with trace.open("w") as f:
            s.conn.pgconn.trace(f.fileno())
            inv = await inventory(s)
            s.conn.pgconn.untrace()
    finally:
        await s.close()
    sent = [
        line.split("\t")[3]
        for line in trace.read_text().splitlines()
        if line.split("\t")[1:2] == ["F"] and line.split("\t")[3] in ("Query", "Parse")
    ]
    assert sent == ["Parse"] or sent == ["Query"], sent
    assert inv.columns and inv.indexes


SIZES_SCHEMA = """
CREATE UNLOGGED TABLE unlogged_docs (id int PRIMARY KEY, e vector(1000), body text);
INSERT INTO unlogged_docs
SELECT g, array_fill(g::real, ARRAY[1000])::vector, repeat('x', 50) FROM generate_series(1, 300) g;
CREATE INDEX ON unlogged_docs USING hnsw (e vector_l2_ops);
CREATE TABLE parted (id int, e halfvec(3)) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100);
INSERT INTO parted SELECT g, '[1,2,3]' FROM generate_series(0, 99) g;
CREATE MATERIALIZED VIEW mv AS SELECT id, e FROM parted_1;
CREATE TABLE arrays (id int, a real[]);
INSERT INTO arrays SELECT g, ARRAY[g, 1, 2] FROM generate_series(1, 50) g;
CREATE INDEX arrays_ann ON arrays USING ivfflat ((a::vector(3)) vector_l2_ops) WITH (lists = 1);
DELETE FROM unlogged_docs WHERE id % 7 = 0;
"""


async def test_sizes_equal_postgres_size_functions(
    populated: str, admin: psycopg.Connection
) -> None:
    # Sizes are read once per relation and fork; they must equal what the functions report.
    admin.execute(SIZES_SCHEMA)
    admin.execute("VACUUM unlogged_docs, parted_1, arrays")  # creates the fsm and vm forks
    s = await connect(populated)
    try:
        inv = await inventory(s)
    finally:
        await s.close()
    assert {c.table for c in inv.columns} >= {"unlogged_docs", "parted", "parted_1", "mv", "Order"}
    for c in inv.columns:
        want = admin.execute(
            "SELECT pg_relation_size(c.oid), "
            "CASE WHEN reltoastrelid <> 0 THEN pg_total_relation_size(reltoastrelid) ELSE 0 END, "
            "pg_total_relation_size(c.oid) FROM pg_class c WHERE c.oid = %s",
            (c.table_oid,),
        ).fetchone()
        assert (c.table_bytes, c.toast_bytes, c.total_bytes) == want, c
    docs = next(c for c in inv.columns if c.table == "unlogged_docs")
    assert docs.toast_bytes > 0 and docs.total_bytes > docs.table_bytes + docs.toast_bytes
    assert {i.name for i in inv.indexes} >= {"arrays_ann", "unlogged_docs_e_idx"}
    for i in inv.indexes:
        want_size = admin.execute("SELECT pg_relation_size(%s::oid)", (i.index_oid,)).fetchone()
        assert want_size is not None and i.size_bytes == want_size[0] > 0, i


def test_cli_inventory_json(populated: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["inventory", populated, "--format", "json"])
    out, _err = capsys.readouterr()
    assert rc == 0
    doc = json.loads(out)  # exactly one document
    assert set(doc) == {"server", "settings", "columns", "indexes", "coverage"}
    col = doc["columns"][0]
    for key in (
        "schema",
        "table",
        "column",
        "type",
        "dims",
        "nullable",
        "rows_estimate",
        "null_frac",
        "avg_width",
        "storage",
        "table_bytes",
        "toast_bytes",
        "total_bytes",
    ):
        assert key in col
    ix = next(i for i in doc["indexes"] if i["name"] == 'Idx "Q" 1')
    for key in (
        "schema",
        "table",
        "name",
        "method",
        "opclass",
        "operator",
        "definition",
        "predicate",
        "m",
        "ef_construction",
        "lists",
        "defaults",
        "valid",
        "ready",
        "size_bytes",
        "idx_scan",
        "building",
    ):
        assert key in ix
    assert ix["defaults"] == ["ef_construction"] and ix["m"] == 8
    assert doc["settings"]["hnsw.ef_search"] == "40"


def test_cli_inventory_text_quotes_identifiers(
    populated: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "250")
    rc = main(["inventory", populated])
    out, _ = capsys.readouterr()
    assert rc == 0
    assert "Sales Data.Order" in out and 'Idx "Q" 1' in out and "\x1b[" not in out


def test_cli_bad_connection_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    from pgvtui.core.embedded import free_port

    rc = main(
        [
            "inventory",
            "-h",
            "127.0.0.1",
            "-p",
            str(free_port()),
            "-d",
            "x",
            "-w",
            "--format",
            "json",
        ]
    )
    out, err = capsys.readouterr()
    assert rc == 2
    assert out == ""
    assert err.startswith("Connection failed:")
    assert "Traceback" not in err


def test_cli_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("pgvtui ")
