"""``pgvtui report``: one report over a fleet of databases (HTML, Markdown or JSON).

Targets are checked concurrently (see :mod:`pgvtui.core.report.collect`); progress goes to
stderr (a bar on a terminal, one plain line per target otherwise), the report to ``-o FILE`` or
stdout. Exit codes: 0 report written, every target checked; 1 report written, some targets
failed; 2 no report (usage error, unreadable baseline, or no target could be checked).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from pgvtui.commands.common import add_command_parser, parse_size, run_async
from pgvtui.core.report.collect import (
    Failed,
    Outcome,
    ProgressEvent,
    ReportOptions,
    collect_fleet,
)
from pgvtui.core.report.targets import Target, make_targets, read_targets_file
from pgvtui.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, PgvtuiError, UsageError

FORMATS = ("html", "markdown", "json")
SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json"}
MAX_JOBS = 256


def _positive_float(text: str) -> float:
    try:
        value = float(text.strip().lower().removesuffix("s"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError("give seconds between 0 and 86400")
    return value


def _count(lo: int, hi: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be {lo}–{hi}")
        return value

    return parse


def add_parser(sub: Any) -> None:
    p = add_command_parser(
        sub,
        "report",
        help="one report over many databases: fit, findings, recall, changes since last time",
        description="Check every TARGET (URI, key=value, service=name or database name) "
        "concurrently and write one report: server and pgvector versions, key settings, role, "
        "ANN indexes with sizes, memory fit and residency, catalog findings with fixes, and "
        "optionally recall at the current settings. Exit 0: all checked; 1: report written, "
        "some targets failed; 2: no report.",
        conn=False,
    )
    p.add_argument("targets", nargs="*", metavar="TARGET", help="a database to check")
    p.add_argument(
        "--targets",
        dest="targets_file",
        metavar="FILE",
        help="read targets from FILE, one per line (# starts a comment line)",
    )
    p.add_argument(
        "--format",
        # not "format": the config file's default --format (apply_config) must not override
        # the -o suffix, and its choices are not the report's
        dest="report_format",
        choices=FORMATS,
        default=None,
        help="output format (default: from the -o suffix, else markdown)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    p.add_argument(
        "--baseline", metavar="PREVIOUS.json", help="compare with an earlier JSON report"
    )
    p.add_argument(
        "--from-json",
        metavar="REPORT.json",
        help="render an earlier JSON report (e.g. as HTML) instead of checking targets",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=_count(1, MAX_JOBS),
        default=8,
        metavar="N",
        help="targets checked at once, one connection each (default 8)",
    )
    p.add_argument(
        "--connect-timeout",
        type=_positive_float,
        default=10.0,
        metavar="SECONDS",
        help="per target, for the connection (default 10)",
    )
    p.add_argument(
        "--target-timeout",
        type=_positive_float,
        default=60.0,
        metavar="SECONDS",
        help="per target, for everything (default 60)",
    )
    p.add_argument(
        "--ram",
        metavar="SIZE",
        help="the database hosts' RAM (e.g. 64GB); default: detected for a local server, "
        "otherwise effective_cache_size stands in for it",
    )
    p.add_argument(
        "--recall-sample",
        type=_count(0, 1000),
        default=0,
        metavar="N",
        help="recall@10 of each HNSW/IVFFlat index on N sampled rows at the current settings "
        "(read-only; default 0 = off)",
    )
    p.add_argument(
        "--recall-time",
        type=_positive_float,
        default=20.0,
        metavar="SECONDS",
        help="time budget of the recall check per database (default 20)",
    )
    p.add_argument(
        "--workload-top",
        type=_count(0, 1000),
        default=0,
        metavar="N",
        help="per database, the top N vector statements from pg_stat_statements (by total "
        "time), each diagnosed from its generic plan within the per-target limit",
    )


def output_format(args: argparse.Namespace) -> str:
    if args.report_format:
        return str(args.report_format)
    if args.output:
        return SUFFIXES.get(Path(args.output).suffix.lower(), "markdown")
    return "markdown"


def gather_targets(args: argparse.Namespace) -> list[Target]:
    texts = list(args.targets)
    if args.targets_file:
        texts += read_targets_file(args.targets_file)
    if not texts:
        raise UsageError("no targets: give TARGET arguments or --targets FILE")
    return make_targets(texts)


class _Progress:
    """Progress on stderr: a rich bar on a terminal, one plain line per target otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar: Any = None
        self.task: Any = None
        if sys.stderr.isatty() and not os.environ.get("PGVTUI_PLAIN_PROGRESS"):
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            from pgvtui.commands.common import stderr_console

            self.bar = Progress(
                TextColumn("checking"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                console=stderr_console(),
                transient=True,
            )
            self.task = self.bar.add_task("", total=total)

    def __enter__(self) -> _Progress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, e: ProgressEvent) -> None:
        if e.outcome is None:
            if self.bar is not None:
                self.bar.update(self.task, description=e.target.label)
            return
        if isinstance(e.outcome, Failed):
            line = f"[{e.done}/{e.total}] {e.target.label}: FAILED: {e.outcome.error}"
        else:
            line = f"[{e.done}/{e.total}] {e.target.label}: checked in {e.outcome.seconds:.1f} s"
        if self.bar is not None:
            self.bar.update(self.task, completed=e.done, description=f"last: {e.target.label}")
            if isinstance(e.outcome, Failed):
                self.bar.console.print(line)
        else:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()


def render(doc: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        from pgvtui.render.report_json import render_json

        return render_json(doc)
    if fmt == "html":
        from pgvtui.render.report_html import render_html

        return render_html(doc)
    from pgvtui.render.report_markdown import render_markdown

    return render_markdown(doc)


def _write(text: str, path: str | None) -> None:
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    out = Path(path)
    tmp = out.with_name(out.name + ".part")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        raise PgvtuiError(f"cannot write {path!r}: {exc.strerror}", title="Write failed") from None


def rerender(args: argparse.Namespace, fmt: str) -> int:
    """``--from-json``: the same report in another format, no connection (exit 1 when it lists
    failed targets, as the run that wrote it did)."""
    from pgvtui.core.report.baseline import apply_baseline, load_baseline

    if args.targets or args.targets_file:
        raise UsageError("--from-json renders a saved report: give no targets with it")
    doc = load_baseline(args.from_json)
    if args.baseline:
        apply_baseline(doc, load_baseline(args.baseline), Path(args.baseline).name)
    _write(render(doc, fmt), args.output)
    return EXIT_FINDINGS if doc.get("failures") else EXIT_OK


def run(args: argparse.Namespace) -> int:
    from pgvtui.core.report.baseline import apply_baseline, load_baseline
    from pgvtui.core.report.document import build_document

    fmt = output_format(args)
    if args.from_json:
        return rerender(args, fmt)
    targets = gather_targets(args)
    previous = load_baseline(args.baseline) if args.baseline else None
    options = ReportOptions(
        jobs=args.jobs,
        connect_timeout_s=args.connect_timeout,
        target_timeout_s=args.target_timeout,
        statement_timeout_ms=int(min(30.0, args.target_timeout) * 1000),
        ram_bytes=parse_size(args.ram) if args.ram else None,
        recall_sample=args.recall_sample,
        recall_seconds=args.recall_time,
        workload_top=args.workload_top,
    )

    async def go(progress: _Progress) -> list[Outcome]:
        return await collect_fleet(targets, options, progress)

    with _Progress(len(targets)) as progress:
        outcomes = run_async(lambda: go(progress))
    failed = sum(isinstance(o, Failed) for o in outcomes)
    if failed == len(outcomes):
        sys.stderr.write(f"No report: none of the {len(outcomes)} targets could be checked\n")
        return EXIT_ERROR
    doc = build_document(outcomes, options)
    if previous is not None:
        apply_baseline(doc, previous, Path(args.baseline).name)
    _write(render(doc, fmt), args.output)
    s = doc["summary"]
    sys.stderr.write(
        f"Report: {s['checked']} of {s['targets']} databases checked"
        + (f", {s['failed']} failed" if s["failed"] else "")
        + (f"; written to {args.output}" if args.output else "")
        + "\n"
    )
    return EXIT_FINDINGS if failed else EXIT_OK
