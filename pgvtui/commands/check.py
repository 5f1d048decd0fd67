"""``pgvtui check``: diagnose a vector query, a recorded plan, or the whole database.

Modes:

- ``--sql SQL`` / ``--file F``: run the query safely (guard, read-only transaction, rolled
  back; see :mod:`pgvtui.core.search`) under EXPLAIN (ANALYZE, BUFFERS), then the query rules.
- ``--plan-file P``: offline analysis of a recorded plan (``-`` = stdin): EXPLAIN in text format
  as psql prints it or FORMAT JSON, copy-paste wrappers and all (see
  :mod:`pgvtui.core.plan.wrappers`), or pgvtui's own JSON output; one report per plan in the
  file. The query text comes from ``--sql``/``--file``, else the plan's own (auto_explain's
  ``Query Text``, the ``"query"`` key of pgvtui's JSON). Catalog-dependent rules run only
  when *a connection is given*: a CONNINFO argument, any of ``-h/-p/-U/-d``, or a libpq
  variable (PGHOST, PGHOSTADDR, PGPORT, PGDATABASE, PGUSER, PGSERVICE) in the environment;
  without one the report's coverage section lists the rules that did not run. The plan itself
  is never re-run. JSON: one plan → the report object; several →
  ``{"plans": [{"number": 1, …report…}, …]}``.
- neither: the catalog rules over the whole database.

Exit codes: 0 nothing at or above ``--fail-on`` (default ``error``); 1 findings at or above it;
2 usage, connection, refused query, or a query error no rule explains.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import stat
import sys
from typing import Any

from pgvtui.commands.common import (
    add_command_parser,
    add_format_arg,
    emit_json,
    run_async,
    session_for,
)
from pgvtui.commands.output import text_output
from pgvtui.core import appcheck, catalog, guard
from pgvtui.core.appcheck import check_statement
from pgvtui.core.binding import parse_param_args
from pgvtui.core.plan import Plan, read_plans
from pgvtui.core.plan.coverage import missing_tables, plan_coverage
from pgvtui.core.search import (
    CheckReport,
    diagnose,
    diagnose_plan,
    fetch_vector,
    parse_vector_from,
    unexplained_error,
)
from pgvtui.core.statement import StatementInfo
from pgvtui.errors import (
    EXIT_FINDINGS,
    EXIT_OK,
    InputTooLarge,
    PgvtuiError,
    PlanFileError,
    UsageError,
)

FAIL_ON = {"error": 3, "warning": 2, "info": 1, "never": 99}
DEFAULT_MAX_INPUT_MB = 16
MAX_INPUT_ENV = "PGVTUI_MAX_INPUT_SIZE"
LIBPQ_ENV = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE")


def add_parser(sub: Any) -> None:
    p = add_command_parser(
        sub,
        "check",
        help="diagnose a vector query, a recorded EXPLAIN (text or JSON), or the whole database",
        description="Diagnose a pgvector query (run read-only under EXPLAIN ANALYZE and rolled "
        "back), a recorded EXPLAIN plan (text as psql prints it, or JSON), or — with neither "
        "— the catalog of the whole database. Exit 0: nothing at or above --fail-on; "
        "1: findings; 2: errors.",
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--sql", metavar="SQL", help="the query to diagnose")
    src.add_argument("--file", "-f", metavar="FILE", help="read the query from FILE (- = stdin)")
    p.add_argument(
        "--plan-file",
        metavar="PLAN",
        help="analyse a recorded EXPLAIN (text or JSON; pasted from psql, pgAdmin, a log …) "
        "offline (- = stdin), one report per plan; with --sql/--file the query text is used "
        "for the query shape",
    )
    p.add_argument(
        "--vector-from",
        metavar="SCHEMA.TABLE.COLUMN:ID",
        help="bind the query's placeholder ($1, %%s or %%(q)s) to a stored vector: by primary "
        "key, or ':random' for a random row",
    )
    p.add_argument(
        "--param",
        dest="params",
        action="append",
        default=[],
        metavar="N=VALUE",
        help="a value for the statement's $N (repeatable); the statement's casts apply",
    )
    p.add_argument(
        "--sample",
        action="store_true",
        help="fill the $n not given: vectors from a random row of the column they are compared "
        "with, other values sampled from the column they are compared with",
    )
    p.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="SET LOCAL for the run (hnsw.*, ivfflat.*, enable_*, planner costs, work_mem …); "
        "repeatable",
    )
    add_format_arg(p, ("text", "json", "markdown", "sql"))
    p.add_argument(
        "--max-input-size",
        metavar="SIZE",
        help=f"refuse a plan file, query file or --sql larger than this (default "
        f"{DEFAULT_MAX_INPUT_MB}MB, or ${MAX_INPUT_ENV})",
    )
    p.add_argument(
        "--fail-on",
        choices=tuple(FAIL_ON),
        default="error",
        help="exit 1 when a finding has at least this severity (default: error)",
    )


def connection_given(args: argparse.Namespace) -> bool:
    if getattr(args, "conninfo", None):
        return True
    if any(getattr(args, k, None) for k in ("host", "port", "user", "dbname")):
        return True
    return any(os.environ.get(k) for k in LIBPQ_ENV)


def max_input_size(args: argparse.Namespace) -> int:
    """Bytes: ``--max-input-size``, else ``$PGVTUI_MAX_INPUT_SIZE``, else 16 MB."""
    text = getattr(args, "max_input_size", None) or os.environ.get(MAX_INPUT_ENV)
    if not text:
        return DEFAULT_MAX_INPUT_MB * 1024 * 1024
    from pgvtui.commands.common import parse_size

    return parse_size(text)


def _too_large(what: str, name: str, limit: int) -> InputTooLarge:
    return InputTooLarge(
        f"{what} {name} is larger than {_mb(limit)}",
        hint=f"raise the limit with --max-input-size or {MAX_INPUT_ENV}",
    )


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _read(path: str, what: str, limit: int) -> str:
    """The file's text, read in bounded memory: a regular file over ``limit`` is refused before
    reading, a pipe after ``limit + 1`` bytes."""
    name = "(stdin)" if path == "-" else repr(path)
    try:
        if path == "-":
            stream = getattr(sys.stdin, "buffer", None)
            if stream is None:  # a text stream (tests, embedding): limit in characters
                text = sys.stdin.read(limit + 1)
                if len(text) > limit:
                    raise _too_large(what, name, limit)
                return text
            data: bytes = stream.read(limit + 1)
        else:
            with open(path, "rb") as f:
                st = os.fstat(f.fileno())
                if stat.S_ISREG(st.st_mode) and st.st_size > limit:
                    raise _too_large(what, name, limit)
                data = f.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path!r}: {exc.strerror}") from None
    if len(data) > limit:
        raise _too_large(what, name, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{what} {name} is not UTF-8 text") from None


def _query_text(args: argparse.Namespace) -> str | None:
    limit = max_input_size(args)
    if args.sql is not None:
        if len(args.sql) > limit:
            raise _too_large("the query", "(--sql)", limit)
        return str(args.sql)
    if args.file is not None:
        if args.file == "-" and args.plan_file == "-":
            raise UsageError("--file and --plan-file cannot both read stdin")
        return _read(args.file, "query file", limit)
    return None


async def _check_statement(
    args: argparse.Namespace, text: str, settings: dict[str, str], info: StatementInfo | None
) -> CheckReport:
    """``$n`` statements (generic plan, or values from --vector-from/--param/--sample) and
    calls of functions that search vectors: see :mod:`pgvtui.core.appcheck`."""
    given = parse_param_args(args.params)
    source = parse_vector_from(args.vector_from) if args.vector_from else None
    async with session_for(args) as session:
        vector = await fetch_vector(session, source) if source is not None else None
        result = await check_statement(
            session,
            text,
            settings,
            info=info,
            vector=vector,
            vector_source=args.vector_from,
            params=given,
            sample=args.sample,
        )
    diag = result.diagnosis
    err = unexplained_error(diag)
    if err is not None:
        raise err
    return dataclasses.replace(
        CheckReport.from_diagnosis(diag),
        generic_plan=result.generic,
        parameters=tuple(b.to_json() for b in result.bound),
        function=result.function.to_json() if result.function is not None else None,
    )


async def _check_query(
    args: argparse.Namespace, text: str, settings: dict[str, str]
) -> CheckReport:
    text, info = appcheck.as_dollar_params(text)  # %s / %(name)s as written in code: $n
    # one placeholder bound with --vector-from keeps the older path (any placeholder style)
    single = info is not None and len(info.params) == 1 and not args.params and not args.sample
    older = single and bool(args.vector_from) and info is not None and not info.calls
    if appcheck.is_statement(info) and not older:
        return await _check_statement(args, text, settings, info)
    if args.params or args.sample:
        raise UsageError("--param and --sample need a statement with $n placeholders")
    source = parse_vector_from(args.vector_from) if args.vector_from else None
    async with session_for(args) as session:
        vector = await fetch_vector(session, source) if source is not None else None
        # the report shows no result rows: no preview, so the query runs once
        diag = await diagnose(session, text, settings, vector=vector, preview_rows=0)
    err = unexplained_error(diag)
    if err is not None:
        raise err
    return CheckReport.from_diagnosis(diag)


async def _check_catalog(args: argparse.Namespace) -> CheckReport:
    from pgvtui.core.checkup import check_catalog

    async with session_for(args) as session:
        result = await check_catalog(session)
    if result.residency_error:
        sys.stderr.write(f"Note: residency not measured: {result.residency_error}\n")
    return CheckReport(findings=result.findings, source="database", coverage=result.coverage)


def _plan_query(plan: Plan, given: str | None) -> tuple[str | None, list[str]]:
    """The query text for a plan's shape: ``--sql``/``--file``, else the plan's own ("Query
    Text" of auto_explain, ``"query"`` of pgvtui's JSON). Refused text from the file is dropped
    with a note (it is only read, never run, but the shape reader takes what the guard takes)."""
    if given is not None:
        return guard.check_sql(given), []
    own = plan.raw[0].get("Query Text") if plan.raw and isinstance(plan.raw[0], dict) else None
    if not isinstance(own, str) or not own.strip():
        return None, []
    try:
        return guard.check_sql(own), []
    except PgvtuiError as exc:
        return None, [f"the plan's query text is not used for the query shape: {exc.message}"]


def _read_notes(plan: Plan) -> list[str]:
    notes = list(plan.notes)
    if plan.fragment:
        notes.append(
            "the plan starts below its root (an excerpt): nodes above it, such as a Limit, "
            "are unknown"
        )
    if plan.truncated:
        notes.append(f"the plan looks cut short: {plan.truncated}; read as far as it goes")
    return notes


def _own_json(plan_text: str) -> dict[str, Any]:
    """pgvtui's own ``check --format json`` output: its query and --set values are kept."""
    if not plan_text.lstrip().startswith("{"):
        return {}
    try:
        doc = json.loads(plan_text)
    except (ValueError, RecursionError):
        return {}
    return doc if isinstance(doc, dict) and "plan" in doc else {}


async def _check_plans(
    args: argparse.Namespace, plan_text: str, query: str | None, settings: dict[str, str]
) -> list[CheckReport]:
    plans = read_plans(plan_text)
    own = _own_json(plan_text)
    if query is None and isinstance(own.get("query"), str):
        query = own["query"]
    if not settings and isinstance(own.get("settings"), dict):
        # pgvtui's own JSON keeps the --set values (EXPLAIN (SETTINGS) omits hnsw.*/ivfflat.*)
        settings = guard.check_settings({str(k): str(v) for k, v in own["settings"].items()})
    inv = None
    if connection_given(args):
        async with session_for(args) as session:
            inv = await catalog.inventory(session)
    reports: list[CheckReport] = []
    for plan in plans:
        sql_text, notes = _plan_query(plan, query)
        coverage = plan_coverage(catalog=inv is not None, query=sql_text is not None)
        notes += _read_notes(plan)
        if inv is not None:
            missing = missing_tables(plan, inv)
            if missing:
                notes.append(
                    "not in this database (no vector column found): "
                    + ", ".join(missing)
                    + " — the catalog rules could not check them; is it the right database?"
                )
        findings = diagnose_plan(plan, sql_text=sql_text, inventory=inv, settings=settings)
        reports.append(
            CheckReport(
                findings=tuple(findings),
                query=sql_text,
                settings=settings,
                execution_ms=plan.execution_ms,
                planning_ms=plan.planning_ms,
                rows=plan.rows,
                plan=plan,
                source="plan-file",
                rule_coverage=None if coverage.complete else coverage,
                notes=tuple(notes),
            )
        )
    return reports


def build_reports(args: argparse.Namespace) -> list[CheckReport]:
    """One report; with ``--plan-file``, one per plan in the file."""
    settings = guard.check_settings(args.settings)
    query = _query_text(args)
    if args.plan_file is not None and (args.params or args.sample):
        raise UsageError("--param and --sample need a query to run, not a --plan-file")
    if args.plan_file is not None:
        if args.vector_from:
            raise UsageError("--vector-from needs a query to run, not a --plan-file")
        plan_text = _read(args.plan_file, "plan file", max_input_size(args))
        if not plan_text.strip():
            raise PlanFileError("the plan file is empty")
        return run_async(lambda: _check_plans(args, plan_text, query, settings))
    if query is not None:
        return [run_async(lambda: _check_query(args, query, settings))]
    if args.vector_from or settings or args.params or args.sample:
        raise UsageError(
            "--vector-from, --param, --sample and --set need a query (--sql or --file)"
        )
    return [run_async(lambda: _check_catalog(args))]


def build_report(args: argparse.Namespace) -> CheckReport:
    """The first report (the only one unless a plan file holds several plans)."""
    return build_reports(args)[0]


def exit_code(report: CheckReport, fail_on: str) -> int:
    threshold = FAIL_ON[fail_on]
    worst = max((f.severity.rank for f in report.findings), default=0)
    return EXIT_FINDINGS if worst >= threshold else EXIT_OK


def run(args: argparse.Namespace) -> int:
    reports = build_reports(args)
    several = len(reports) > 1
    if args.format == "json":
        # one plan (or no plan file): the report object, as always; several plans:
        # {"plans": [report, ...]}, each report with its "number" (1-based, file order)
        if several:
            emit_json({"plans": [{"number": i, **r.to_json()} for i, r in enumerate(reports, 1)]})
        else:
            emit_json(reports[0].to_json())
    elif args.format == "markdown":
        from pgvtui.render.markdown import render_markdown

        for i, report in enumerate(reports, 1):
            title = f"pgvtui check — plan {i} of {len(reports)}" if several else "pgvtui check"
            sys.stdout.write(("\n" if i > 1 else "") + render_markdown(report, title=title))
        sys.stdout.flush()
    elif args.format == "sql":  # the fixes only, as one script for psql
        from pgvtui.render.sql_script import check_script

        sys.stdout.write("\n".join(check_script(r) for r in reports))
        sys.stdout.flush()
    else:
        from pgvtui.render.check import render_check, render_plan_heading

        with text_output(args) as out:
            for i, report in enumerate(reports, 1):
                if several:
                    render_plan_heading(out, i, len(reports))
                render_check(out, report)
    return max(exit_code(r, args.fail_on) for r in reports)
