"""Validation of the user's ``--where`` predicate for ``pgvtui recall``.

The predicate is user SQL that ends up inside ``WHERE (<predicate>)`` of statements pgvtui runs,
always inside a read-only transaction. Before that it must pass these checks (pure, no server):

- one piece of text with no statement separator (``;``), no comments (``--``, ``/*``) and no
  psql meta-commands (``\\``);
- parentheses balanced and never closing more than they opened, so the text cannot leave the
  ``( … )`` pgvtui wraps it in: whatever it contains is one parenthesised expression;
- no clause keywords at the top level (``ORDER``, ``LIMIT``, ``UNION``, ``INTO``, ``FOR`` …);
- no call of a function on the deny-list (side effects, sleeping, locks, file or network
  access, or running SQL from a string), matched case-insensitively with or without a schema
  and with quoted names unquoted.

The server then checks that it is a boolean expression over the table (``EXPLAIN SELECT 1 FROM
t WHERE (<predicate>)``, not executed) — see :func:`pgvtui.core.recall.check_where`.

User-defined functions are not inspected: a function the role may call can still do what its
body does, within a read-only transaction (no writes, no nextval).
"""

from __future__ import annotations

import re

import sqlparse
from sqlparse import tokens as T

from pgvtui.errors import QueryRefused

MAX_PREDICATE_CHARS = 4_000

# Functions that change state, wait, lock, touch files/network, or run SQL from a string.
DENIED_FUNCTIONS = frozenset(
    {
        "pg_sleep", "pg_sleep_for", "pg_sleep_until",
        "set_config", "pg_reload_conf", "pg_rotate_logfile", "pg_promote",
        "pg_terminate_backend", "pg_cancel_backend", "pg_signal_backend",
        "pg_log_backend_memory_contexts", "pg_switch_wal", "pg_create_restore_point",
        "pg_backup_start", "pg_backup_stop", "pg_start_backup", "pg_stop_backup",
        "pg_wal_replay_pause", "pg_wal_replay_resume",
        "pg_advisory_lock", "pg_advisory_lock_shared", "pg_advisory_xact_lock",
        "pg_advisory_xact_lock_shared", "pg_try_advisory_lock", "pg_try_advisory_lock_shared",
        "pg_try_advisory_xact_lock", "pg_try_advisory_xact_lock_shared",
        "pg_advisory_unlock", "pg_advisory_unlock_all", "pg_advisory_unlock_shared",
        "nextval", "setval", "txid_current", "pg_current_xact_id",
        "pg_notify", "pg_read_file", "pg_read_binary_file", "pg_ls_dir", "pg_stat_file",
        "pg_ls_logdir", "pg_ls_waldir", "pg_ls_tmpdir", "pg_ls_archive_statusdir",
        "pg_file_write", "pg_file_rename", "pg_file_unlink", "pg_file_sync",
        "lo_import", "lo_export", "lo_create", "lo_creat", "lo_unlink", "lo_put", "lo_from_bytea",
        "lo_open", "lo_write", "lowrite", "lo_truncate",
        "dblink", "dblink_exec", "dblink_connect", "dblink_connect_u", "dblink_send_query",
        "dblink_open", "dblink_fetch",
        "query_to_xml", "query_to_xml_and_xmlschema", "query_to_xmlschema", "cursor_to_xml",
        "cursor_to_xmlschema", "table_to_xml", "table_to_xml_and_xmlschema", "schema_to_xml",
        "schema_to_xml_and_xmlschema", "database_to_xml", "database_to_xml_and_xmlschema",
        "pg_stat_reset", "pg_stat_reset_shared", "pg_stat_reset_single_table_counters",
        "pg_stat_reset_single_function_counters", "pg_stat_reset_slru",
        "pg_stat_statements_reset", "pg_buffercache_evict", "pg_buffercache_evict_relation",
        "pg_buffercache_evict_all", "pg_prewarm",
        "pg_create_physical_replication_slot", "pg_create_logical_replication_slot",
        "pg_drop_replication_slot", "pg_copy_physical_replication_slot",
        "pg_copy_logical_replication_slot", "pg_logical_slot_get_changes",
        "pg_logical_slot_peek_changes", "pg_logical_slot_get_binary_changes",
        "pg_logical_emit_message", "pg_replication_origin_create", "pg_replication_origin_drop",
        "pg_replication_slot_advance", "pg_import_system_collations",
        "binary_upgrade_set_next_pg_type_oid", "pg_xact_commit_timestamp",
    }
)  # fmt: skip

# Keywords that would start another clause if they appeared outside every parenthesis.
TOP_LEVEL_CLAUSES = frozenset(
    {
        "ORDER", "LIMIT", "OFFSET", "FETCH", "UNION", "INTERSECT", "EXCEPT", "INTO", "FOR",
        "GROUP", "HAVING", "WINDOW", "FROM", "RETURNING", "WITH", "SELECT", "INSERT", "UPDATE",
        "DELETE", "MERGE", "COPY", "CREATE", "DROP", "ALTER", "TRUNCATE", "GRANT", "REVOKE",
        "SET", "RESET", "BEGIN", "COMMIT", "ROLLBACK", "END", "CALL", "DO", "EXECUTE", "PREPARE",
        "LOCK", "VACUUM", "ANALYZE", "NOTIFY", "LISTEN", "DECLARE", "TABLE", "VALUES",
    }
)  # fmt: skip

_IDENT = re.compile(r'^"(.*)"$')


def _unquote(name: str) -> str:
    m = _IDENT.match(name)
    return m.group(1).replace('""', '"') if m else name.lower()


def _structure(text: str) -> None:
    """Quote-aware scan with the server's own rules (standard strings, no backslashes):
    no ``;``, comments, ``$`` or backslashes outside … anywhere, and balanced parentheses."""
    if "\\" in text:
        raise QueryRefused("--where may not contain backslashes (use chr(92) for one)")
    if "$" in text:
        raise QueryRefused("--where may not contain '$' (no parameters or dollar quoting)")
    depth = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            j = i + 1
            while True:
                j = text.find(c, j)
                if j < 0:
                    raise QueryRefused("--where has an unterminated quote")
                if j + 1 < n and text[j + 1] == c:
                    j += 2
                    continue
                break
            i = j + 1
            continue
        if c == ";":
            raise QueryRefused("--where must be one expression: no ';'")
        if text.startswith("--", i) or text.startswith("/*", i):
            raise QueryRefused("--where may not contain comments")
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                raise QueryRefused("--where closes a parenthesis it did not open")
        i += 1
    if depth != 0:
        raise QueryRefused("--where has unbalanced parentheses")


def validate_where(predicate: str) -> str:
    """The predicate, stripped, if it passes the checks; else :class:`QueryRefused`."""
    text = predicate.strip()
    if not text:
        raise QueryRefused("--where is empty")
    if len(text) > MAX_PREDICATE_CHARS:
        raise QueryRefused(f"--where is longer than {MAX_PREDICATE_CHARS} characters")
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
        raise QueryRefused("--where may not contain control characters")
    _structure(text)
    significant = [
        t
        for stmt in sqlparse.parse(text)
        for t in stmt.flatten()  # type: ignore[no-untyped-call]
        if not t.is_whitespace
    ]
    depth = 0
    for i, tok in enumerate(significant):
        ttype, value = tok.ttype, tok.value
        if ttype in T.Punctuation:
            if value == "(":
                depth += 1
            elif value == ")":
                depth -= 1
        is_word = ttype in T.Keyword or ttype in T.Name
        first_word = value.split()[0].upper() if value.strip() else ""
        if depth == 0 and is_word and first_word in TOP_LEVEL_CLAUSES:
            raise QueryRefused(
                f"--where must be one boolean expression; {first_word} is not allowed there"
            )
        if is_word or ttype in T.String.Symbol:
            nxt = significant[i + 1] if i + 1 < len(significant) else None
            if nxt is not None and nxt.ttype in T.Punctuation and nxt.value == "(":
                name = _unquote(value)
                if name in DENIED_FUNCTIONS:
                    raise QueryRefused(f"--where may not call {name}()")
    return text
