"""Proof that nothing changed: a fingerprint of every user table and of the catalogs a write
could touch, taken with a superuser connection before and after each adversarial attempt.

``fingerprint(conn)`` returns ``{name: md5}``; ``diff(before, after)`` names what changed.
Table contents are hashed row by row (``t::text`` ordered), catalogs column by column (only
columns a user-visible change would alter — not ``relpages``/``reltuples``, which autovacuum
moves). Shared catalogs (roles, databases, memberships) are included, so ``ALTER ROLE``/
``CREATE ROLE`` are caught too. Files the attacks try to create on the server are checked by
path (``FILE_CANARIES``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

# catalog name → SELECT producing the rows to hash (ordered, deterministic)
CATALOG_QUERIES: dict[str, str] = {
    "pg_class": "SELECT oid, relname, relnamespace, relkind, relowner, relacl::text, "
    "reloptions::text, relpersistence, relfilenode FROM pg_catalog.pg_class",
    "pg_attribute": "SELECT attrelid, attname, atttypid, attnum, attnotnull, attisdropped, "
    "atthasdef, attacl::text, attoptions::text FROM pg_catalog.pg_attribute",
    "pg_proc": "SELECT oid, proname, pronamespace, proowner, prosecdef, prosrc, proacl::text, "
    "proconfig::text FROM pg_catalog.pg_proc",
    "pg_authid": "SELECT oid, rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, "
    "rolcanlogin, rolreplication, rolbypassrls, rolconnlimit, rolpassword, "
    "rolvaliduntil FROM pg_catalog.pg_authid",
    "pg_auth_members": "SELECT roleid, member, grantor, admin_option "
    "FROM pg_catalog.pg_auth_members",
    "pg_database": "SELECT oid, datname, datdba, datallowconn, datconnlimit, datacl::text "
    "FROM pg_catalog.pg_database",
    "pg_db_role_setting": "SELECT setdatabase, setrole, setconfig::text "
    "FROM pg_catalog.pg_db_role_setting",
    "pg_namespace": "SELECT oid, nspname, nspowner, nspacl::text FROM pg_catalog.pg_namespace",
    "pg_type": "SELECT oid, typname, typnamespace FROM pg_catalog.pg_type",
    "pg_index": "SELECT indexrelid, indrelid, indisvalid, indisready, indislive "
    "FROM pg_catalog.pg_index",
    "pg_constraint": "SELECT oid, conname, conrelid, contype, convalidated "
    "FROM pg_catalog.pg_constraint",
    "pg_trigger": "SELECT oid, tgname, tgrelid, tgenabled FROM pg_catalog.pg_trigger",
    "pg_rewrite": "SELECT oid, rulename, ev_class, ev_enabled FROM pg_catalog.pg_rewrite",
    "pg_policy": "SELECT oid, polname, polrelid FROM pg_catalog.pg_policy",
    "pg_description": "SELECT objoid, classoid, objsubid, description "
    "FROM pg_catalog.pg_description",
    "pg_extension": "SELECT oid, extname, extversion, extconfig::text FROM pg_catalog.pg_extension",
    "pg_foreign_server": "SELECT oid, srvname, srvoptions::text FROM pg_catalog.pg_foreign_server",
    "pg_user_mapping": "SELECT oid, umuser, umserver, umoptions::text "
    "FROM pg_catalog.pg_user_mapping",
    "pg_default_acl": "SELECT oid, defaclrole, defaclacl::text FROM pg_catalog.pg_default_acl",
    "pg_event_trigger": "SELECT oid, evtname, evtenabled FROM pg_catalog.pg_event_trigger",
    "pg_sequences": "SELECT schemaname, sequencename, last_value FROM pg_catalog.pg_sequences",
    "pg_largeobject_metadata": "SELECT oid, lomowner, lomacl::text "
    "FROM pg_catalog.pg_largeobject_metadata",
    "pg_largeobject": "SELECT loid, pageno, md5(data) FROM pg_catalog.pg_largeobject",
    "pg_prepared_xacts": "SELECT gid, owner, database FROM pg_catalog.pg_prepared_xacts",
    "pg_file_settings": "SELECT sourcefile, name, setting, applied "
    "FROM pg_catalog.pg_file_settings",
    "pg_settings_nondefault": "SELECT name, setting FROM pg_catalog.pg_settings "
    "WHERE source NOT IN ('default', 'session', 'client', 'override', 'environment variable')",
    "stats_reset": "SELECT stats_reset::text FROM pg_catalog.pg_stat_database "
    "WHERE datname = current_database()",
}


def _hash(conn: psycopg.Connection[Any], query: sql.Composable | str) -> str:
    inner = sql.SQL(query) if isinstance(query, str) else query
    q = sql.SQL(
        "SELECT md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) FROM ({}) AS r"
    ).format(inner)
    row = conn.execute(q).fetchone()
    assert row is not None
    return str(row[0])


def user_tables(conn: psycopg.Connection[Any]) -> list[tuple[str, str]]:
    rows = conn.execute(
        """SELECT n.nspname, c.relname FROM pg_catalog.pg_class c
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'm')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname !~ '^pg_toast'
            ORDER BY 1, 2"""
    ).fetchall()
    return [(str(s), str(t)) for s, t in rows]


def fingerprint(conn: psycopg.Connection[Any]) -> dict[str, str]:
    """``{"table schema.name": md5 of its rows, "pg_class": md5, …}`` (superuser connection)."""
    state: dict[str, str] = {}
    for schema, table in user_tables(conn):
        q = sql.SQL("SELECT t::text AS row FROM {} AS t").format(sql.Identifier(schema, table))
        state[f"table {schema}.{table}"] = _hash(conn, q)
    for name, query in CATALOG_QUERIES.items():
        state[name] = _hash(conn, query)
    return state


def diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Names whose fingerprint changed, appeared or disappeared."""
    names = sorted(set(before) | set(after))
    return [n for n in names if before.get(n) != after.get(n)]


def lingering(conn: psycopg.Connection[Any], session_open: bool = False) -> list[str]:
    """Server state a finished pgvtui run must not leave behind: pgvtui backends (with
    ``session_open``, as in a running TUI: pgvtui backends that are not idle — in a transaction
    or still running a statement), and advisory locks."""
    problems: list[str] = []
    rows = conn.execute(
        """SELECT pid, state, left(query, 60) FROM pg_catalog.pg_stat_activity
            WHERE application_name = 'pgvtui' AND pid <> pg_backend_pid()
              AND (NOT %s OR state IS DISTINCT FROM 'idle')""",
        (session_open,),
    ).fetchall()
    problems += [f"pgvtui backend still connected: {r}" for r in rows]
    rows = conn.execute(
        "SELECT pid, objid FROM pg_catalog.pg_locks WHERE locktype = 'advisory'"
    ).fetchall()
    problems += [f"advisory lock held: {r}" for r in rows]
    return problems


FILE_CANARIES = ("copy_program", "copy_file", "lo_export", "program_via_fn")


def canary_paths(base: Path) -> list[Path]:
    return [base / name for name in FILE_CANARIES]
