"""What pgvtui agrees to send: one read-only query, and a short list of settings. Pure.

:func:`check_sql` refuses (:class:`~pgvtui.errors.QueryRefused`, with the reason) anything but
exactly one ``SELECT`` / ``WITH … SELECT`` / ``VALUES`` / ``TABLE`` statement that has no
data-modifying CTE, no ``FOR UPDATE``-style locking clause, no ``SELECT … INTO`` and calls no
function on :data:`DENIED_FUNCTIONS` / :data:`DENIED_PREFIXES`. It runs **before** anything is
sent. It is one layer of three: :mod:`pgvtui.core.search` also runs the statement inside
``BEGIN READ ONLY … ROLLBACK`` on a session whose ``default_transaction_read_only`` is on, and
sends it with the extended query protocol (which rejects a second statement). What the guard
cannot see — a user function that writes, called from a SELECT — fails in the read-only
transaction; what it cannot see and is allowed in a read-only transaction (a user function that
wraps ``pg_terminate_backend``) is outside what a text check can know: run pgvtui as a role
without such privileges.

The reader is PostgreSQL's own scanner and parser (:mod:`pgvtui.core.query.parser`, libpg_query
through pglast), so comments, strings, dollar quotes and statements end exactly where the server
ends them; every session pins ``standard_conforming_strings = on``, the setting that scanner
assumes. The parse must be one ``SelectStmt``; the whole tree is walked (iteratively) for
data-modifying CTEs, ``INTO``, locking clauses and denied calls. A small lexical policy refuses
what PostgreSQL accepts but pgvtui does not want (``U&`` names, odd characters in unquoted
names, psql variables and meta-commands). Any exception inside the checks is a refusal.

:func:`check_settings` accepts ``--set NAME=VALUE`` only for :data:`ALLOWED_SETTINGS`, with the
value validated for its type, and refuses everything else (:class:`~pgvtui.errors.SettingRefused`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from pglast import ast
from pglast.enums import LockClauseStrength

from pgvtui.core.query import parser as qparser
from pgvtui.core.query.parser import Token
from pgvtui.errors import QueryRefused, SettingRefused

# --------------------------------------------------------------------------------------------
# SQL
# --------------------------------------------------------------------------------------------

DENIED_FUNCTIONS = frozenset(
    {
        # signals, configuration, logs
        "pg_terminate_backend",
        "pg_cancel_backend",
        "pg_reload_conf",
        "pg_rotate_logfile",
        "pg_rotate_logfile_old",
        "set_config",
        "pg_promote",
        "pg_log_backend_memory_contexts",
        "pg_log_standby_snapshot",
        # notifications, sequences, transaction ids
        "pg_notify",
        "nextval",
        "setval",
        "txid_current",
        "txid_current_if_assigned",
        "pg_current_xact_id",
        "pg_current_xact_id_if_assigned",
        # WAL, backups, replication
        "pg_switch_wal",
        "pg_switch_xlog",
        "pg_start_backup",
        "pg_stop_backup",
        "pg_drop_replication_slot",
        "pg_replication_slot_advance",
        "pg_sync_replication_slots",
        # server files
        "pg_stat_file",
        # run SQL given as text
        "query_to_xml",
        "query_to_xmlschema",
        "query_to_xml_and_xmlschema",
        "cursor_to_xml",
        "cursor_to_xmlschema",
        "ts_stat",  # ts_stat(sqlquery)
        "ts_rewrite",  # ts_rewrite(query, sqlquery)
        # large objects (server file import/export)
        "loread",
        "lowrite",
        # maintenance that writes
        "gin_clean_pending_list",
        "brin_summarize_new_values",
        "brin_summarize_range",
        "brin_desummarize_range",
        "pg_truncate_visibility_map",
        "pg_import_system_collations",
        # cache manipulation
        "pg_prewarm",
        # extensions that reach out
        "http",
    }
)
DENIED_PREFIXES = (
    "dblink",
    "lo_",
    "pg_advisory",
    "pg_try_advisory",
    "pg_stat_reset",
    "pg_stat_statements_reset",
    "pg_create_",  # restore points, replication slots
    "pg_copy_",  # replication slots
    "pg_logical_",  # emit message, consume slot changes
    "pg_replication_origin_",
    "pg_wal_replay_",
    "pg_backup_",
    "pg_read_",  # pg_read_file, pg_read_binary_file
    "pg_ls_",  # directory listings
    "pg_file_",  # adminpack
    "pg_buffercache_evict",
    "autoprewarm",
    "pg_background",
    "http_",
)


def denied_function(name: str) -> bool:
    """Is ``name`` (possibly schema-qualified, any case) a side-effecting function we refuse?"""
    base = name.rsplit(".", 1)[-1].lower()
    return base in DENIED_FUNCTIONS or base.startswith(DENIED_PREFIXES)


def odd_identifier_char(tok: Token) -> str | None:
    """A non-ASCII character in an *unquoted* identifier that is not a letter (``²``, ``٣``,
    symbols). PostgreSQL accepts any high-bit byte there, which makes look-alike and
    digit-like names possible; pgvtui asks for such names to be quoted."""
    if tok.name != "IDENT" or tok.text.startswith('"'):
        return None
    for ch in tok.text:
        if ord(ch) > 127 and not ch.isalpha():
            return ch
    return None


def _refuse(reason: str, hint: str | None = None) -> QueryRefused:
    return QueryRefused(reason, hint=hint)


def _where(text: str, position: int | None) -> str:
    """`` at line L, column C`` for a character offset (1-based, like psql's LINE n)."""
    if position is None or not 0 <= position <= len(text):
        return ""
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f" at line {line}, column {column}"


def _lexical_policy(text: str, tokens: list[Token]) -> None:
    """What PostgreSQL accepts but pgvtui does not (see the module docstring)."""
    bracket = 0
    for k, t in enumerate(tokens):
        if t.char == "[":
            bracket += 1
        elif t.char == "]":
            bracket -= 1
        elif t.char == "\\":
            raise _refuse(
                f"unexpected character '\\\\'{_where(text, t.start)}",
                "psql meta-commands (\\gset, \\gexec…) are not SQL",
            )
        elif (
            t.char == ":"
            and bracket == 0
            and k + 1 < len(tokens)
            and tokens[k + 1].start == t.end
            and tokens[k + 1].name in ("IDENT", "SCONST")
        ):
            raise _refuse(
                f"psql variable :{tokens[k + 1].text} is not SQL",
                "use $1 and --vector-from, or paste the value",
            )
        if t.name in ("UIDENT", "USCONST"):
            raise _refuse("Unicode-escaped names and strings (U&\"…\", U&'…') are not accepted")
        odd = odd_identifier_char(t)
        if odd is not None:
            raise _refuse(
                f"the unquoted name {t.text!r} contains {odd!r} (U+{ord(odd):04X})",
                'quote it ("…") if it really is a name',
            )


# Statement node → the word a user would call it (the refusal names it).
_STATEMENT_WORDS = {
    "InsertStmt": "INSERT",
    "UpdateStmt": "UPDATE",
    "DeleteStmt": "DELETE",
    "MergeStmt": "MERGE",
}


def _statement_word(stmt: ast.Node, text: str, tokens: list[Token]) -> str:
    word = _STATEMENT_WORDS.get(type(stmt).__name__)
    if word is not None:
        return word
    first = next((t for t in tokens if not t.is_comment and t.char != "("), None)
    return first.text.upper() if first is not None else "empty"


def _check_tree(stmt: ast.Node) -> None:
    """Walk the whole tree (iteratively): CTEs, sub-selects, FROM items, expressions."""
    for node in qparser.walk(stmt):
        if isinstance(node, ast.CommonTableExpr) and not isinstance(node.ctequery, ast.SelectStmt):
            word = _STATEMENT_WORDS.get(type(node.ctequery).__name__, "statement")
            raise _refuse(f"the WITH query {node.ctename!r} is a data-modifying {word}")
        if type(node).__name__ in _STATEMENT_WORDS:
            raise _refuse(f"{_STATEMENT_WORDS[type(node).__name__]} inside the statement")
        if isinstance(node, ast.SelectStmt):
            if node.intoClause is not None:
                raise _refuse("SELECT … INTO creates a table")
            if node.lockingClause:
                clause = _LOCK_WORDS.get(node.lockingClause[0].strength, "FOR UPDATE")
                raise _refuse(f"{clause} takes row locks", "remove the locking clause")
        if isinstance(node, ast.FuncCall):
            name = ".".join(qparser.names(node.funcname))
            if denied_function(name):
                raise _refuse(f"calls {name}(), which has side effects pgvtui does not allow")


_LOCK_WORDS = {
    LockClauseStrength.LCS_FORKEYSHARE: "FOR KEY SHARE",
    LockClauseStrength.LCS_FORSHARE: "FOR SHARE",
    LockClauseStrength.LCS_FORNOKEYUPDATE: "FOR NO KEY UPDATE",
    LockClauseStrength.LCS_FORUPDATE: "FOR UPDATE",
}


def check_sql(text: str) -> str:
    """The statement, normalised (comments removed, no trailing ';'), or :class:`QueryRefused`.

    Nothing is sent to the server; see the module docstring for what is refused and why. Any
    failure inside the checks is a refusal too, never an internal error."""
    try:
        return _check_sql(text)
    except QueryRefused:
        raise
    except Exception as exc:  # the guard refuses what it cannot decide
        raise _refuse(f"the SQL could not be checked ({type(exc).__name__})") from None


def _check_sql(text: str) -> str:
    if not text or not text.strip():
        raise _refuse("no SQL given")
    try:
        tokens = qparser.scan(text)
    except qparser.SqlError as exc:
        raise _refuse(
            f"the SQL cannot be read: {exc.message}{_where(text, exc.position)}"
        ) from None
    _lexical_policy(text, tokens)
    try:
        # psycopg's %s / %(name)s are not SQL: parse with them as $n
        stmts = qparser.parse(qparser.map_placeholders(text)[0])
    except qparser.SqlError as exc:
        raise _refuse(
            f"not valid SQL: {exc.message}{_where(text, exc.position)}",
            None if isinstance(exc, qparser.SqlTooLarge) else "PostgreSQL would reject it too",
        ) from None
    if not stmts:
        raise _refuse("no SQL statement (only comments)")
    if len(stmts) > 1:
        raise _refuse(f"exactly one statement is allowed, found {len(stmts)}")
    stmt = stmts[0].stmt
    if stmt is None:
        raise _refuse("no SQL statement")
    if not isinstance(stmt, ast.SelectStmt):
        raise _refuse(
            "only SELECT, WITH … SELECT, VALUES and TABLE are run; "
            f"this is {_statement_word(stmt, text, tokens)}",
            "pgvtui runs queries read-only and rolls them back",
        )
    _check_tree(stmt)
    # normalise: comments become a space; the trailing ';' and surrounding whitespace go
    pieces: list[str] = []
    significant = [t for t in tokens if not t.is_comment]
    keep = len(significant)
    while keep and significant[keep - 1].char == ";":
        keep -= 1
    end = significant[keep].start if keep < len(significant) else len(text)
    first = next(i for i, t in enumerate(significant) if t.char != ";")  # ';select 1' is one
    pos = significant[first].start
    for t in tokens:
        if t.start >= end:
            break
        if t.is_comment and t.start >= pos:
            pieces.append(text[pos : t.start])
            pieces.append(" ")
            pos = t.end
    pieces.append(text[pos:end])
    return "".join(pieces).strip()


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingSpec:
    kind: str  # int | float | bool | enum | size
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()


_INT_MAX = 2_147_483_647

PLANNER_ENABLE = (
    "enable_async_append", "enable_bitmapscan", "enable_distinct_reordering",
    "enable_gathermerge", "enable_group_by_reordering", "enable_hashagg", "enable_hashjoin",
    "enable_incremental_sort", "enable_indexonlyscan", "enable_indexscan", "enable_material",
    "enable_memoize", "enable_mergejoin", "enable_nestloop", "enable_parallel_append",
    "enable_parallel_hash", "enable_partition_pruning", "enable_partitionwise_aggregate",
    "enable_partitionwise_join", "enable_presorted_aggregate", "enable_self_join_elimination",
    "enable_seqscan", "enable_sort", "enable_tidscan",
)  # fmt: skip

ALLOWED_SETTINGS: dict[str, SettingSpec] = {
    "hnsw.ef_search": SettingSpec("int", 1, 1000),
    "hnsw.iterative_scan": SettingSpec("enum", choices=("off", "relaxed_order", "strict_order")),
    "hnsw.max_scan_tuples": SettingSpec("int", 1, _INT_MAX),
    "hnsw.scan_mem_multiplier": SettingSpec("float", 1, 1000),
    "ivfflat.probes": SettingSpec("int", 1, 32768),
    "ivfflat.iterative_scan": SettingSpec("enum", choices=("off", "relaxed_order")),
    "ivfflat.max_probes": SettingSpec("int", 1, 32768),
    **{name: SettingSpec("bool") for name in PLANNER_ENABLE},
    "work_mem": SettingSpec("size", 64 * 1024, 2 * 1024**4),
    "maintenance_work_mem": SettingSpec("size", 1024 * 1024, 2 * 1024**4),
    "effective_cache_size": SettingSpec("size", 8 * 1024, 16 * 1024**4),
    "min_parallel_table_scan_size": SettingSpec("size", 0, 8 * 1024**4),
    "min_parallel_index_scan_size": SettingSpec("size", 0, 8 * 1024**4),
    "hash_mem_multiplier": SettingSpec("float", 1, 1000),
    "random_page_cost": SettingSpec("float", 0, 1e10),
    "seq_page_cost": SettingSpec("float", 0, 1e10),
    "cpu_tuple_cost": SettingSpec("float", 0, 1e10),
    "cpu_index_tuple_cost": SettingSpec("float", 0, 1e10),
    "cpu_operator_cost": SettingSpec("float", 0, 1e10),
    "parallel_setup_cost": SettingSpec("float", 0, 1e10),
    "parallel_tuple_cost": SettingSpec("float", 0, 1e10),
    "jit_above_cost": SettingSpec("float", -1, 1e10),
    "jit_inline_above_cost": SettingSpec("float", -1, 1e10),
    "jit_optimize_above_cost": SettingSpec("float", -1, 1e10),
    "jit": SettingSpec("bool"),
    "max_parallel_workers_per_gather": SettingSpec("int", 0, 1024),
    "effective_io_concurrency": SettingSpec("int", 0, 1000),
    "from_collapse_limit": SettingSpec("int", 1, _INT_MAX),
    "join_collapse_limit": SettingSpec("int", 1, _INT_MAX),
    "cursor_tuple_fraction": SettingSpec("float", 0, 1),
    "plan_cache_mode": SettingSpec(
        "enum", choices=("auto", "force_generic_plan", "force_custom_plan")
    ),
}

_NAME = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?")
_INT = re.compile(r"[0-9]{1,10}")
_FLOAT = re.compile(r"-?(?:[0-9]{1,12}(?:\.[0-9]{1,12})?|\.[0-9]{1,12})")
_SIZE = re.compile(r"([0-9]{1,13})(B|kB|MB|GB|TB)?")
_SIZE_UNITS = {"B": 1, "kB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
_BOOL = {"on": "on", "true": "on", "yes": "on", "1": "on",
         "off": "off", "false": "off", "no": "off", "0": "off"}  # fmt: skip


def _check_value(name: str, spec: SettingSpec, value: str) -> str:
    def bad(why: str) -> SettingRefused:
        return SettingRefused(f"{name}={value!r}: {why}")

    def out_of_range(x: float) -> bool:
        return (spec.lo is not None and x < spec.lo) or (spec.hi is not None and x > spec.hi)

    def as_int() -> str:
        if not _INT.fullmatch(value):
            raise bad("expected a whole number")
        n = int(value)
        if out_of_range(n):
            raise bad(f"must be between {spec.lo:g} and {spec.hi:g}")
        return str(n)

    def as_float() -> str:
        if not _FLOAT.fullmatch(value):
            raise bad("expected a number")
        if out_of_range(float(value)):
            raise bad(f"must be between {spec.lo:g} and {spec.hi:g}")
        return value

    def as_bool() -> str:
        v = _BOOL.get(value.lower())
        if v is None:
            raise bad("expected on or off")
        return v

    def as_enum() -> str:
        if value.lower() not in spec.choices:
            raise bad("expected one of " + ", ".join(spec.choices))
        return value.lower()

    def as_size() -> str:
        m = _SIZE.fullmatch(value)
        if not m:
            raise bad("expected a size such as 64MB (units B, kB, MB, GB, TB)")
        unit = m.group(2) or "kB"  # PostgreSQL's unit for these settings
        if out_of_range(int(m.group(1)) * _SIZE_UNITS[unit]):
            raise bad("size out of range")
        return f"{m.group(1)}{unit}"

    checks: dict[str, Callable[[], str]] = {
        "int": as_int,
        "float": as_float,
        "bool": as_bool,
        "enum": as_enum,
        "size": as_size,
    }
    return checks[spec.kind]()


def check_setting(name: str, value: str) -> tuple[str, str]:
    """One setting → (name, normalised value), or :class:`SettingRefused`."""
    if any(c.isspace() for c in name) or any(c.isspace() for c in value):
        raise SettingRefused(f"{name}={value!r}: no whitespace allowed in NAME=VALUE")
    low = name.lower()
    if not _NAME.fullmatch(low):
        raise SettingRefused(f"{name!r} is not a setting name")
    spec = ALLOWED_SETTINGS.get(low)
    if spec is None:
        raise SettingRefused(
            f"{name} cannot be set by pgvtui",
            hint="allowed: hnsw.*, ivfflat.*, enable_*, planner costs and memory settings",
        )
    if not value:
        raise SettingRefused(f"{name}: empty value")
    return low, _check_value(low, spec, value)


def parse_set_arg(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` → validated (name, value)."""
    name, eq, value = text.partition("=")
    if not eq or not name:
        raise SettingRefused(f"{text!r}: expected NAME=VALUE")
    return check_setting(name, value)


def check_settings(
    pairs: Iterable[str] | Iterable[tuple[str, str]] | Mapping[str, str],
) -> dict[str, str]:
    """Validate ``--set`` values: ``["NAME=VALUE", …]``, ``[(name, value), …]`` or a mapping.

    Returns {name: normalised value}; a later duplicate wins. Raises :class:`SettingRefused`."""
    out: dict[str, str] = {}
    items: Iterable[str] | Iterable[tuple[str, str]] = (
        list(pairs.items()) if isinstance(pairs, Mapping) else pairs
    )
    for p in items:
        if isinstance(p, str):
            name, value = parse_set_arg(p)
        else:
            name, value = check_setting(str(p[0]), str(p[1]))
        out[name] = value
    return out
