"""Safe execution of a user's vector query: EXPLAIN ANALYZE, result preview, diagnosis.

Why inserting the user's SQL as ``sql.SQL`` is safe here:

1. :func:`pgvtui.core.guard.check_sql` has passed: exactly one SELECT / WITH … SELECT / VALUES /
   TABLE statement with no data-modifying CTE, no locking clause, no INTO and no side-effecting
   function (checked before anything is sent).
2. Everything runs inside ``BEGIN READ ONLY`` … ``ROLLBACK`` (:meth:`Session.read_only`) on a
   session whose ``default_transaction_read_only`` is on: a write that slips past the guard (a
   user function that inserts) fails with ``read-only transaction`` and nothing is kept.
3. The EXPLAIN is sent with the extended query protocol (``binary=True``), which refuses a
   second statement; the preview wraps the statement in parentheses
   (``SELECT * FROM (<sql>) … LIMIT n``), which cannot hold a second statement either.

Values never go into the text: settings are validated by :func:`guard.check_settings` and sent
as ``sql.Literal`` with the name as ``sql.Identifier`` (``hnsw.ef_search`` →
``Identifier("hnsw", "ef_search")``); the query vector from ``--vector-from`` is fetched with
identifiers composed by ``sql.Identifier`` and passed back as a typed bind parameter (pgvector's
adapters are registered on the session).

The query runs twice in the same transaction: once under EXPLAIN ANALYZE (the plan, timings and
buffers — the measurement) and once for the first :data:`PREVIEW_ROWS` rows to show. The preview
is for display only; its outer LIMIT may let the planner pick a different plan. A caller that
shows no rows (``pgvtui check``) asks for none, so its query runs once.

Cancellation: :meth:`Session.cancel` from another task makes the running statement fail with
``QueryCanceled``; :class:`~pgvtui.errors.QueryCancelled` is raised, the transaction is rolled
back and the session stays usable.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from pglast import ast
from psycopg import errors as pgerr
from psycopg import sql

from pgvtui.core import catalog, guard, sqltext
from pgvtui.core import sql as sqlfiles
from pgvtui.core.coverage import Coverage
from pgvtui.core.models import Inventory
from pgvtui.core.plan import Plan, parse_plan
from pgvtui.core.plan.coverage import RuleCoverage
from pgvtui.core.query import QueryShape, analyze_query
from pgvtui.core.query import parser as qparser
from pgvtui.core.rules.base import Finding, RuleContext, Severity, run_rules
from pgvtui.core.session import Session
from pgvtui.errors import PgvtuiError, QueryCancelled, QueryFailed, QueryTimeout, UsageError

PREVIEW_ROWS = 200
NOSEQSCAN_PLAN = "noseqscan_plan"  # RuleContext.extras key, see replan_without_seqscan
ITERATIVE_PLAN = "iterative_plan"  # the same with ITERATIVE on, for a query with a filter
ITERATIVE = {"hnsw.iterative_scan": "relaxed_order", "ivfflat.iterative_scan": "relaxed_order"}
_SAVEPOINT = sql.SQL("SAVEPOINT pgvtui_query")
_ROLLBACK_TO = sql.SQL("ROLLBACK TO SAVEPOINT pgvtui_query")
# Effective settings read inside the transaction (beyond catalog.SETTINGS and the --set names).
EXTRA_SETTINGS = (
    "enable_seqscan",
    "enable_indexscan",
    "enable_sort",
    "jit",
    "plan_cache_mode",
    "work_mem",
)


@dataclass(frozen=True)
class QueryError:
    """The server refused the user's statement (not a connection/cancel/timeout problem)."""

    message: str
    sqlstate: str | None
    title: str = "Query failed"

    @property
    def dimension_mismatch(self) -> tuple[int, int] | None:
        m = re.search(
            r"different (?:vector|halfvec|sparsevec|bit)? ?dimensions (\d+) and (\d+)", self.message
        )
        return (int(m.group(1)), int(m.group(2))) if m else None


@dataclass(frozen=True)
class SearchResult:
    sql: str  # the statement as run (normalised by the guard)
    settings: dict[str, str]  # the validated SET LOCAL values
    plan: Plan | None  # EXPLAIN ANALYZE; on error the planned-only EXPLAIN when available
    execution_ms: float | None
    planning_ms: float | None
    rows: int | None  # rows the statement returned (from the plan root)
    result_columns: tuple[str, ...] = ()
    result_rows: tuple[tuple[Any, ...], ...] = ()  # first PREVIEW_ROWS rows, for display
    error: QueryError | None = None
    # Server values overlaid with the SET LOCAL ones, read with current_setting() in the same
    # transaction.
    effective_settings: dict[str, str | None] = field(default_factory=dict)
    analyzed: bool = True  # False when the plan is from EXPLAIN without ANALYZE


# ---------------------------------------------------------------------------------------------
# --vector-from
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VectorSource:
    """``SCHEMA.TABLE.COLUMN:ID`` or ``…:random`` (names as in SQL: quote mixed case)."""

    schema: str | None
    table: str
    column: str
    key: str | None  # primary-key value as text; None = a random row

    @property
    def table_names(self) -> tuple[str, ...]:
        return (self.schema, self.table) if self.schema else (self.table,)

    def describe(self) -> str:
        ident = sqltext.ident(*self.table_names, self.column)
        return f"{ident}:{self.key if self.key is not None else 'random'}"

    @property
    def table_ident(self) -> sql.Identifier:
        return sql.Identifier(*self.table_names)


def parse_vector_from(text: str) -> VectorSource:
    """Parse ``[SCHEMA.]TABLE.COLUMN:ID|random``; identifiers follow SQL rules (quote them to keep
    capitals or spaces: ``"My Schema"."Items".emb:42``), read by PostgreSQL's parser."""
    ref, colon, key = text.rpartition(":")
    if not colon or not ref or not key:
        raise UsageError(f"--vector-from {text!r}: expected SCHEMA.TABLE.COLUMN:ID or …:random")
    try:
        if any(guard.odd_identifier_char(t) is not None for t in qparser.scan(ref)):
            raise UsageError(f"--vector-from {text!r}: quote names with unusual characters")
        node = qparser.parse_expression(ref)
    except qparser.SqlError:
        raise UsageError(f"--vector-from {text!r}: cannot read the names") from None
    names = qparser.names(node.fields) if isinstance(node, ast.ColumnRef) else ()
    if len(names) not in (2, 3) or "*" in names:
        raise UsageError(f"--vector-from {text!r}: expected SCHEMA.TABLE.COLUMN:ID")
    schema = names[0] if len(names) == 3 else None
    return VectorSource(
        schema=schema,
        table=names[-2],
        column=names[-1],
        key=None if key.lower() == "random" else key,
    )


async def fetch_vector(session: Session, source: VectorSource) -> Any:
    """The stored vector (a pgvector Python object) — read-only, identifiers quoted."""
    rel = sqltext.ident(*source.table_names)
    col = sql.Identifier(source.column)
    async with session.read_only() as cur:
        if source.key is not None:
            await cur.execute(sqlfiles.query("primary_key"), {"rel": rel})
            pk = [r[0] for r in await cur.fetchall()]
            if len(pk) != 1:
                raise UsageError(
                    f"--vector-from {source.describe()}: the table needs a one-column primary "
                    f"key (found {len(pk)} columns)"
                )
            q = sqlfiles.query("vector_by_key").format(
                column=col, table=source.table_ident, key=sql.Identifier(pk[0])
            )
            await cur.execute(q, {"key": source.key})
            row = await cur.fetchone()
        else:
            await cur.execute(sqlfiles.query("table_rows_estimate"), {"rel": rel})
            est = await cur.fetchone()
            reltuples = float(est[0]) if est and est[0] is not None else -1.0
            row = None
            if reltuples >= 10_000:  # sample ~2,000 rows' worth of blocks, not the whole table
                percent = min(100.0, max(0.001, 100.0 * 2_000 / reltuples))
                q = sqlfiles.query("vector_sample").format(column=col, table=source.table_ident)
                await cur.execute(q, {"percent": percent})
                row = await cur.fetchone()
            if row is None:
                q = sqlfiles.query("vector_random").format(column=col, table=source.table_ident)
                await cur.execute(q)
                row = await cur.fetchone()
    if row is None or row[0] is None:
        raise UsageError(f"--vector-from {source.describe()}: no such row (or the vector is NULL)")
    return row[0]


# ---------------------------------------------------------------------------------------------
# Placeholders
# ---------------------------------------------------------------------------------------------


def bind_query(
    text: str,
    params: Mapping[str, Any] | Sequence[Any] | None = None,
    vector: Any = None,
) -> tuple[str, dict[str, Any]]:
    """Rewrite placeholders for psycopg and build the parameter dict.

    ``$n``, ``%s`` and ``%(name)s`` (found by PostgreSQL's scanner, never inside strings or
    comments) all become ``%(pgvtui_…)s``; every other ``%`` is doubled (psycopg parses ``%``
    when parameters are passed, and we always pass them). With ``vector``, the statement must
    use exactly one distinct placeholder (``$1`` may repeat) and it is bound to the vector.
    Without ``vector``, ``params`` fills them (a sequence for ``$n``/``%s`` in order, a mapping
    for ``%(name)s``)."""
    mapped, holders = qparser.map_placeholders(text)
    by_number = {h.number: h for h in holders}
    toks = qparser.scan(mapped)
    distinct = list(dict.fromkeys(t.text for t in toks if t.name == "PARAM"))
    bare_s = [h for h in holders if h.name is None]
    values: dict[str, Any] = {}
    if vector is not None:
        if len(distinct) != 1:
            raise UsageError(
                "--vector-from needs exactly one placeholder in the query ($1, %s or %(q)s), "
                f"found {len(distinct)}"
            )
    elif distinct and params is None:
        shown = by_number[int(distinct[0][1:])].text if int(distinct[0][1:]) in by_number else None
        raise UsageError(
            f"the query has a placeholder ({shown or distinct[0]}); give the vector with "
            "--vector-from"
        )
    out: list[str] = []
    pos = 0
    for t in toks:
        out.append(mapped[pos : t.start].replace("%", "%%"))
        pos = t.end
        if t.is_comment:
            out.append(" ")
        elif t.name == "PARAM":
            number = int(t.text[1:])
            key, value = _bind_one(by_number.get(number), number, params, vector, bare_s)
            values[key] = value
            out.append(f"%({key})s")
        else:
            out.append(t.text.replace("%", "%%"))
    out.append(mapped[pos:].replace("%", "%%"))
    return "".join(out), values


def _bind_one(
    holder: qparser.Placeholder | None,
    number: int,
    params: Mapping[str, Any] | Sequence[Any] | None,
    vector: Any,
    bare_s: list[qparser.Placeholder],
) -> tuple[str, Any]:
    """The key and value for ``$number`` (``holder`` is the psycopg placeholder it came from)."""
    seq: Sequence[Any] = (
        params if isinstance(params, Sequence) and not isinstance(params, str) else ()
    )
    if holder is None:  # written as $n
        key = f"pgvtui_p{number}"
        if vector is not None:
            return key, vector
        if 0 < number <= len(seq):
            return key, seq[number - 1]
        raise UsageError(f"no value for ${number}")
    if holder.name is not None:
        key = f"pgvtui_n_{holder.name}"
        if vector is not None:
            return key, vector
        if isinstance(params, Mapping) and holder.name in params:
            return key, params[holder.name]
        raise UsageError(f"no value for {holder.text}")
    index = bare_s.index(holder)
    key = f"pgvtui_s{index}"
    if vector is not None:
        return key, vector
    if index < len(seq):
        return key, seq[index]
    raise UsageError(f"no value for %s number {index + 1}")


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


def set_local(name: str, value: str) -> sql.Composed:
    """``SET LOCAL hnsw.ef_search = '100'`` — name as a (dotted) identifier, value a literal.
    Only call with values that passed :func:`guard.check_settings`."""
    return sqlfiles.query("set_local").format(
        name=sql.Identifier(*name.split(".")), value=sql.Literal(value)
    )


def _is_passthrough(exc: BaseException) -> bool:
    """Errors that are not about the statement itself: re-raise them (cancel, timeout, lost
    connection)."""
    return isinstance(
        exc,
        pgerr.QueryCanceled
        | pgerr.AdminShutdown
        | pgerr.CrashShutdown
        | psycopg.OperationalError
        | pgerr.LockNotAvailable,
    )


async def run_explain(
    session: Session,
    sql_text: str,
    settings: Mapping[str, str] | None = None,
    *,
    params: Mapping[str, Any] | Sequence[Any] | None = None,
    vector: Any = None,
    preview: bool = True,
    preview_rows: int = PREVIEW_ROWS,
    read_settings: bool = True,
) -> SearchResult:
    """Guard, then EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT JSON) in a read-only transaction
    that is always rolled back. See the module docstring.

    Raises :class:`QueryRefused` / :class:`SettingRefused` before sending anything;
    :class:`QueryCancelled` / :class:`QueryTimeout` / connection errors as they happen. An error
    in the statement itself (e.g. ``different vector dimensions 3 and 64``) is returned in
    ``SearchResult.error`` — with the planned-only plan when EXPLAIN alone works — so rules can
    explain it. ``read_settings=False`` skips reading the effective settings (left empty)."""
    checked = guard.check_sql(sql_text)
    good = guard.check_settings(dict(settings or {}))
    bound, values = bind_query(checked, params, vector)
    user = sql.SQL(bound)  # passed the guard: see the module docstring
    plan: Plan | None = None
    error: QueryError | None = None
    analyzed = True
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    effective: dict[str, str | None] = {}
    try:
        async with session.read_only() as cur:
            for name, value in good.items():
                session.statements += 1
                await cur.execute(set_local(name, value))
            if read_settings:
                names = list(dict.fromkeys([*catalog.SETTINGS, *EXTRA_SETTINGS, *good]))
                session.statements += 1
                await cur.execute(
                    sqlfiles.query("effective_settings").format(vector_type=session.vector_type()),
                    {"names": names},
                )
                effective = {str(r[0]): r[1] for r in await cur.fetchall()}
            await cur.execute(_SAVEPOINT)
            try:
                session.statements += 1
                await cur.execute(
                    sqlfiles.query("explain_analyze").format(query=user), values, binary=True
                )
                doc = (await cur.fetchone() or [None])[0]
                plan = parse_plan(doc)
            except psycopg.Error as exc:
                if _is_passthrough(exc):
                    raise
                raw = str(exc).strip()
                error = QueryError(
                    raw.splitlines()[0] if raw else type(exc).__name__,
                    exc.sqlstate,
                    title=session.error(exc).title,
                )
                await cur.execute(_ROLLBACK_TO)
                analyzed = False
                with contextlib.suppress(psycopg.Error):
                    session.statements += 1
                    await cur.execute(
                        sqlfiles.query("explain_plan").format(query=user), values, binary=True
                    )
                    doc = (await cur.fetchone() or [None])[0]
                    plan = parse_plan(doc)
                if plan is None:
                    await cur.execute(_ROLLBACK_TO)
            if error is None and preview:
                session.statements += 1
                await cur.execute(
                    sqlfiles.query("result_preview").format(
                        query=user, limit=sql.Literal(preview_rows)
                    ),
                    values,
                )
                if cur.description:
                    columns = tuple(d.name for d in cur.description)
                rows = tuple(tuple(_display(v) for v in r) for r in await cur.fetchall())
    except asyncio.CancelledError:
        await session.cancel_async()
        raise
    return SearchResult(
        sql=checked,
        settings=good,
        plan=plan,
        execution_ms=plan.execution_ms if plan and analyzed else None,
        planning_ms=plan.planning_ms if plan else None,
        rows=plan.rows if plan and analyzed else None,
        result_columns=columns,
        result_rows=rows,
        error=error,
        effective_settings=effective,
        analyzed=analyzed,
    )


def _display(value: Any) -> Any:
    """pgvector objects → their text form; everything else as psycopg returned it."""
    mod = type(value).__module__
    if mod.startswith("pgvector"):
        to_text = getattr(value, "to_text", None)
        if callable(to_text):
            return to_text()
        return str(value)
    if hasattr(value, "tolist") and mod.startswith("numpy"):
        return value.tolist()
    return value


async def replan_without_seqscan(
    session: Session,
    sql_text: str,
    settings: Mapping[str, str] | None = None,
    *,
    params: Mapping[str, Any] | Sequence[Any] | None = None,
    vector: Any = None,
) -> Plan | None:
    """The same statement under ``SET LOCAL enable_seqscan = off`` (EXPLAIN ANALYZE, rolled
    back), for the ``index-not-chosen`` rule: :func:`diagnose` stores it in
    ``RuleContext.extras["noseqscan_plan"]`` (:data:`NOSEQSCAN_PLAN`) when the plan has no ANN
    index scan but the k-NN table has an ANN index. ``None`` when it fails."""
    merged = {**dict(settings or {}), "enable_seqscan": "off"}
    try:
        res = await run_explain(
            session,
            sql_text,
            merged,
            params=params,
            vector=vector,
            preview=False,
            read_settings=False,
        )
    except (QueryCancelled, QueryTimeout):
        raise
    except (QueryFailed, UsageError):
        return None
    return res.plan if res.error is None else None


# ---------------------------------------------------------------------------------------------
# Diagnosis
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Diagnosis:
    sql: str
    settings: dict[str, str]
    search: SearchResult
    shape: QueryShape
    findings: tuple[Finding, ...]
    inventory: Inventory | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def plan(self) -> Plan | None:
        return self.search.plan


def unexplained_error(diag: Diagnosis) -> PgvtuiError | None:
    """The statement failed and no rule explained it: the error to surface (exit 2)."""
    err = diag.search.error
    if err is None:
        return None
    if any(f.severity is Severity.ERROR for f in diag.findings):
        return None
    return QueryFailed(err.message, title=err.title)


def needs_noseqscan_replan(plan: Plan | None, shape: QueryShape, inv: Inventory | None) -> bool:
    if plan is None or inv is None or plan.ann_scans():
        return False
    knn = shape.knn()
    if knn is None or knn.table is None:
        return False
    ref = knn.table
    return any(
        i.table == ref.name and (ref.schema is None or i.schema == ref.schema) and i.valid
        for i in inv.indexes
    )


async def diagnose(
    session: Session,
    sql_text: str,
    settings: Mapping[str, str] | None = None,
    *,
    params: Mapping[str, Any] | Sequence[Any] | None = None,
    vector: Any = None,
    inventory: Inventory | None = None,
    kinds: tuple[str, ...] = ("query",),
    replan: bool = True,
    preview_rows: int = PREVIEW_ROWS,
) -> Diagnosis:
    """Run the query safely (:func:`run_explain`), take the inventory and the query shape, add
    the ``enable_seqscan = off`` re-plan when it can tell something, and run the rules.

    ``RuleContext.extras`` keys: ``"noseqscan_plan"`` (:class:`Plan`, see
    :func:`replan_without_seqscan`), ``"search"`` (the :class:`SearchResult`), ``"vector"``
    (the bound query vector when one was given). ``preview_rows`` 0: no result preview."""
    result = await run_explain(
        session,
        sql_text,
        settings,
        params=params,
        vector=vector,
        preview=preview_rows > 0,
        preview_rows=preview_rows,
    )
    inv = inventory if inventory is not None else await catalog.inventory(session)
    shape = analyze_query(result.sql)
    extras: dict[str, Any] = {"search": result}
    if vector is not None:
        extras["vector"] = vector
    if replan and result.error is None and needs_noseqscan_replan(result.plan, shape, inv):
        alt = await replan_without_seqscan(
            session, result.sql, result.settings, params=params, vector=vector
        )
        if alt is not None:
            extras[NOSEQSCAN_PLAN] = alt
        # a filtered k-NN: the index path that returns k rows is the iterative scan
        if result.plan is not None and any(n.filter for n in result.plan.nodes()):
            it = await replan_without_seqscan(
                session, result.sql, {**result.settings, **ITERATIVE}, params=params, vector=vector
            )
            if it is not None:
                extras[ITERATIVE_PLAN] = it
    ctx = RuleContext(
        inventory=inv,
        plan=result.plan,
        query=shape,
        sql=result.sql,
        settings=dict(result.effective_settings),
        extras=extras,
        error=result.error.message if result.error else None,
    )
    findings = run_rules(ctx, kinds=kinds)
    return Diagnosis(
        sql=result.sql,
        settings=result.settings,
        search=result,
        shape=shape,
        findings=tuple(findings),
        inventory=inv,
        extras=extras,
    )


GENERIC_PLAN_NOTE = (
    "findings come from a generic plan (EXPLAIN (GENERIC_PLAN): the statement's $n have no "
    "values, nothing was executed); give values with --param/--vector-from or --sample to "
    "measure it"
)


@dataclass(frozen=True)
class CheckReport:
    """What ``pgvtui check`` prints (text, JSON, markdown) and the UI exports."""

    findings: tuple[Finding, ...]
    query: str | None = None
    settings: dict[str, str] = field(default_factory=dict)
    execution_ms: float | None = None
    planning_ms: float | None = None
    rows: int | None = None
    plan: Plan | None = None
    error: str | None = None  # the statement's error, when a rule explained it
    effective_settings: dict[str, str | None] = field(default_factory=dict)
    source: str = "database"  # database | query | plan-file
    coverage: Coverage = field(default_factory=Coverage)  # what could not be checked, and why
    # EXPLAIN (GENERIC_PLAN) of a statement with $n and no values: no execution, no timings
    generic_plan: bool = False
    parameters: tuple[dict[str, Any], ...] = ()  # the $n values used and where they came from
    function: dict[str, Any] | None = None  # the function whose body was diagnosed
    # plan-file only: which query rules ran without the catalog (None when all could), and
    # what reading the plan noticed (skipped lines, a cut plan, tables not in the database)
    rule_coverage: RuleCoverage | None = None
    notes: tuple[str, ...] = ()

    @classmethod
    def from_diagnosis(cls, diag: Diagnosis) -> CheckReport:
        r = diag.search
        return cls(
            findings=diag.findings,
            query=diag.sql,
            settings=dict(diag.settings),
            execution_ms=r.execution_ms,
            planning_ms=r.planning_ms,
            rows=r.rows,
            plan=r.plan,
            error=r.error.message if r.error else None,
            effective_settings=dict(r.effective_settings),
            source="query",
        )

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "query": self.query,
            "settings": dict(self.settings),
            "execution_ms": self.execution_ms,
            "rows": self.rows,
            "plan": self.plan.raw if self.plan is not None else None,
            "findings": [f.to_json() for f in self.findings],
            "coverage": self.coverage.to_json(),
        } | self._parameters_json()
        if self.source == "plan-file":
            doc["rule_coverage"] = (
                self.rule_coverage.to_json() if self.rule_coverage is not None else None
            )
            doc["notes"] = list(self.notes)
        return doc

    def _parameters_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.generic_plan:
            out["plan_kind"] = "generic plan"
            out["note"] = GENERIC_PLAN_NOTE
        if self.parameters:
            out["parameters"] = [dict(p) for p in self.parameters]
        if self.function is not None:
            out["function"] = dict(self.function)
        return out


def diagnose_plan(
    plan: Plan,
    *,
    sql_text: str | None = None,
    inventory: Inventory | None = None,
    settings: Mapping[str, str | None] | None = None,
) -> list[Finding]:
    """Offline: rules over a recorded plan (catalog-dependent rules stay silent without an
    inventory). Settings default to the plan's "Settings" (non-default planner GUCs)."""
    shape = analyze_query(sql_text) if sql_text else None
    merged: dict[str, str | None] = {**plan.settings, **dict(settings or {})}
    ctx = RuleContext(
        inventory=inventory, plan=plan, query=shape, sql=sql_text, settings=merged, extras={}
    )
    return run_rules(ctx, kinds=("query",))
