"""How the rules write objects and numbers in messages and fixes: quoted identifiers for SQL,
bare names for prose, sizes, counts, buffer I/O. Pure."""

from __future__ import annotations

from pgvtui.core import sqltext, units
from pgvtui.core.plan import PlanNode

ident = sqltext.ident  # always quoted: fix SQL
name = sqltext.display_ident  # bare when it can be: messages
literal = sqltext.literal


def human_bytes(n: int | float | None) -> str:
    """The CLI/UI format (core.units), spelled out when unknown since it sits in a sentence."""
    return "unknown size" if n is None else units.human_bytes(n)


def num(n: int | float | None) -> str:
    """12,345 style; floats with a fraction keep one decimal."""
    if n is None:
        return "?"
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.1f}"
    return f"{int(n):,}"


def display(schema: str, name: str) -> str:
    """Unquoted schema.name for messages and ``Finding.object``."""
    return f"{schema}.{name}"


def scan_io(node: PlanNode) -> str:
    return f"shared hit {num(node.shared_hit)}, read {num(node.shared_read)} blocks"
