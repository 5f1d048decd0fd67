"""CLI subcommands: one module each, with ``add_parser(subparsers)`` and ``run(args) -> int``."""

COMMANDS = (
    "inventory",
    "check",
    "estimate",
    "residency",
    "recall",
    "demo",
    "tui",
    "report",
    "workload",
)
