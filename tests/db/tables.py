"""Test tables for the db tests: random vectors, inserted server-side."""

from __future__ import annotations

import psycopg


def make_table(conn: psycopg.Connection, table: str, dims: int, rows: int) -> None:
    conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, emb vector({dims}))")
    conn.execute(
        f"INSERT INTO {table} SELECT g, (SELECT array_agg(random()) FROM generate_series(1, {dims})"
        " WHERE g > 0)::vector FROM generate_series(1, %s) g",
        (rows,),
    )
