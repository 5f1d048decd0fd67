"""Diagnose a statement as the application sends it: ``$n`` parameters, searches inside
functions. Used by ``pgvtui check --sql`` and ``pgvtui workload --diagnose``.

1. A call of a user function whose body searches vectors (``SELECT * FROM match_documents($1,
   $2)``) is unwrapped (:func:`pgvtui.core.functions.call_search`): the body's search, with the
   call's arguments or the parameters' defaults in place, is what gets diagnosed; findings name
   the function, and ``function-not-inlined`` says whether the planner can inline it.
2. A statement with ``$n`` and no values gets ``EXPLAIN (GENERIC_PLAN)``; with values
   (``--vector-from``, ``--param``, ``--sample``) EXPLAIN ANALYZE with them bound
   (:mod:`pgvtui.core.binding`).

Reading a function runs nothing but a catalog query; the unwrapped body passes the guard like
any statement before it is explained.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pgvtui.core import binding, statement
from pgvtui.core import functions as fn
from pgvtui.core.models import Inventory
from pgvtui.core.query import parser as qparser
from pgvtui.core.rules.base import Finding, RuleContext, all_rules
from pgvtui.core.rules.function_not_inlined import EXTRAS_KEY
from pgvtui.core.search import Diagnosis, diagnose
from pgvtui.core.session import Session


@dataclass(frozen=True)
class StatementCheck:
    diagnosis: Diagnosis
    findings: tuple[Finding, ...]
    bound: tuple[binding.BoundValue, ...]
    generic: bool  # findings come from a generic plan
    function: fn.FunctionSearch | None


def read(text: str) -> statement.StatementInfo | None:
    try:
        return statement.read(text)
    except statement.StatementError:
        return None


def calls_function(info: statement.StatementInfo) -> bool:
    """A call of a function in FROM and no distance of its own: maybe a search inside a
    function, which :func:`check_statement` unwraps."""
    return bool(info.calls) and not info.distances


def is_statement(info: statement.StatementInfo | None) -> bool:
    """What :func:`check_statement` is for (rather than a plain query's EXPLAIN ANALYZE):
    ``$n`` parameters, or a call of a function (:func:`calls_function`)."""
    return info is not None and (bool(info.params) or calls_function(info))


def as_dollar_params(text: str) -> tuple[str, statement.StatementInfo | None]:
    """``text`` as PostgreSQL reads it, and what it says: a statement written with psycopg's
    placeholders (``%s``, ``%(name)s``, as in application code) has them numbered ``$1``,
    ``$2`` … (:func:`pgvtui.core.query.parser.map_placeholders`) so it is checked like the
    text pg_stat_statements shows."""
    info = read(text)
    if info is None and "%" in text:
        mapped, holders = qparser.map_placeholders(text)
        if holders:
            return mapped, read(mapped)
    return text, info


async def check_statement(
    session: Session,
    text: str,
    settings: Mapping[str, str] | None = None,
    *,
    info: statement.StatementInfo | None = None,
    vector: Any = None,
    vector_source: str | None = None,
    params: Mapping[int, str] | None = None,
    sample: bool = False,
    inventory: Inventory | None = None,
    preview_rows: int = 0,
) -> StatementCheck:
    """Diagnose ``text`` (see the module's docstring). ``inventory``: the caller's (else it is
    loaded); ``preview_rows``: result rows to keep when the statement runs with values."""
    info = info or read(text)
    fs: fn.FunctionSearch | None = None
    if info is not None and calls_function(info):
        searching = fn.vector_functions(await fn.load_functions(session))
        fs = fn.call_search(info, searching)
        if fs is not None:
            text = fs.sql
            info = read(text)
    bound: list[binding.BoundValue] = []
    if info is not None and info.params and vector is None and not params and not sample:
        diag = await binding.explain_generic(session, text, settings, inventory=inventory)
        generic = True
    else:
        generic = False
        if info is not None and info.params:
            bound = await binding.bind(
                session,
                info,
                vector=vector,
                vector_source=vector_source,
                params=params,
                sample=sample,
            )
            diag = await diagnose(
                session,
                text,
                settings,
                params=binding.positional(bound),
                inventory=inventory,
                preview_rows=preview_rows,
            )
        else:
            diag = await diagnose(
                session,
                text,
                settings,
                vector=vector,
                inventory=inventory,
                preview_rows=preview_rows,
            )
    findings = list(diag.findings)
    if fs is not None:
        findings = [_inside(f, fs) for f in findings]
        ctx = RuleContext(
            inventory=diag.inventory,
            plan=diag.plan,
            query=diag.shape,
            sql=diag.sql,
            settings=dict(diag.search.effective_settings),
            extras={**diag.extras, EXTRAS_KEY: fs},
        )
        findings += list(all_rules()["function-not-inlined"]().check(ctx))
    return StatementCheck(
        diagnosis=dataclasses.replace(diag, findings=tuple(findings)),
        findings=tuple(findings),
        bound=tuple(bound),
        generic=generic,
        function=fs,
    )


def _inside(f: Finding, fs: fn.FunctionSearch) -> Finding:
    where = f"inside function {fs.function.display}()"
    return dataclasses.replace(f, message=f"{f.message} ({where})")
