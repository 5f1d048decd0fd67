"""Support for the adversarial safety suite (fixtures live in conftest.py).

``target`` is one database per module with everything an attacker would aim at: tables with
rows, a sequence, a large object, a plpgsql function that writes, a SECURITY DEFINER function,
``dblink`` and ``postgres_fdw`` (a foreign table pointing back at the same database), and a
"victim" backend that ``pg_terminate_backend`` attempts would kill. ``Target.check_unchanged``
compares a full fingerprint (``safety_state.fingerprint``) and the lingering-state checks.

``roles`` creates least-privilege login roles (password, scram over TCP 127.0.0.1).

``run_cli`` runs ``pgvtui.cli.main`` in-process: (exit code, stdout, stderr).
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from pgvtui.cli import main
from tests.conftest import create_database, drop_database
from tests.safety.safety_state import canary_paths, diff, fingerprint, lingering

SETUP_SQL = """
CREATE EXTENSION IF NOT EXISTS dblink;
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE TABLE items (id bigserial PRIMARY KEY, emb vector(3), hemb halfvec(3), body text,
                    "Weird Col" text);
INSERT INTO items (emb, hemb, body, "Weird Col")
SELECT ARRAY[i, i + 1, i + 2]::real[]::vector, ARRAY[i, i, i]::real[]::vector::halfvec,
       'row ' || i, 'w' || i
  FROM generate_series(1, 200) AS i;
CREATE INDEX items_emb_hnsw ON items USING hnsw (emb vector_l2_ops);
CREATE TABLE audit_log (id serial PRIMARY KEY, note text);
INSERT INTO audit_log (note) VALUES ('seed');
CREATE SEQUENCE counter_seq;
SELECT nextval('counter_seq');
CREATE FUNCTION bump() RETURNS int LANGUAGE plpgsql AS
  $$ BEGIN INSERT INTO audit_log (note) VALUES ('bumped'); RETURN 1; END $$;
CREATE FUNCTION definer_bump() RETURNS int LANGUAGE plpgsql SECURITY DEFINER AS
  $$ BEGIN INSERT INTO audit_log (note) VALUES ('definer'); RETURN 1; END $$;
CREATE SCHEMA "Odd Schema";
CREATE TABLE "Odd Schema"."Mixed Case" (id int PRIMARY KEY, "select" vector(3));
INSERT INTO "Odd Schema"."Mixed Case" VALUES (1, '[1,2,3]'), (2, '[3,2,1]');
SELECT lo_from_bytea(424242, 'large object payload');
"""


@dataclass
class Target:
    server: Any  # tests/conftest.py TestServer
    dbname: str
    dsn: str  # superuser conninfo (what a careless operator would use: the worst case)
    canary_dir: Path
    victim: psycopg.Connection[Any]
    victim_pid: int
    baseline: dict[str, str] = field(default_factory=dict)

    def admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.dsn, autocommit=True)

    def fingerprint(self) -> dict[str, str]:
        with self.admin() as conn:
            return fingerprint(conn)

    def check_unchanged(self, session_open: bool = False) -> None:
        """Assert the database, the catalogs, the files and the victim backend are untouched,
        and no pgvtui backend is left (``session_open``: none is left busy or in a transaction).

        On a failure the baseline, the files and the victim are reset first, so one escaped
        attempt fails its own test only."""
        with self.admin() as conn:
            after = fingerprint(conn)
            left = lingering(conn, session_open)
            deadline = time.monotonic() + 3  # a closed client's backend exits asynchronously
            while left and time.monotonic() < deadline:
                time.sleep(0.05)
                left = lingering(conn, session_open)
        changed = diff(self.baseline, after)
        self.baseline = after
        created = [str(p) for p in canary_paths(self.canary_dir) if p.exists()]
        for p in canary_paths(self.canary_dir):
            p.unlink(missing_ok=True)
        victim_alive = self._victim_alive()
        if not victim_alive:
            self._new_victim()
        assert not changed, f"changed by the attempt: {changed}"
        assert not left, f"left behind: {left}"
        assert victim_alive, "the victim backend was terminated"
        assert not created, f"files created on the server: {created}"

    @contextlib.contextmanager
    def unchanged(self, session_open: bool = False) -> Iterator[None]:
        """Run the block, then :meth:`check_unchanged` — also when the block failed, so an
        attempt that got through never leaves its damage to the next test."""
        try:
            yield
        finally:
            self.check_unchanged(session_open)

    def _victim_alive(self) -> bool:
        """Ask the victim itself: a terminate signal already sent fails its next command (a
        look at pg_stat_activity could race with the backend's exit)."""
        try:
            self.victim.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def _new_victim(self) -> None:
        self.victim.close()
        self.victim = psycopg.connect(
            self.dsn, autocommit=True, application_name="pgvtui-test-victim"
        )
        row = self.victim.execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        self.victim_pid = int(row[0])

    def render(self, text: str) -> str:
        """Fill an attempt's placeholders for this target."""
        return text.format(
            canary=self.canary_dir, victim=self.victim_pid, conn=self.dsn, db=self.dbname
        )


def make_target(pg_server: Any, prefix: str) -> Iterator[Target]:
    name = create_database(pg_server, prefix)
    dsn = pg_server.dsn_for(name)
    canary_dir = Path(tempfile.mkdtemp(prefix="pgvtui-canary-"))
    canary_dir.chmod(0o777)  # the server (another OS user) could write here if an attack worked
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SETUP_SQL)
        conn.execute(
            sql.SQL(
                "CREATE SERVER loopback FOREIGN DATA WRAPPER postgres_fdw "
                "OPTIONS (host {host}, port {port}, dbname {db})"
            ).format(
                host=sql.Literal(str(params.get("host", "127.0.0.1"))),
                port=sql.Literal(str(params.get("port", "5432"))),
                db=sql.Literal(name),
            )
        )
        conn.execute("CREATE USER MAPPING FOR CURRENT_USER SERVER loopback")
        conn.execute(
            "CREATE FOREIGN TABLE remote_audit (id int, note text) SERVER loopback "
            "OPTIONS (table_name 'audit_log')"
        )
        conn.execute("ANALYZE")
    victim = psycopg.connect(dsn, autocommit=True, application_name="pgvtui-test-victim")
    row = victim.execute("SELECT pg_backend_pid()").fetchone()
    assert row is not None
    target = Target(pg_server, name, dsn, canary_dir, victim, int(row[0]))
    target.baseline = target.fingerprint()
    try:
        yield target
    finally:
        victim.close()
        drop_database(pg_server, name)
        shutil.rmtree(canary_dir, ignore_errors=True)


# -- least-privilege roles -------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    name: str
    password: str
    dsn: str  # TCP 127.0.0.1 with the password in it


@dataclass(frozen=True)
class Roles:
    monitor: Role  # pg_monitor + pg_read_all_stats + SELECT on the tables (the recommended role)
    bare: Role  # SELECT on the tables only: no pg_monitor, so no pg_buffercache


USER_TABLES = (("public", "items"), ("public", "audit_log"), ("Odd Schema", "Mixed Case"))


def _role_sql(name: str, password: str, monitor: bool, dbname: str) -> list[sql.Composed]:
    """The recommended role (docs/safety.md) or a bare one: SELECT on the user tables only."""
    ident = sql.Identifier(name)
    tables = sql.SQL(", ").join(sql.Identifier(s, t) for s, t in USER_TABLES)
    stmts: list[sql.Composed] = [
        sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(ident, sql.Literal(password)),
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(dbname), ident),
        sql.SQL("GRANT USAGE ON SCHEMA public, {} TO {}").format(
            sql.Identifier("Odd Schema"), ident
        ),
        sql.SQL("GRANT SELECT ON {} TO {}").format(tables, ident),
    ]
    if monitor:
        stmts.append(sql.SQL("GRANT pg_monitor, pg_read_all_stats TO {}").format(ident))
    return stmts


def make_roles(target: Target) -> Iterator[Roles]:
    suffix = uuid.uuid4().hex[:6]
    made: list[Role] = []
    with target.admin() as conn:
        for kind, monitor in (("monitor", True), ("bare", False)):
            name = f"pgvtui_{kind}_{suffix}"
            password = "pw-" + secrets.token_hex(8)
            for stmt in _role_sql(name, password, monitor, target.dbname):
                conn.execute(stmt)
            dsn = target.server.dsn_for(
                target.dbname, user=name, password=password, host="127.0.0.1"
            )
            made.append(Role(name, password, dsn))
    target.baseline = target.fingerprint()  # roles and grants are set-up, not an attack
    try:
        yield Roles(monitor=made[0], bare=made[1])
    finally:
        with psycopg.connect(target.server.admin_dsn, autocommit=True) as conn:
            for role in made:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                    (role.name,),
                )
        with target.admin() as conn:
            for role in made:
                conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role.name)))
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role.name)))
        target.baseline = target.fingerprint()


# -- the CLI in-process ----------------------------------------------------------------------


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``pgvtui ARGV``: (exit code, stdout, stderr); argparse's usage errors give their code."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
