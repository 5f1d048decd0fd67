"""``pgvtui estimate``: index size, build memory and what-ifs from the page model (no database)."""

from __future__ import annotations

import argparse
import re
from typing import Any

from pgvtui.commands.common import (
    add_command_parser,
    add_format_arg,
    emit_json,
    parse_size,
    write_text,
)
from pgvtui.commands.output import text_output
from pgvtui.core import sizing
from pgvtui.core.models import HNSW_DEFAULT_EF_CONSTRUCTION, HNSW_DEFAULT_M, IVFFLAT_DEFAULT_LISTS
from pgvtui.errors import UsageError


def add_parser(sub: Any) -> None:
    p = add_command_parser(
        sub,
        "estimate",
        help="estimate an index's size and build memory (no database needed)",
        description="Estimate the size of an HNSW or IVFFlat index from pgvector's page layout, "
        "the memory its build needs against maintenance_work_mem, and what-if variants "
        "(halfvec, binary quantization, other m, more rows). No database connection.",
        conn=False,
    )
    p.add_argument("--method", choices=sizing.METHODS, default="hnsw", help="index method")
    p.add_argument("--type", choices=sizing.TYPES, default="vector", help="key type")
    p.add_argument("--dims", type=_count, required=True, metavar="D", help="dimensions")
    p.add_argument(
        "--rows",
        type=_count,
        required=True,
        metavar="N",
        help="rows to index (e.g. 1000000, 2.5M, 20k)",
    )
    p.add_argument(
        "--m",
        type=int,
        default=HNSW_DEFAULT_M,
        metavar="M",
        help=f"HNSW m (default {HNSW_DEFAULT_M})",
    )
    p.add_argument(
        "--ef-construction",
        type=int,
        default=HNSW_DEFAULT_EF_CONSTRUCTION,
        metavar="E",
        help=f"HNSW ef_construction (default {HNSW_DEFAULT_EF_CONSTRUCTION};"
        " does not change size or memory)",
    )
    p.add_argument(
        "--lists",
        type=int,
        default=IVFFLAT_DEFAULT_LISTS,
        metavar="L",
        help=f"IVFFlat lists (default {IVFFLAT_DEFAULT_LISTS})",
    )
    p.add_argument(
        "--nnz",
        type=_count,
        default=None,
        metavar="K",
        help="sparsevec: average non-zero elements per row",
    )
    p.add_argument(
        "--maintenance-work-mem",
        default="64MB",
        metavar="SIZE",
        help="maintenance_work_mem the build gets (default 64MB, PostgreSQL's default)",
    )
    p.add_argument(
        "--parallel-workers",
        type=int,
        default=0,
        metavar="N",
        help="parallel maintenance workers (0 = serial build, the default)",
    )
    add_format_arg(p, ("text", "json", "markdown"))


def _count(text: str) -> int:
    """'1000000', '1_000_000', '1,000,000', '2.5M', '20k', '1e6' → int."""
    t = text.strip().replace("_", "").replace(",", "")
    m = re.fullmatch(r"([0-9]*\.?[0-9]+(?:e[0-9]+)?)([kmg]?)", t, flags=re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"not a count: {text!r}")
    factor = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}[m.group(2).lower()]
    return round(float(m.group(1)) * factor)


def spec_from_args(args: argparse.Namespace) -> sizing.IndexSpec:
    if args.type == "sparsevec" and args.nnz is None:
        raise UsageError("--type sparsevec needs --nnz (average non-zero elements per row)")
    if args.nnz is not None and args.type != "sparsevec":
        raise UsageError("--nnz applies to --type sparsevec only")
    if args.parallel_workers < 0:
        raise UsageError("--parallel-workers must not be negative")
    return sizing.IndexSpec(
        method=args.method,
        type=args.type,
        dims=args.dims,
        rows=args.rows,
        m=args.m,
        ef_construction=args.ef_construction,
        lists=args.lists,
        nnz=args.nnz,
    )


def run(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    mwm = parse_size(args.maintenance_work_mem)
    if mwm < 1024 * 1024:
        raise UsageError("--maintenance-work-mem must be at least 1MB (PostgreSQL's minimum)")
    try:
        report = sizing.estimate(spec, mwm, parallel_workers=args.parallel_workers)
    except sizing.SizingError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        emit_json(report.to_json())
    elif args.format == "markdown":
        from pgvtui.render.markdown_tables import estimate_markdown

        write_text(estimate_markdown(report))
    else:
        from pgvtui.render.estimate import render_estimate

        with text_output(args) as out:
            render_estimate(out, report)
    return 0
