"""`pgvtui demo --setup-only` builds the demo database on its own embedded server, reuses it on
a second run, and the inventory shows the flawed objects the demo promises."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pgvtui.cli import main
from pgvtui.core.catalog import inventory
from pgvtui.core.demo import DEMO_DB
from pgvtui.core.embedded import EmbeddedServer
from pgvtui.core.session import connect


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("demo") / "data"
    yield path
    EmbeddedServer(path).destroy()


def _port(demo_dir: Path) -> int:
    return int(json.loads((demo_dir / "state.json").read_text())["port"])


def test_demo_setup_and_reuse(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        ["demo", "--data-dir", str(demo_dir), "--rows", "2000", "--setup-only", "--keep-running"]
    )
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "(built now)" in err
    assert "dbname=pgvtui_demo" in out
    dsn = f"host=127.0.0.1 port={_port(demo_dir)} dbname={DEMO_DB} user=postgres"

    async def inv() -> object:
        s = await connect(dsn)
        try:
            return await inventory(s)
        finally:
            await s.close()

    result = asyncio.run(inv())
    idx = {i.name: i for i in result.indexes}  # type: ignore[attr-defined]
    assert idx["articles_embedding_idx"].opclass == "halfvec_cosine_ops"
    assert idx["documents_embedding_l2"].operator == "<->"
    assert idx["articles_embedding_index"].predicate == "embedding IS NOT NULL"
    assert idx["images_embedding_half"].key_expression is not None
    assert idx["products_embedding_ivf"].lists == 200
    assert {"reviews_embedding_idx", "reviews_embedding_idx1"} <= set(idx)
    tables_with_index = {i.table for i in result.indexes}  # type: ignore[attr-defined]
    assert "chunks" not in tables_with_index
    cols = {(c.table, c.column): c for c in result.columns}  # type: ignore[attr-defined]
    assert cols[("articles", "embedding")].type == "halfvec"
    assert cols[("articles", "embedding")].dims == 384
    assert cols[("articles", "embedding")].rows_estimate == 2000
    assert result.settings["shared_buffers"] == "24MB"  # type: ignore[attr-defined]

    # Second run: reused, not rebuilt.
    with psycopg.connect(dsn) as conn:
        before = conn.execute("SELECT count(*) FROM articles").fetchone()
    rc = main(["demo", "--data-dir", str(demo_dir), "--setup-only", "--keep-running"])
    _, err = capsys.readouterr()
    assert rc == 0 and "(reused)" in err
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == before

    rc = main(["demo", "--data-dir", str(demo_dir), "--stop"])
    assert rc == 0
    assert not EmbeddedServer(demo_dir).running()
