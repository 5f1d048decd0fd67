"""``pgvtui recall``: not built yet."""

from __future__ import annotations

import argparse
from typing import Any

from pgvtui.errors import UsageError


def add_parser(sub: Any) -> None:
    sub.add_parser("recall", help="(recall: not available yet)")


def run(args: argparse.Namespace) -> int:
    raise UsageError("'recall' is not available yet")
