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

# What ``pgvtui --help`` lists, without importing the command modules (start-up time); each
# module registers the same line (a test keeps them equal).
SUMMARIES = {
    "inventory": "list vector columns and HNSW/IVFFlat indexes",
    "check": "diagnose a vector query, a recorded EXPLAIN (text or JSON), or the whole database",
    "estimate": "estimate an index's size and build memory (no database needed)",
    "residency": "index size vs shared_buffers / cache / RAM, and measured residency",
    "recall": "measure ANN recall@k against exact search; sweep ef_search/probes; recommend",
    "demo": "start an embedded PostgreSQL + pgvector with demo data and open the TUI",
    "tui": "open the terminal UI (the default: `pgvtui [CONNINFO]`)",
    "report": "one report over many databases: fit, findings, recall, changes since last time",
    "workload": "list the vector searches pg_stat_statements recorded, heaviest first",
}
