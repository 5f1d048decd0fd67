"""``pgvtui estimate``: not built yet."""

from __future__ import annotations

import argparse
from typing import Any

from pgvtui.errors import UsageError


def add_parser(sub: Any) -> None:
    sub.add_parser("estimate", help="(estimate: not available yet)")


def run(args: argparse.Namespace) -> int:
    raise UsageError("'estimate' is not available yet")
