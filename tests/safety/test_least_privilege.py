"""Least privilege: pgvtui as the recommended role (pg_monitor + pg_read_all_stats + SELECT) and
as a bare role (SELECT only — no pg_monitor, so no pg_buffercache and no other sessions' query
text). Every feature works, or degrades with one line naming the privilege it needs; no raw
permission error reaches the user."""

from __future__ import annotations

import json

import pytest
from psycopg import sql

from tests.safety.support import Role, Roles, Target, run_cli

KNN = "SELECT id FROM items ORDER BY emb <-> '[1,2,3]' LIMIT 5"


def _role(roles: Roles, kind: str) -> Role:
    return roles.monitor if kind == "monitor" else roles.bare


def assert_no_raw_permission_error(err: str) -> None:
    assert "Traceback" not in err
    for line in err.strip().splitlines():
        # a raw server error reads "permission denied for function pg_buffercache_pages";
        # a degradation must say what to grant
        if "permission denied" in line.lower():
            assert "grant" in line.lower() or "pg_monitor" in line, line


COMMANDS = {
    "inventory": ["inventory"],
    "check-catalog": ["check", "--fail-on", "never"],
    "check-query": ["check", "--sql", KNN, "--fail-on", "never"],
    "residency": ["residency"],
    "recall": ["recall", "--index", "items_emb_hnsw", "--queries", "5", "--ef-search", "40"],
}


CASES = [
    (kind, command, fmt)
    for kind in ("monitor", "bare")
    for command in COMMANDS
    for fmt in ("text", "json")
]


@pytest.mark.parametrize(("kind", "command", "fmt"), CASES)
def test_feature_works_or_degrades_clearly(
    kind: str,
    command: str,
    fmt: str,
    roles: Roles,
    target: Target,
    no_pg_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    role = _role(roles, kind)
    code, out, err = run_cli([*COMMANDS[command], role.dsn, "--format", fmt], capsys)
    assert code in (0, 1), (code, err)
    assert_no_raw_permission_error(err)
    assert role.password not in out + err
    if fmt == "json":
        json.loads(out)  # exactly one JSON document
    target.check_unchanged()


def test_bare_role_residency_names_the_privilege(
    roles: Roles, target: Target, no_pg_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["residency", roles.bare.dsn], capsys)
    assert code == 0, err
    text = out + err
    assert "pg_buffercache" in text
    assert "pg_monitor" in text or "EXECUTE" in text or "GRANT" in text, text


def test_table_without_select_is_a_clear_error(
    roles: Roles, target: Target, no_pg_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with target.admin() as conn:
        conn.execute("CREATE TABLE secret_stuff (id int PRIMARY KEY, emb vector(3))")
    try:
        code, _out, err = run_cli(
            ["check", roles.monitor.dsn, "--sql", "SELECT id FROM secret_stuff LIMIT 1"], capsys
        )
        assert code == 2, err
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith(("Permission denied: ", "Query failed: ")), err
        assert "permission denied for table secret_stuff" in lines[0]
    finally:
        with target.admin() as conn:
            conn.execute("DROP TABLE secret_stuff")
        target.baseline = target.fingerprint()


def test_residency_after_grant_select_on_all_tables(
    roles: Roles, target: Target, no_pg_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    grant = sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(
        sql.Identifier(roles.bare.name)
    )
    with target.admin() as conn:
        conn.execute(grant)
    try:
        code, out, err = run_cli(["residency", roles.bare.dsn], capsys)
    finally:
        with target.admin() as conn:
            conn.execute(
                sql.SQL("REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM {}").format(
                    sql.Identifier(roles.bare.name)
                )
            )
            conn.execute(
                sql.SQL("GRANT SELECT ON items, audit_log TO {}").format(
                    sql.Identifier(roles.bare.name)
                )
            )
        target.baseline = target.fingerprint()
    assert code == 0, err
    assert_no_raw_permission_error(err)
    assert "pg_monitor" in out + err


def test_settings_the_role_may_not_read_are_null_not_an_error(
    roles: Roles, target: Target, capsys: pytest.CaptureFixture[str]
) -> None:
    # shared_preload_libraries is superuser-only (pg_read_all_settings, part of pg_monitor,
    # may read it): the inventory reports null for a bare role instead of failing.
    readable = {}
    for kind in ("monitor", "bare"):
        code, out, err = run_cli(["inventory", _role(roles, kind).dsn, "--format", "json"], capsys)
        assert code == 0, err
        readable[kind] = json.loads(out)["settings"]
    assert readable["monitor"]["shared_preload_libraries"] is not None
    assert readable["bare"]["shared_preload_libraries"] is None
    assert readable["bare"]["hnsw.ef_search"] == "40"
