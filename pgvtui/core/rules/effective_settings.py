"""The settings a rule sees: EXPLAIN (SETTINGS) of the plan, then the session's ``--set``
values, then the server's, then pgvector's defaults; and the installed pgvector version. Pure."""

from __future__ import annotations

from pgvtui.core import sizing
from pgvtui.core.rules.base import RuleContext
from pgvtui.core.rules.pgvector_facts import PGVECTOR_DEFAULTS, version_tuple


def setting(ctx: RuleContext, name: str) -> str | None:
    """Effective value: EXPLAIN (SETTINGS) of the plan > ctx.settings > inventory > default."""
    if ctx.plan is not None and name in ctx.plan.settings:
        return ctx.plan.settings[name]
    value = ctx.settings.get(name)
    if value is None and ctx.inventory is not None:
        value = ctx.inventory.settings.get(name)
    if value is None:
        value = PGVECTOR_DEFAULTS.get(name)
    return value


def setting_int(ctx: RuleContext, name: str) -> int | None:
    raw = setting(ctx, name)
    if raw is None:
        return None
    try:
        return int(float(raw.strip()))
    except (ValueError, OverflowError):  # OverflowError: "inf"
        return None


def setting_bytes(ctx: RuleContext, name: str) -> int | None:
    """A memory setting (``maintenance_work_mem``, ``shared_buffers`` …) in bytes."""
    return sizing.parse_pg_size(setting(ctx, name))


def iterative_mode(ctx: RuleContext, method: str) -> str:
    """``off`` / ``relaxed_order`` / ``strict_order`` for ``hnsw`` or ``ivfflat``."""
    raw = setting(ctx, f"{method}.iterative_scan") or "off"
    return raw.strip().lower()


def pgvector_at_least(ctx: RuleContext, version: tuple[int, ...]) -> bool:
    """True when the installed pgvector is at least ``version`` (or unknown)."""
    if ctx.inventory is None:
        return True
    have = version_tuple(ctx.inventory.server.pgvector_version)
    return not have or have >= version
