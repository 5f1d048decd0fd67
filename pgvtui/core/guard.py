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

The lexer is :func:`pgvtui.core.query.tokenize` (PostgreSQL's rules: nested ``/* */``, ``E''``
strings, dollar quotes, quoted identifiers); sqlparse splits the text a second time and the guard
refuses if either splitter sees more than one statement.

:func:`check_settings` accepts ``--set NAME=VALUE`` only for :data:`ALLOWED_SETTINGS`, with the
value validated for its type, and refuses everything else (:class:`~pgvtui.errors.SettingRefused`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import sqlparse

from pgvtui.core.query import (
    Group,
    LexError,
    Token,
    analyze_query,
    build_tree,
    qualified_name,
    split_statements,
    tokenize,
)
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
ALLOWED_STATEMENTS = ("SELECT", "VALUES", "TABLE")
_WRITE_WORDS = ("INSERT", "UPDATE", "DELETE", "MERGE")


def denied_function(name: str) -> bool:
    """Is ``name`` (possibly schema-qualified, any case) a side-effecting function we refuse?"""
    base = name.rsplit(".", 1)[-1].lower()
    return base in DENIED_FUNCTIONS or base.startswith(DENIED_PREFIXES)


def odd_identifier_char(tok: Token) -> str | None:
    """A non-ASCII character in an *unquoted* identifier that is not a letter (``²``, ``٣``,
    symbols). PostgreSQL accepts any high-bit byte there, which makes look-alike and
    digit-like names possible; pgvtui asks for such names to be quoted."""
    if tok.kind != "ident":
        return None
    for ch in tok.value:
        if ord(ch) > 127 and not ch.isalpha():
            return ch
    return None


def _refuse(reason: str, hint: str | None = None) -> QueryRefused:
    return QueryRefused(reason, hint=hint)


def _sqlparse_count(text: str) -> int:
    n = 0
    for part in sqlparse.split(text):
        stripped = sqlparse.format(part, strip_comments=True).strip().strip(";").strip()
        if stripped:
            n += 1
    return n


def _calls(items: list[Token | Group]) -> Iterable[str]:
    """Every ``name(`` / ``schema.name(`` in the statement, at any depth."""
    for k, it in enumerate(items):
        if isinstance(it, Group):
            yield from _calls(it.items)
            continue
        if it.is_name and k + 1 < len(items):
            nxt = items[k + 1]
            if isinstance(nxt, Group) and not nxt.bracket:
                yield qualified_name(items, k)


def _first_word(items: list[Token | Group]) -> str:
    head = items[0]
    while isinstance(head, Group):
        if not head.items:
            return ""
        head = head.items[0]
    return head.upper if head.kind == "ident" else head.value


def _refuse_psql_variables(tokens: list[Token]) -> None:
    """``:name`` / ``:'name'`` outside brackets is psql's variable syntax, not SQL."""
    depth = 0
    for k, t in enumerate(tokens):
        if t.kind == "punct" and t.value == "[":
            depth += 1
        elif t.kind == "punct" and t.value == "]":
            depth -= 1
        elif (
            t.kind == "punct"
            and t.value == ":"
            and depth == 0
            and k + 1 < len(tokens)
            and tokens[k + 1].start == t.end
            and tokens[k + 1].kind in ("ident", "string", "qident")
        ):
            raise _refuse(
                f"psql variable {t.value}{tokens[k + 1].value} is not SQL",
                "use $1 and --vector-from, or paste the value",
            )


def check_sql(text: str) -> str:
    """The statement, normalised (comments removed, no trailing ';'), or :class:`QueryRefused`.

    Nothing is sent to the server; see the module docstring for what is refused and why."""
    if not text or not text.strip():
        raise _refuse("no SQL given")
    if "\x00" in text:
        raise _refuse("the text contains a NUL byte")
    try:
        tokens = tokenize(text)
    except LexError as exc:
        raise _refuse(f"the SQL cannot be read: {exc}") from None
    for t in tokens:
        if t.kind == "error":
            hint = "psql meta-commands (\\gset, \\gexec…) are not SQL" if t.value == "\\" else None
            raise _refuse(f"unexpected character {t.value!r} at offset {t.start}", hint)
        odd = odd_identifier_char(t)
        if odd is not None:
            raise _refuse(
                f"the unquoted name {t.value!r} contains {odd!r} (U+{ord(odd):04X})",
                'quote it ("…") if it really is a name',
            )
        if t.kind == "qident" and t.value[:2].lower() == "u&":
            raise _refuse('Unicode-escaped identifiers (U&"…") are not accepted')
        if t.kind == "string" and t.value.startswith("'") and "\\" in t.value:
            raise _refuse(
                "a backslash in a standard string literal: its meaning depends on "
                "standard_conforming_strings",
                "write it as an E'…' string",
            )
    _refuse_psql_variables([t for t in tokens if t.significant])
    stmts, misplaced_semicolon = split_statements(tokens)
    if misplaced_semicolon:
        raise _refuse("a ';' inside parentheses")
    if not stmts:
        raise _refuse("no SQL statement (only comments)")
    if len(stmts) > 1:
        raise _refuse(f"exactly one statement is allowed, found {len(stmts)}")
    if _sqlparse_count(text) > 1:
        raise _refuse("exactly one statement is allowed (the text splits into several)")
    stmt = [t for t in stmts[0] if t.significant]
    items, balanced = build_tree(stmt)
    if not balanced:
        raise _refuse("unbalanced parentheses or brackets")
    first = _first_word(items)
    if first not in ("SELECT", "WITH", "VALUES", "TABLE"):
        raise _refuse(
            f"only SELECT, WITH … SELECT, VALUES and TABLE are run; this is {first or 'empty'}",
            "pgvtui runs queries read-only and rolls them back",
        )
    shape = analyze_query(text)
    for _scope, sub in shape.walk():
        for cte in sub.ctes:
            if cte.data_modifying:
                raise _refuse(
                    f"the WITH query {cte.name!r} is a data-modifying {cte.shape.statement_type}"
                )
    if shape.statement_type not in ALLOWED_STATEMENTS:
        raise _refuse(
            f"only SELECT, WITH … SELECT, VALUES and TABLE are run; this is {shape.statement_type}"
        )
    # Token-level backstops, independent of the shape analysis.
    sig = [t for t in stmt if t.kind == "ident"]
    for k, t in enumerate(sig):
        word = t.upper
        if (
            word == "FOR"
            and k + 1 < len(sig)
            and sig[k + 1].upper
            in (
                "UPDATE",
                "SHARE",
                "NO",
                "KEY",
            )
        ):
            clause = " ".join(
                x.upper
                for x in sig[k : k + 4]
                if x.upper in ("FOR", "UPDATE", "SHARE", "NO", "KEY")
            )
            raise _refuse(f"{clause} takes row locks", "remove the locking clause")
        if word == "INTO":
            raise _refuse("SELECT … INTO creates a table")
        if word in _WRITE_WORDS:
            raise _refuse(
                f"{word} inside the statement",
                'if it is a column name, quote it: "' + t.value.lower() + '"',
            )
    for name in _calls(items):
        if denied_function(name):
            raise _refuse(f"calls {name}(), which has side effects pgvtui does not allow")
    # normalise: drop comments, trailing semicolons and surrounding whitespace
    pieces: list[str] = []
    for t in stmts[0]:
        if t.kind == "comment":
            pieces.append(" ")
        else:
            pieces.append(t.value)
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
