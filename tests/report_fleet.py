"""A small fleet on the embedded test server for ``pgvtui report`` tests: two databases with the
demo's objects (``build_demo`` at a small size), one with hostile names, and two dead targets —
a loopback listener that accepts TCP connections and never answers, and a closed port.

The second demo database also holds LangChain PGVector's and Haystack's schemas
(tests/db/clients.py) with their searches run, so it has a workload in pg_stat_statements (the
demo installs the extension); the hostile database has no pg_stat_statements extension."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
from psycopg import sql

from pgvtui.core.demo import build_demo
from tests.conftest import TestServer, create_database, drop_database
from tests.db import clients

WORKLOAD_CLIENTS = ("langchain-pgvector", "haystack")  # (Supabase's table is the demo's name)

HOSTILE_TABLE = "<script>alert(1)</script>"
HOSTILE_INDEX = "[/]idx </td>"
PASSWORD = "s3cret-Pw0rd-xyzzy"  # put in every target: it must appear in no output


@dataclass
class Fleet:
    server: TestServer
    demo_a: str  # database names
    demo_b: str  # with pg_stat_statements and a workload
    hostile: str
    silent_port: int
    closed_port: int

    def dsn(self, db: str) -> str:
        return self.server.dsn_for(db, password=PASSWORD)

    def targets(self) -> list[str]:
        return [
            self.dsn(self.demo_a),
            self.dsn(self.demo_b),
            self.dsn(self.hostile),
            f"host=127.0.0.1 port={self.silent_port} dbname=silent user=postgres "
            f"password={PASSWORD}",
            f"postgresql://postgres:{PASSWORD}@127.0.0.1:{self.closed_port}/closed",
        ]


@contextlib.contextmanager
def silent_listener() -> Iterator[int]:
    """A loopback port whose listen queue completes TCP handshakes (the kernel does that
    without accept()) but no byte ever comes back."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_hostile(server: TestServer, db: str) -> None:
    with psycopg.connect(server.dsn_for(db), autocommit=True) as conn:
        t = sql.Identifier(HOSTILE_TABLE)
        conn.execute(sql.SQL("CREATE TABLE {} (id int PRIMARY KEY, e vector(4))").format(t))
        conn.execute(
            sql.SQL(
                "INSERT INTO {} SELECT g, ARRAY[random(), random(), random(), random()]::vector"
                " FROM generate_series(1, 600) g"
            ).format(t)
        )
        conn.execute(
            sql.SQL("CREATE INDEX {} ON {} USING hnsw (e vector_l2_ops)").format(
                sql.Identifier(HOSTILE_INDEX), t
            )
        )
        conn.execute("ANALYZE")


def add_workload(server: TestServer, db: str) -> None:
    """Real clients' tables in ``db``, pg_stat_statements installed, their searches run."""
    with psycopg.connect(server.dsn_for(db), autocommit=True) as conn:
        clients.enable_pg_stat_statements(conn)
        built = clients.build(conn, WORKLOAD_CLIENTS, rows=400)
    clients.run_queries(server.dsn_for(db), built, times=2)


@contextlib.contextmanager
def fleet(server: TestServer, rows: int = 1500) -> Iterator[Fleet]:
    names: list[str] = []
    try:
        for prefix in ("rpa", "rpb", "rph"):
            names.append(create_database(server, prefix))
        build_demo(server.dsn_for(names[0]), rows=rows)
        build_demo(server.dsn_for(names[1]), rows=rows)
        add_workload(server, names[1])
        make_hostile(server, names[2])
        with silent_listener() as port:
            yield Fleet(server, names[0], names[1], names[2], port, closed_port())
    finally:
        for name in names:
            drop_database(server, name)
