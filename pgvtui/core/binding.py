"""Values for a statement's ``$n`` parameters, and the generic plan when there are none.

The statements an application sends (and pg_stat_statements shows) carry several parameters:
``… embedding <=> $1 … WHERE collection_id = $2::UUID … LIMIT $3::INTEGER``. The parse tree
(:mod:`pgvtui.core.statement`) says what each one is:

- a **vector** parameter — the other side of a distance with a vector column, in any position
  (a library may send the same vector twice, as ``$1`` and ``$2``) — takes ``--vector-from``,
  or with ``--sample`` a random stored vector of that column;
- any other parameter takes ``--param N=VALUE``, or with ``--sample`` a value sampled from the
  column it is compared with (``collection_id = $2``);
- a parameter nothing in the statement ties to a column (the LIMIT, ``meta->>$4``, a function
  argument) is **asked for**, never invented.

Values other than vectors are sent as text of unknown type: the server gives each the type its
context and the statement's own casts (``$2::UUID``) demand. :func:`bind` returns the values in
parameter order and a description of where each came from, for the report.

With no values at all, :func:`explain_generic` runs ``EXPLAIN (GENERIC_PLAN)`` (PostgreSQL 16+)
in the same read-only, rolled-back transaction the other runs use: the plan shape the rules
read, without execution — findings then come from a **generic plan**.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from pgvtui.core import catalog, guard, search
from pgvtui.core import sql as sqlfiles
from pgvtui.core.models import Inventory
from pgvtui.core.plan import parse_plan
from pgvtui.core.query import analyze_query
from pgvtui.core.query import parser as qparser
from pgvtui.core.rules.base import RuleContext, run_rules
from pgvtui.core.session import Session
from pgvtui.core.statement import ColumnUse, Param, StatementInfo
from pgvtui.errors import MissingValues, QueryRefused, UsageError

GENERIC_PLAN_MIN_VERSION = 160000
# errors of a generic plan that values cannot fix: no privilege, no such table / column
NOT_ABOUT_VALUES = frozenset({"42501", "42P01", "42703"})
_SHOWN = 60  # characters of a value shown in the report


@dataclass(frozen=True)
class BoundValue:
    number: int
    role: str  # vector | compared | limit | offset | function argument | unknown
    source: str  # "--param", "--vector-from public.docs.embedding:7", "sampled from t.c" …
    shown: str  # the value as shown (long vectors shortened)
    value: Any

    def to_json(self) -> dict[str, Any]:
        return {
            "param": f"${self.number}",
            "role": self.role,
            "source": self.source,
            "value": self.shown,
        }

    def line(self) -> str:
        return f"${self.number} ({self.role}) = {self.shown}  — {self.source}"


def parse_param_args(items: list[str]) -> dict[int, str]:
    """``["2=abc", "3=10"]`` → ``{2: "abc", 3: "10"}`` (``N=VALUE``, N ≥ 1, each once)."""
    out: dict[int, str] = {}
    for item in items:
        num, eq, value = item.partition("=")
        num = num.strip().removeprefix("$")
        if not eq or not num.isdigit() or int(num) < 1:
            raise UsageError(f"--param {item!r}: expected N=VALUE (e.g. --param 2=42)")
        if int(num) in out:
            raise UsageError(f"--param: ${num} is given twice")
        out[int(num)] = value
    return out


def _shown(value: Any) -> str:
    text = search._display(value)
    text = text if isinstance(text, str) else str(text)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def why_missing(p: Param) -> str:
    if p.role == "limit":
        return "the LIMIT"
    if p.role == "offset":
        return "the OFFSET"
    if p.role == "function argument":
        a = p.function_args[0]
        return f"argument {a.name or a.position} of {a.function}()"
    if p.role == "vector":
        return "a query vector for a column whose table cannot be told"
    if p.role == "compared":
        return "compared with a column whose table cannot be told"
    return "not compared with a column"


def needs_value(p: Param) -> bool:
    """Whether ``--sample`` cannot fill ``p`` (a LIMIT, a value compared with no known column):
    its value must be given — never invented."""
    return not ((p.is_vector or p.role == "compared") and _sampleable(p.column))


def _sampleable(col: ColumnUse | None) -> bool:
    return col is not None and bool(col.table) and bool(col.column)


async def sample_value(session: Session, col: ColumnUse) -> str | None:
    """One non-null value of ``col`` as text (a block sample first, then the first found)."""
    names = [p for p in (col.schema, col.table) if p]
    q = sqlfiles.query("param_sample").format(
        column=sql.Identifier(col.column), table=sql.Identifier(*names)
    )
    async with session.read_only() as cur:
        for percent in (1.0, 100.0):
            await cur.execute(q, {"percent": percent})
            row = await cur.fetchone()
            if row is not None and row[0] is not None:
                return str(row[0])
    return None


async def bind(
    session: Session,
    info: StatementInfo,
    *,
    vector: Any = None,
    vector_source: str | None = None,
    params: Mapping[int, str] | None = None,
    sample: bool = False,
) -> list[BoundValue]:
    """A value for every ``$n`` of the statement, or :class:`MissingValues` naming the ones
    nothing can fill. ``vector`` (from ``--vector-from``) fills every vector parameter."""
    given = dict(params or {})
    extra = sorted(set(given) - set(info.params))
    if extra:
        raise UsageError(
            "--param " + ", ".join(f"${n}" for n in extra) + ": the statement has no such "
            "placeholder"
        )
    out: list[BoundValue] = []
    missing: dict[int, str] = {}
    vector_cache: dict[ColumnUse, Any] = {}
    for n, p in info.params.items():
        col = p.column
        if n in given:
            out.append(BoundValue(n, p.role, "--param", _shown(given[n]), given[n]))
        elif p.is_vector and vector is not None:
            out.append(
                BoundValue(n, p.role, f"--vector-from {vector_source}", _shown(vector), vector)
            )
        elif p.is_vector and sample and col is not None and _sampleable(col):
            if col not in vector_cache:
                src = search.VectorSource(col.schema, str(col.table), col.column, None)
                vector_cache[col] = await search.fetch_vector(session, src)
            v = vector_cache[col]
            out.append(BoundValue(n, p.role, f"a random row of {col.display}", _shown(v), v))
        elif p.role == "compared" and sample and col is not None and _sampleable(col):
            value = await sample_value(session, col)
            if value is None:
                missing[n] = f"{col.display} has no non-null value to sample"
                continue
            out.append(BoundValue(n, p.role, f"sampled from {col.display}", _shown(value), value))
        else:
            missing[n] = why_missing(p)
    if missing:
        how = "--param N=VALUE" + ("" if sample else ", or --sample for values from the data")
        if any("vector" in why for why in missing.values()) and vector is None:
            how += ", --vector-from for the query vector"
        named = MissingValues.named(missing)
        raise MissingValues(f"no value for {named}: give it with {how}", missing)
    return out


def positional(values: list[BoundValue]) -> list[Any]:
    """The values as the sequence :func:`search.bind_query` takes (``$n`` → index n-1)."""
    top = max((v.number for v in values), default=0)
    seq: list[Any] = [None] * top
    for v in values:
        seq[v.number - 1] = v.value
    return seq


async def explain_generic(
    session: Session,
    sql_text: str,
    settings: Mapping[str, str] | None = None,
    *,
    inventory: Inventory | None = None,
) -> search.Diagnosis:
    """``EXPLAIN (GENERIC_PLAN)`` of a statement with ``$n`` and no values, read-only and rolled
    back, then the query rules on that plan (``inventory``: the caller's, else loaded). Raises
    :class:`UsageError` before PostgreSQL 16."""
    if session.basics.version_num < GENERIC_PLAN_MIN_VERSION:
        raise UsageError(
            "the statement has $n placeholders and no values: EXPLAIN (GENERIC_PLAN) needs "
            "PostgreSQL 16 or newer; give values with --param/--vector-from or --sample"
        )
    checked = guard.check_sql(sql_text)
    good = guard.check_settings(dict(settings or {}))
    user = sql.SQL(checked)  # passed the guard (see pgvtui.core.search); sent with no values
    plan = None
    error: search.QueryError | None = None
    effective: dict[str, str | None] = {}
    try:
        async with session.read_only() as cur:
            for name, value in good.items():
                session.statements += 1
                await cur.execute(search.set_local(name, value))
            names = list(dict.fromkeys([*catalog.SETTINGS, *search.EXTRA_SETTINGS, *good]))
            session.statements += 1
            await cur.execute(
                sqlfiles.query("effective_settings").format(vector_type=session.vector_type()),
                {"names": names},
            )
            effective = {str(r[0]): r[1] for r in await cur.fetchall()}
            # EXPLAIN (GENERIC_PLAN) needs the $n in the text itself, so it goes by the simple
            # query protocol (the extended one would want values for them), which would accept
            # a second statement: the text actually sent is parsed once more and must be one
            # statement (the guard already said so; this stands in for the third layer)
            final = sqlfiles.query("explain_generic").format(query=user).as_string(cur)
            if len(qparser.parse(final)) != 1:
                raise QueryRefused("exactly one statement is allowed")
            try:
                session.statements += 1
                await cur.execute(final)
                doc = (await cur.fetchone() or [None])[0]
                plan = parse_plan(doc)
            except psycopg.Error as exc:
                if search._is_passthrough(exc):
                    raise
                raw = str(exc).strip()
                first = raw.splitlines()[0] if raw else type(exc).__name__
                if exc.sqlstate not in NOT_ABOUT_VALUES:
                    first += (
                        " (under EXPLAIN (GENERIC_PLAN); give values with --param, --vector-from"
                        " or --sample; v in the TUI)"
                    )
                error = search.QueryError(first, exc.sqlstate, title=session.error(exc).title)
    except asyncio.CancelledError:
        await session.cancel_async()
        raise
    except psycopg.Error as exc:
        raise session.error(exc) from None
    result = search.SearchResult(
        sql=checked,
        settings=good,
        plan=plan,
        execution_ms=None,
        planning_ms=plan.planning_ms if plan else None,
        rows=None,
        error=error,
        effective_settings=effective,
        analyzed=False,
    )
    inv = inventory if inventory is not None else await catalog.inventory(session)
    shape = analyze_query(result.sql)
    extras: dict[str, Any] = {"search": result, "generic_plan": True}
    ctx = RuleContext(
        inventory=inv,
        plan=result.plan,
        query=shape,
        sql=result.sql,
        settings=dict(result.effective_settings),
        extras=extras,
        error=result.error.message if result.error else None,
    )
    return search.Diagnosis(
        sql=result.sql,
        settings=result.settings,
        search=result,
        shape=shape,
        findings=tuple(run_rules(ctx, kinds=("query",))),
        inventory=inv,
        extras=extras,
    )
