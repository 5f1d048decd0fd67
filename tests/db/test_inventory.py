"""Inventory against a real server: JSON shape, quoting, options, and a fixed statement count."""

from __future__ import annotations

import json

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
    assert inv.statements == small == 4


def test_cli_inventory_json(populated: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["inventory", populated, "--format", "json"])
    out, _err = capsys.readouterr()
    assert rc == 0
    doc = json.loads(out)  # exactly one document
    assert set(doc) == {"server", "settings", "columns", "indexes"}
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
