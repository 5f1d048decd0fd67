"""``pgvtui [CONNINFO] [-h -p -U -d]``: the terminal UI (the default when no subcommand is given).

The UI package is imported here, lazily, so headless subcommands never load Textual.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pgvtui.commands.common import add_command_parser, conn_options
from pgvtui.core.session import SessionOptions

SCREENS = ("overview", "inventory", "search", "residency", "activity", "recall", "workload")


def add_parser(sub: Any) -> None:
    p = add_command_parser(
        sub,
        "tui",
        help="open the terminal UI (the default: `pgvtui [CONNINFO]`)",
        description="Open the terminal UI. Keys: 1 Overview, 2 Inventory, 3 Search, "
        "4 Residency, 5 Activity, 6 Recall, ? help, ctrl+q quit.",
    )
    p.add_argument("--screen", choices=SCREENS, default="overview", help="screen to open first")


def run(args: argparse.Namespace) -> int:
    from pgvtui.ui.app import create_app

    conninfo = conn_options(args).to_conninfo()
    options = SessionOptions(statement_timeout_ms=args.statement_timeout)
    app = create_app(conninfo, options, initial_screen=args.screen)
    app.run()
    if app.return_code and not app.ever_connected and app.connection_detail:
        # Never connected: say why on stderr, as the CLI does (the screen is gone by now).
        print(app.connection_detail, file=sys.stderr)
    return int(app.return_code or 0)
