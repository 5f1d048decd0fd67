"""`pgvtui demo --setup-only` builds the demo database on its own embedded server (full size,
as users get it), reuses it on a second run, the inventory shows the flawed objects the demo
promises, and every bundled example query raises the finding it was written for."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pgvtui.cli import main
from pgvtui.core import search
from pgvtui.core.catalog import inventory
from pgvtui.core.demo import DEMO_DB
from pgvtui.core.embedded import EmbeddedServer
from pgvtui.core.examples import Example, load_examples
from pgvtui.core.models import Inventory
from pgvtui.core.session import connect


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The demo's data directory and a conninfo to its database."""
    path = tmp_path_factory.mktemp("demo") / "data"
    rc = main(["demo", "--data-dir", str(path), "--setup-only", "--keep-running"])
    assert rc == 0
    port = int(json.loads((path / "state.json").read_text())["port"])
    dsn = f"host=127.0.0.1 port={port} dbname={DEMO_DB} user=postgres"
    yield path, dsn
    EmbeddedServer(path).destroy()


def _inventory(dsn: str) -> Inventory:
    async def run() -> Inventory:
        s = await connect(dsn)
        try:
            return await inventory(s)
        finally:
            await s.close()

    return asyncio.run(run())


def test_demo_objects(demo: tuple[Path, str]) -> None:
    _, dsn = demo
    result = _inventory(dsn)
    idx = {i.name: i for i in result.indexes}
    assert idx["articles_embedding_idx"].opclass == "halfvec_cosine_ops"
    assert idx["documents_embedding_l2"].operator == "<->"
    assert idx["articles_embedding_index"].predicate == "embedding IS NOT NULL"
    assert idx["images_embedding_half"].key_expression is not None
    assert idx["products_embedding_ivf"].lists == 200
    assert {"reviews_embedding_idx", "reviews_embedding_idx1"} <= set(idx)
    assert "chunks" not in {i.table for i in result.indexes}
    cols = {(c.table, c.column): c for c in result.columns}
    art = cols[("articles", "embedding")]
    assert (art.type, art.dims, art.rows_estimate) == ("halfvec", 384, 20_000)
    assert result.settings["shared_buffers"] == "24MB"
    # The promise "one index does not fit shared_buffers" holds.
    assert idx["documents_embedding_l2"].size_bytes > 24 * 1024 * 1024


def test_demo_is_reused_and_stops(
    demo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, dsn = demo
    with psycopg.connect(dsn) as conn:
        before = conn.execute("SELECT count(*), max(id) FROM articles").fetchone()
    rc = main(["demo", "--data-dir", str(path), "--setup-only", "--keep-running"])
    out, err = capsys.readouterr()
    assert rc == 0 and "(reused)" in err
    # one line, the conninfo whole inside its quotes (never wrapped), pasteable in a shell
    assert out == f"connect with: pgvtui '{dsn}'   or   psql '{dsn}'\n"
    assert f"stop it with: pgvtui demo --stop --data-dir {path}\n" in err  # the dir it runs in
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*), max(id) FROM articles").fetchone() == before
    assert main(["demo", "--data-dir", str(path), "--stop"]) == 0
    assert not EmbeddedServer(path).running()
    # and it comes back (for the example tests that follow)
    assert main(["demo", "--data-dir", str(path), "--setup-only", "--keep-running"]) == 0


EXAMPLES = load_examples()


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_example_raises_its_finding(demo: tuple[Path, str], example: Example) -> None:
    _, dsn = demo

    async def run() -> set[str]:
        s = await connect(dsn)
        try:
            diag = await search.diagnose(s, example.sql, example.settings)
            return {f.rule for f in diag.findings if f.severity.value != "info"}
        finally:
            await s.close()

    fired = asyncio.run(run())
    if example.expect:
        assert set(example.expect) <= fired, fired
    else:
        assert fired == set(), fired  # the golden path raises no warning or error
