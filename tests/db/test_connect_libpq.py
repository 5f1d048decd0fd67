"""Unset options fall through to libpq, as in psql: PG* environment and service files."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from pgvtui.cli import main

# conninfo keyword → the libpq environment variable for it
ENV = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "dbname": "PGDATABASE"}


def _params(dsn: str) -> dict[str, str]:
    return {k: str(v) for k, v in psycopg.conninfo.conninfo_to_dict(dsn).items()}


def _set_env(monkeypatch: pytest.MonkeyPatch, params: dict[str, str], *keys: str) -> None:
    for key in keys:
        monkeypatch.setenv(ENV[key], params[key])


def _inventory_database(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """``pgvtui inventory ARGV --format json`` succeeds; the database it reached."""
    rc = main(["inventory", *argv, "--format", "json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    database: str = json.loads(out)["server"]["database"]
    return database


def test_pg_environment(
    dsn: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _params(dsn)
    _set_env(monkeypatch, p, *ENV)
    assert _inventory_database([], capsys) == p["dbname"]


def test_service_file(
    dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _params(dsn)
    service = tmp_path / "pg_service.conf"
    service.write_text("[vectors]\n" + "".join(f"{k}={p[k]}\n" for k in ENV))
    monkeypatch.setenv("PGSERVICEFILE", str(service))
    for var in ENV.values():
        monkeypatch.delenv(var, raising=False)
    assert _inventory_database(["service=vectors"], capsys) == p["dbname"]


def test_flags_override_conninfo(dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    p = _params(dsn)
    conninfo = f"host={p['host']} port={p['port']} user={p['user']} dbname=postgres"
    assert _inventory_database([conninfo, "-d", p["dbname"]], capsys) == p["dbname"]


def test_database_name_as_positional(
    dsn: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _params(dsn)
    _set_env(monkeypatch, p, "host", "port", "user")
    assert _inventory_database([p["dbname"]], capsys) == p["dbname"]


def test_missing_database_one_line(dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    p = _params(dsn)
    rc = main(
        ["inventory", "-h", p["host"], "-p", p["port"], "-U", p["user"],
         "-d", "no_such_database", "-w"]
    )  # fmt: skip
    _out, err = capsys.readouterr()
    assert rc == 2
    assert err.count("\n") == 1 and err.startswith("Database missing:")
