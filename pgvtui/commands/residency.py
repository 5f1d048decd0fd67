"""``pgvtui residency``: not built yet."""

from __future__ import annotations

import argparse
from typing import Any

from pgvtui.errors import UsageError


def add_parser(sub: Any) -> None:
    sub.add_parser("residency", help="(residency: not available yet)")


def run(args: argparse.Namespace) -> int:
    raise UsageError("'residency' is not available yet")
