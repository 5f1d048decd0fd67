"""Test tables for the db tests: random vectors, inserted server-side, and k-NN load on them."""

from __future__ import annotations

import psycopg
from psycopg import sql


def make_table(conn: psycopg.Connection, table: str, dims: int, rows: int) -> None:
    name, d = sql.Identifier(table), sql.Literal(dims)
    conn.execute(sql.SQL("CREATE TABLE {} (id int PRIMARY KEY, emb vector({}))").format(name, d))
    conn.execute(
        sql.SQL(
            "INSERT INTO {} SELECT g, (SELECT array_agg(random()) FROM generate_series(1, {})"
            " WHERE g > 0)::vector FROM generate_series(1, %s) g"
        ).format(name, d),
        (rows,),
    )


def knn(conn: psycopg.Connection, table: str, dims: int, queries: int) -> None:
    """``queries`` k-NN queries on ``table.emb`` with random vectors, seq scans disabled."""
    conn.execute("SET enable_seqscan = off")
    query = sql.SQL(
        "SELECT id FROM {} ORDER BY emb <-> (SELECT array_agg(random()) "
        "FROM generate_series(1, {}))::vector LIMIT 10"
    ).format(sql.Identifier(table), sql.Literal(dims))
    for _ in range(queries):
        conn.execute(query).fetchall()
