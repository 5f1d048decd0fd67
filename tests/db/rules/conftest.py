"""Shared test data for rule tests against the real server.

Fixtures (names are stable — other rule tests use them):

- ``items_db`` (session scope): one database built once per run, shaped like the recorded plans
  in ``tests/data/plans-pg18.json`` (pgvector-facts §2). **Do not modify it in a test**; create
  your own objects in ``scratch_db`` instead. It holds, in schema ``public``:

  - ``items``: 20,000 rows — ``id bigint`` PK, ``category int`` (0..99, btree
    ``items_category_idx``), ``emb vector(64)`` with HNSW ``items_emb_l2`` (vector_l2_ops),
    ``hemb halfvec(64)`` (a copy of ``emb``, HNSW ``items_hemb_cos`` halfvec_cosine_ops).
  - ``items_cos``: 20,000 rows ``id``, ``emb vector(64)`` with HNSW ``items_cos_emb_cos``
    (vector_cosine_ops).
  - ``items_ivf``: 20,000 rows ``id``, ``emb vector(64)`` with IVFFlat ``items_ivf_emb_l2``
    (lists = 100).
  - ``queries``: 10 rows ``id int`` PK, ``q vector(64)``.

  Vectors are uniform in [-0.5, 0.5) (``setseed`` makes them repeatable).
- ``scratch_db`` (module scope): a fresh empty database (vector installed) per test module.
- ``space_db`` (module scope): ``scratch_db`` with :func:`tests.db.rules.shapes.make_space`'s
  awkwardly named schema in it.
- ``items_session`` / ``scratch_session``: a pgvtui :class:`Session` on those (per test).

Helpers: :func:`create_vector_table` (any schema/table/column name, quoted correctly),
:func:`vector_literal` (a repeatable random query vector as text), :func:`open_session` (a
session closed on exit, for tests that need a fresh one).
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql

from pgvtui.core.session import Session, SessionOptions, connect
from tests.conftest import TestServer, create_database, drop_database

ITEMS_ROWS = 20_000
DIMS = 64
LONG = SessionOptions(statement_timeout_ms=60_000)  # rule tests run full scans of 20k rows


@dataclass(frozen=True)
class VectorDB:
    name: str
    dsn: str

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit superuser connection (use as a context manager)."""
        return psycopg.connect(self.dsn, autocommit=True)


def vector_literal(dims: int = DIMS, seed: int = 1, scale: float = 1.0) -> str:
    """A repeatable random vector as pgvector text, e.g. ``'[0.12,-0.3,...]'`` without quotes."""
    rnd = random.Random(seed)
    return "[" + ",".join(f"{(rnd.random() - 0.5) * scale:.6f}" for _ in range(dims)) + "]"


def create_vector_table(
    conn: psycopg.Connection[tuple[object, ...]],
    *,
    schema: str = "public",
    table: str = "items",
    column: str = "emb",
    vtype: str = "vector",
    dims: int = DIMS,
    rows: int = ITEMS_ROWS,
    index: str | None = "hnsw",
    opclass: str = "vector_l2_ops",
    index_name: str | None = None,
    category: bool = True,
    seed: float = 0.42,
) -> None:
    """CREATE (schema and) table ``schema.table(id bigint PK, [category int,] column vtype(dims))``
    filled with ``rows`` random vectors, optionally an ANN index (``index`` = hnsw | ivfflat),
    then ANALYZE. Every identifier is quoted, so names with capitals/spaces/keywords work."""
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    tbl = sql.Identifier(schema, table)
    col = sql.Identifier(column)
    typ = sql.SQL("{}({})").format(sql.SQL(vtype), sql.Literal(dims))
    cat_def = sql.SQL(", category int NOT NULL") if category else sql.SQL("")
    conn.execute(
        sql.SQL("CREATE TABLE {} (id bigint PRIMARY KEY{}, {} {})").format(tbl, cat_def, col, typ)
    )
    conn.execute("SELECT setseed(%s)", (seed,))
    cat_val = sql.SQL(", (i % 100)::int") if category else sql.SQL("")
    conn.execute(
        sql.SQL(
            "INSERT INTO {} SELECT i{}, (SELECT array_agg(random() - 0.5 + 0 * (i + g)) "
            "FROM generate_series(1, {}) AS g)::{} FROM generate_series(1, {}) AS i"
        ).format(tbl, cat_val, sql.Literal(dims), typ, sql.Literal(rows))
    )
    if index is not None:
        name = sql.Identifier(index_name) if index_name else sql.SQL("")
        with_opts = sql.SQL(" WITH (lists = 100)") if index == "ivfflat" else sql.SQL("")
        conn.execute(
            sql.SQL("CREATE INDEX {} ON {} USING {} ({} {}){}").format(
                name, tbl, sql.SQL(index), col, sql.SQL(opclass), with_opts
            )
        )
    conn.execute(sql.SQL("ANALYZE {}").format(tbl))


def _build_items(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    conn.execute("SET maintenance_work_mem = '64MB'")
    create_vector_table(conn, table="items", index_name="items_emb_l2")
    conn.execute("ALTER TABLE items ADD COLUMN hemb halfvec(64)")
    conn.execute("UPDATE items SET hemb = emb::halfvec(64)")
    conn.execute("CREATE INDEX items_category_idx ON items (category)")
    conn.execute("CREATE INDEX items_hemb_cos ON items USING hnsw (hemb halfvec_cosine_ops)")
    conn.execute("VACUUM ANALYZE items")
    create_vector_table(
        conn,
        table="items_cos",
        opclass="vector_cosine_ops",
        index_name="items_cos_emb_cos",
        category=False,
        seed=0.43,
    )
    create_vector_table(
        conn,
        table="items_ivf",
        index="ivfflat",
        index_name="items_ivf_emb_l2",
        category=False,
        seed=0.44,
    )
    create_vector_table(
        conn, table="queries", rows=10, index=None, category=False, column="q", seed=0.45
    )


@pytest.fixture(scope="session")
def items_db(pg_server: TestServer) -> Iterator[VectorDB]:
    name = create_database(pg_server, prefix="items")
    db = VectorDB(name=name, dsn=pg_server.dsn_for(name))
    with db.admin() as conn:
        _build_items(conn)
    yield db
    drop_database(pg_server, name)


@pytest.fixture(scope="module")
def scratch_db(pg_server: TestServer) -> Iterator[VectorDB]:
    name = create_database(pg_server, prefix="scratch")
    yield VectorDB(name=name, dsn=pg_server.dsn_for(name))
    drop_database(pg_server, name)


@pytest.fixture(scope="module")
def space_db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    from tests.db.rules.shapes import make_space  # shapes imports this module

    with scratch_db.admin() as conn:
        make_space(conn)
    yield scratch_db


@contextlib.asynccontextmanager
async def open_session(dsn: str, options: SessionOptions = LONG) -> AsyncIterator[Session]:
    """A pgvtui session on ``dsn``, closed on exit."""
    s = await connect(dsn, options)
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
async def items_session(items_db: VectorDB) -> AsyncIterator[Session]:
    async with open_session(items_db.dsn) as s:
        yield s


@pytest.fixture
async def scratch_session(scratch_db: VectorDB) -> AsyncIterator[Session]:
    async with open_session(scratch_db.dsn) as s:
        yield s
