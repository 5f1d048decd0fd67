"""``pgvtui recall``: measure what an ANN index really returns, sweep ef_search / probes, recommend.

Everything runs in read-only transactions. Progress goes to stderr; ``--format json`` writes one
JSON document to stdout. Ctrl-C stops after the current statement and prints what is done (exit
130); a second Ctrl-C aborts at once. Either way no transaction is left open.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import Any

from pgvtui.commands.common import (
    add_command_parser,
    add_format_arg,
    emit_json,
    run_async,
    session_for,
    stderr_console,
    write_text,
)
from pgvtui.commands.output import text_output
from pgvtui.core.recall.sweep import RecallProgress, RecallReport, RecallSpec, run_recall
from pgvtui.core.session import Session

EXIT_INTERRUPTED = 130


def _int_list(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers: {text!r}") from None
    if not values:
        raise argparse.ArgumentTypeError("expected at least one value")
    return values


def _mode_list(text: str) -> tuple[str, ...]:
    modes = tuple(v.strip().lower() for v in text.split(",") if v.strip())
    for m in modes:
        if m not in ("off", "relaxed_order", "strict_order"):
            raise argparse.ArgumentTypeError(
                f"{m!r}: iterative scan modes are off, relaxed_order, strict_order"
            )
    return modes or ("off",)


def add_parser(sub: Any) -> None:
    p = add_command_parser(
        sub,
        "recall",
        help="measure ANN recall@k against exact search; sweep ef_search/probes; recommend",
        description="Sample query vectors (or read them from a file), compute the exact top-k "
        "in one streamed pass, run every query through the ANN index for each setting, and "
        "report recall@k, rows returned, latency percentiles and buffers, with the fastest "
        "setting (p95) that meets --target on the mean and --floor on the worst 10% of "
        "queries, never below the current/default setting unless --allow-lower. Read-only.",
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--index", metavar="NAME", help="the ANN index ([SCHEMA.]NAME)")
    what.add_argument(
        "--column", metavar="SCHEMA.TABLE.COLUMN", help="the vector column (its one ANN index)"
    )
    p.add_argument("--k", type=int, default=10, help="neighbours per query (default 10)")
    p.add_argument("--queries", type=int, default=100, help="sampled queries (default 100)")
    p.add_argument("--where", metavar="SQL_PREDICATE", help="filter (one boolean expression)")
    p.add_argument(
        "--ef-search",
        type=_int_list,
        metavar="LIST",
        help="HNSW hnsw.ef_search values, e.g. 10,20,40,80 (default 10…320)",
    )
    p.add_argument(
        "--probes",
        type=_int_list,
        metavar="LIST",
        help="IVFFlat ivfflat.probes values (default 1…32, capped at lists)",
    )
    p.add_argument(
        "--iterative",
        type=_mode_list,
        default=("off",),
        metavar="LIST",
        help="iterative scan modes to try: off,relaxed_order,strict_order (default off)",
    )
    p.add_argument("--target", type=float, default=0.95, help="recall@k to reach (default 0.95)")
    p.add_argument(
        "--floor",
        type=float,
        default=0.8,
        help="per-query recall the worst 10%% of queries must keep (p10, default 0.8)",
    )
    p.add_argument(
        "--allow-lower",
        action="store_true",
        help="may recommend ef_search/probes below the server's current or pgvector's default",
    )
    p.add_argument("--seed", type=int, default=0, help="sample seed (default 0)")
    p.add_argument(
        "--sample-within-where",
        action="store_true",
        help="with --where: sample query vectors from the filtered rows (default: the whole "
        "table, like an application's own query vectors; see docs/recall.md)",
    )
    p.add_argument(
        "--vectors",
        metavar="FILE",
        help="query vectors from a .npy (2-D) or .jsonl (a list per line) file",
    )
    p.add_argument(
        "--id-column",
        metavar="COL",
        help="row identity when the table has no single-column primary key",
    )
    p.add_argument(
        "--planner-choice",
        action="store_true",
        help="let the planner pick the plan (default: steer it to the ANN index)",
    )
    p.add_argument(
        "--no-index",
        action="store_true",
        help="run the same queries with index scans disabled (sanity check: 1.0)",
    )
    add_format_arg(p, ("text", "json", "markdown"))


def spec_from_args(args: argparse.Namespace) -> RecallSpec:
    return RecallSpec(
        index=args.index,
        column=args.column,
        k=args.k,
        queries=args.queries,
        where=args.where,
        ef_search=tuple(args.ef_search or ()),
        probes=tuple(args.probes or ()),
        iterative=tuple(args.iterative),
        target=args.target,
        seed=args.seed,
        id_column=args.id_column,
        vectors_file=args.vectors,
        force_index=not args.planner_choice,
        bypass_index=args.no_index,
        floor=args.floor,
        sample_within_where=args.sample_within_where,
        allow_lower=args.allow_lower,
    )


class _CliProgress:
    """rich.progress on stderr, one task per phase."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=stderr_console(),
            transient=True,
        )
        self.tasks: dict[str, Any] = {}
        self.phase = "resolve"

    def __call__(self, p: RecallProgress) -> None:
        self.phase = p.phase
        if p.phase in ("resolve", "done"):
            return
        desc = {
            "sample": "sampling queries",
            "ground_truth": "exact top-k (one pass)",
            "ann": "ANN queries",
        }.get(p.phase, p.phase)
        if p.phase == "ann":
            desc = f"ANN {p.message}"
        task = self.tasks.get(p.phase)
        if task is None:
            task = self.tasks[p.phase] = self.progress.add_task(desc, total=p.total or None)
        self.progress.update(task, completed=p.done, total=p.total or None, description=desc)


async def _run(args: argparse.Namespace, spec: RecallSpec) -> RecallReport:
    async with session_for(args) as session:
        return await _sweep(session, spec)


async def _sweep(session: Session, spec: RecallSpec) -> RecallReport:
    loop = asyncio.get_running_loop()
    main_task = asyncio.current_task()
    stopping = False
    background: set[asyncio.Task[None]] = set()
    progress = _CliProgress()
    err = stderr_console()

    def on_sigint() -> None:
        nonlocal stopping
        if stopping:
            if main_task is not None:
                main_task.cancel()
            return
        stopping = True
        err.print("Interrupted: finishing with what is done (Ctrl-C again to abort)")
        if progress.phase in ("sample", "ground_truth"):
            # the one long statement: cancel it; ANN queries are short, the flag suffices
            task = loop.create_task(session.cancel_async())
            background.add(task)
            task.add_done_callback(background.discard)

    installed = True
    try:
        loop.add_signal_handler(signal.SIGINT, on_sigint)
    except (NotImplementedError, RuntimeError):
        installed = False
    try:
        with progress.progress:
            return await run_recall(session, spec, progress, should_stop=lambda: stopping)
    finally:
        if installed:
            loop.remove_signal_handler(signal.SIGINT)


def run(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    report = run_async(lambda: _run(args, spec))
    if args.format == "json":
        emit_json(report.to_json())
    elif args.format == "markdown":
        from pgvtui.render.markdown_tables import recall_markdown

        write_text(recall_markdown(report))
    else:
        from pgvtui.render.recall import render_recall

        with text_output(args) as out:
            render_recall(out, report)
    return 0 if report.complete else EXIT_INTERRUPTED
