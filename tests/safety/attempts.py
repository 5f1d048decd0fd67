"""The catalogue of mutation attempts fed through every path that accepts user text.

Each ``Attempt`` is SQL text with ``{canary}`` (a directory the server could write to),
``{victim}`` (the pid of a backend that must survive), ``{conn}`` (a superuser conninfo for
dblink) and ``{db}`` placeholders filled per target. ``layer`` says what stops it:

- ``"server"`` — PostgreSQL itself refuses it inside ``BEGIN READ ONLY`` (a second net: even if
  the guard let it through, the read-only, rolled-back transaction would stop it);
- ``"guard"`` — the read-only transaction does **not** stop it (it escapes the transaction —
  ``COMMIT``, a second connection, a file or program on the server, another backend — or it is a
  side effect PostgreSQL allows in read-only mode); only pgvtui's guard stands in the way.

The statement-level paths (``check --sql/--file``, ``run_explain``, the Search screen) get every
attempt. The fragment paths (``--set``, identifiers, ``--where``, ``--vector-from``) have their
own lists below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Attempt:
    id: str
    sql: str
    layer: Literal["server", "guard"]


S: Literal["server"] = "server"
G: Literal["guard"] = "guard"

STATEMENT_ATTEMPTS: tuple[Attempt, ...] = (
    # -- plain DML / DDL ------------------------------------------------------------------
    Attempt("insert", "INSERT INTO items (body) VALUES ('pwned')", S),
    Attempt("update", "UPDATE items SET body = 'pwned'", S),
    Attempt("delete", "DELETE FROM items", S),
    Attempt(
        "merge",
        "MERGE INTO items t USING (SELECT 1 AS id) s ON t.id = s.id WHEN MATCHED THEN DELETE",
        S,
    ),
    Attempt("truncate", "TRUNCATE items", S),
    Attempt("drop-table", "DROP TABLE items", S),
    Attempt("create-table", "CREATE TABLE evil (a int)", S),
    Attempt("alter-table", "ALTER TABLE items ADD COLUMN evil int", S),
    Attempt("create-index", "CREATE INDEX evil_idx ON items (body)", S),
    Attempt("grant", "GRANT ALL ON items TO PUBLIC", S),
    Attempt("comment", "COMMENT ON TABLE items IS 'pwned'", S),
    Attempt("alter-role-password", "ALTER ROLE CURRENT_USER PASSWORD 'pwned'", S),
    Attempt("alter-role-set", "ALTER ROLE CURRENT_USER SET work_mem = '1GB'", S),
    Attempt("do-block", "DO $$ BEGIN DELETE FROM audit_log; END $$", S),
    Attempt("lock-table", "LOCK TABLE items IN ACCESS EXCLUSIVE MODE", G),
    Attempt("select-for-update", "SELECT * FROM items FOR UPDATE", S),
    Attempt("select-for-share", "SELECT id FROM items WHERE id = 1 FOR NO KEY UPDATE", S),
    Attempt("cte-delete", "WITH d AS (DELETE FROM items RETURNING *) SELECT * FROM d", S),
    Attempt(
        "cte-insert-nested",
        "SELECT * FROM items WHERE id IN (WITH i AS (INSERT INTO audit_log (note) "
        "VALUES ('x') RETURNING id) SELECT id FROM i)",
        S,
    ),
    Attempt("explain-analyze-delete", "EXPLAIN ANALYZE DELETE FROM items", S),
    Attempt("select-into", "SELECT * INTO evil_copy FROM items", S),
    Attempt("create-table-as", "CREATE TABLE evil_copy AS SELECT * FROM items", S),
    # -- functions with side effects --------------------------------------------------------
    Attempt("nextval", "SELECT nextval('counter_seq')", S),
    Attempt("setval", "SELECT setval('counter_seq', 1000)", S),
    Attempt("setval-in-where", "SELECT * FROM items WHERE id < setval('counter_seq', 5)", S),
    Attempt("plpgsql-writer", "SELECT bump()", S),
    Attempt("plpgsql-writer-nested", "SELECT * FROM items WHERE id = (SELECT bump())", S),
    Attempt("security-definer-writer", "SELECT definer_bump()", S),
    Attempt(
        "query-to-xml-delete",
        "SELECT query_to_xml('DELETE FROM items RETURNING 1', true, true, '')",
        S,
    ),
    Attempt("lo-import", "SELECT lo_import('/etc/hostname')", S),
    Attempt("lo-create", "SELECT lo_create(0)", S),
    Attempt("lo-unlink", "SELECT lo_unlink(424242)", S),
    Attempt("fdw-insert", "INSERT INTO remote_audit VALUES (99, 'via fdw')", S),
    Attempt(
        "fdw-delete-cte",
        "WITH d AS (DELETE FROM remote_audit RETURNING 1) SELECT count(*) FROM d",
        S,
    ),
    # -- multiple statements, hidden by comments and quoting ---------------------------------
    Attempt("two-statements", "SELECT 1; DROP TABLE items", S),
    Attempt("block-comment-hides", "SELECT 1 /* harmless */; DELETE FROM audit_log", S),
    Attempt("line-comment-newline", "SELECT 1 -- just a comment\n; DELETE FROM audit_log", S),
    Attempt("quoted-semicolon", "SELECT ';' AS x; UPDATE items SET body = 'pwned'", S),
    Attempt("dollar-quoted", "SELECT $$;$$ AS x; TRUNCATE audit_log", S),
    Attempt("tagged-dollar", "SELECT $q$ ' ; $q$; DELETE FROM items", S),
    Attempt("nested-comment", "SELECT 1 /* a /* b */ ; */; DELETE FROM items", S),
    Attempt("escape-string", "SELECT E'\\';' AS x; DELETE FROM items", S),
    Attempt("unicode-ident", 'SELECT 1; DELETE FROM U&"\\0069tems"', S),
    Attempt(
        "commit-escape",
        "SELECT 1; COMMIT; SET default_transaction_read_only = off; DELETE FROM audit_log",
        G,
    ),
    Attempt(
        "rollback-escape",
        "SELECT 1; ROLLBACK; SET SESSION CHARACTERISTICS AS "
        "TRANSACTION READ WRITE; DELETE FROM audit_log",
        G,
    ),
    Attempt("prepare-transaction", "SELECT 1; PREPARE TRANSACTION 'pgvtui_evil'", G),
    Attempt("prepare-execute", "PREPARE evil AS DELETE FROM items; EXECUTE evil", S),
    # -- escaping the transaction: programs, files, other connections, other backends -------
    Attempt("copy-to-program", "COPY (SELECT 1) TO PROGRAM 'touch {canary}/copy_program'", G),
    Attempt("copy-to-file", "COPY items TO '{canary}/copy_file'", G),
    Attempt(
        "copy-obfuscated",
        "/**/COPY/**/(SELECT 1)/**/TO/**/PROGRAM/**/'touch {canary}/copy_program'",
        G,
    ),
    Attempt("copy-from", "COPY audit_log FROM PROGRAM 'echo 9\tx'", S),
    Attempt("lo-export", "SELECT lo_export(424242, '{canary}/lo_export')", G),
    Attempt("dblink-exec", "SELECT dblink_exec('{conn}', 'DELETE FROM audit_log')", G),
    Attempt(
        "dblink-query-write",
        "SELECT * FROM dblink('{conn}', 'DELETE FROM audit_log RETURNING id') AS t(id int)",
        G,
    ),
    Attempt(
        "dblink-quoted-name",
        "SELECT public.\"dblink_exec\"('{conn}', 'INSERT INTO audit_log (note) VALUES (''x'')')",
        G,
    ),
    Attempt("dblink-mixed-case", "SELECT DbLink_Exec('{conn}', 'TRUNCATE audit_log')", G),
    Attempt(
        "ts-stat-dblink",
        "SELECT * FROM ts_stat('SELECT to_tsvector(dblink_exec("
        "''{conn}'', ''DELETE FROM audit_log''))')",
        G,
    ),
    Attempt(
        "ts-rewrite-terminate",
        "SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, "
        "pg_terminate_backend({victim})::text::tsquery')",
        G,
    ),
    Attempt(
        "ts-stat-delete",
        "SELECT * FROM ts_stat('DELETE FROM audit_log RETURNING ''x''::tsvector')",
        S,
    ),
    Attempt("terminate-backend", "SELECT pg_terminate_backend({victim})", G),
    Attempt("terminate-qualified", "SELECT pg_catalog.PG_TERMINATE_BACKEND({victim})", G),
    Attempt("cancel-backend", "SELECT pg_cancel_backend({victim})", G),
    Attempt("advisory-lock", "SELECT pg_advisory_lock(42)", G),
    Attempt("advisory-lock-in-where", "SELECT * FROM items WHERE pg_try_advisory_lock(id)", G),
    Attempt("stat-reset", "SELECT pg_stat_reset()", G),
    Attempt("set-config-rw", "SELECT set_config('default_transaction_read_only', 'off', false)", G),
    Attempt("set-config-role", "SELECT set_config('role', 'postgres', false)", G),
    Attempt("set-role", "SET ROLE postgres", G),
    Attempt("set-session-authorization", "SET SESSION AUTHORIZATION postgres", G),
    Attempt("set-then-delete", "SET transaction_read_only = off; DELETE FROM audit_log", G),
    Attempt("reset-all", "RESET ALL", G),
    Attempt("alter-system", "ALTER SYSTEM SET work_mem = '1GB'", S),
    Attempt("reload-conf", "SELECT pg_reload_conf()", G),
    Attempt("vacuum-full", "VACUUM FULL items", S),
    Attempt("call-proc", "CALL no_such_proc()", S),
)

# ``--set NAME=VALUE`` values: settings outside the allow-list, and values carrying SQL.
SET_ATTEMPTS: tuple[tuple[str, str], ...] = (
    ("rw-off", "default_transaction_read_only=off"),
    ("tx-rw", "transaction_read_only=off"),
    ("role", "role=postgres"),
    ("session-auth", "session_authorization=postgres"),
    ("search-path", "search_path=evil, public"),
    ("statement-timeout-0", "statement_timeout=0"),
    ("value-injection", "work_mem=64MB'; DROP TABLE items; --"),
    ("value-injection-semicolon", "hnsw.ef_search=40; DELETE FROM audit_log"),
    ("name-injection", "work_mem = 1; DROP TABLE items; SET x=1"),
    ("name-quoted", '"work_mem"; DROP TABLE items; --=1'),
    ("local-preload", "local_preload_libraries=dblink"),
    ("session-preload", "session_preload_libraries=dblink"),
    ("dollar-value", "work_mem=$$1MB$$; DELETE FROM audit_log"),
    ("newline-value", "work_mem=1MB\nDELETE FROM audit_log"),
)

# identifiers given on the command line (recall --column / --index, --vector-from)
IDENT_ATTEMPTS: tuple[tuple[str, str], ...] = (
    ("semicolon", "emb; DROP TABLE items"),
    ("quote-break", 'emb"; DROP TABLE items; --'),
    ("paren-call", "bump()"),
    ("subselect", "(SELECT bump())"),
    ("comment", "emb/**/; DELETE FROM audit_log"),
    ("setval", "setval('counter_seq', 1)"),
)

# ``recall --where`` predicates
WHERE_ATTEMPTS: tuple[tuple[str, str], ...] = (
    ("second-statement", "true; DELETE FROM audit_log"),
    ("close-paren", "true) ; DELETE FROM audit_log; --"),
    ("writer-fn", "bump() = 1"),
    ("setval", "id < setval('counter_seq', 5)"),
    ("cte", "id IN (WITH d AS (DELETE FROM audit_log RETURNING id) SELECT id FROM d)"),
    ("dblink", "(SELECT dblink_exec('{conn}', 'DELETE FROM audit_log')) IS NOT NULL"),
    ("terminate", "pg_terminate_backend({victim})"),
    ("advisory", "pg_advisory_lock(id) IS NOT NULL"),
    ("comment-escape", "true /* */ ; TRUNCATE audit_log"),
    ("lo-export", "lo_export(424242, '{canary}/lo_export') = 1"),
    (
        "ts-stat-dblink",
        "(SELECT count(*) FROM ts_stat('SELECT to_tsvector(dblink_exec("
        "''{conn}'', ''DELETE FROM audit_log''))')) > 0",
    ),
    (
        "ts-rewrite-terminate",
        "ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, "
        "pg_terminate_backend({victim})::text::tsquery') IS NOT NULL",
    ),
)


# The guard cannot see inside a user-defined function: these attempts reach the server and fail
# there (read-only transaction); every other statement attempt is refused before anything is sent.
USER_FUNCTION_WRITERS = frozenset(
    {"plpgsql-writer", "plpgsql-writer-nested", "security-definer-writer"}
)

# Attempts the guard lets through today (a bug: functions that run SQL given as text, which the
# guard cannot inspect). Tests mark them xfail(strict=True) so they flip once the guard is fixed.
KNOWN_BYPASS: dict[str, str] = {}  # none left: ts_stat/ts_rewrite were added to the deny-list
