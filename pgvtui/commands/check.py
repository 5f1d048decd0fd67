"""``pgvtui check``: not built yet."""

from __future__ import annotations

import argparse
from typing import Any

from pgvtui.errors import UsageError


def add_parser(sub: Any) -> None:
    sub.add_parser("check", help="(check: not available yet)")


def run(args: argparse.Namespace) -> int:
    raise UsageError("'check' is not available yet")
