"""index-exceeds-memory: an ANN index (or all of them together) is larger than shared_buffers,
effective_cache_size or the host's RAM.

Every k-NN query walks pages across the whole graph (pgvector-facts §4: ~1.1–1.4k pages per
query on a 20k-row index), so the whole index is the working set: once it is larger than the
memory that caches it, queries read from disk (or the OS cache) on every search. RAM is known
when ``ctx.extras["residency"]`` holds a :class:`~pgvtui.core.residency.ResidencyReport` whose
RAM came from ``--ram`` or the local host; otherwise only the two settings are compared.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from pgvtui.core import sizing
from pgvtui.core.models import IndexInfo, Inventory
from pgvtui.core.residency import EXTRAS_KEY, ResidencyReport, model_spec
from pgvtui.core.rules import effective_settings
from pgvtui.core.rules.base import Finding, Rule, RuleContext, Severity, register


def _mb(n: int) -> str:
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB"
    if n >= 1024**2:
        return f"{n / 1024**2:.0f} MB"
    return f"{n / 1024:.0f} kB"


def memory_limits(ctx: RuleContext) -> list[tuple[str, int]]:
    """[(name, bytes)] of the memory an index should fit, smallest first."""
    out: list[tuple[str, int]] = []
    for name in ("shared_buffers", "effective_cache_size"):
        value = effective_settings.setting_bytes(ctx, name)
        if value:
            out.append((name, value))
    rep = ctx.extras.get(EXTRAS_KEY)
    if isinstance(rep, ResidencyReport) and rep.memory.ram_source != "unknown":
        label = "RAM (--ram)" if rep.memory.ram_source == "option" else "RAM (this host)"
        out.append((label, rep.memory.ram_bytes))
    return sorted(out, key=lambda x: x[1])


def _shrink_hint(inv: Inventory, idx: IndexInfo) -> str:
    spec, _ = model_spec(inv, idx)
    if spec is None or spec.type not in ("vector", "halfvec"):
        return ""
    parts = []
    if spec.type == "vector" and spec.dims <= sizing.MAX_INDEX_DIMS["halfvec"]:
        half = sizing.estimate_size(replace(spec, type="halfvec"))
        parts.append(f"a halfvec expression index would be ~{_mb(half.bytes)}")
    bq = sizing.estimate_size(replace(spec, type="bit"))
    parts.append(f"a binary-quantized bit({spec.dims}) index with re-ranking ~{_mb(bq.bytes)}")
    return " (" + "; ".join(parts) + ")"


@register
class IndexExceedsMemory(Rule):
    id = "index-exceeds-memory"
    severity = Severity.WARNING
    summary = "ANN index larger than shared_buffers / effective_cache_size / RAM"
    kind = "catalog"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        inv = ctx.inventory
        if inv is None:
            return
        limits = memory_limits(ctx)
        if not limits:
            return
        have = ", ".join(f"{n} {_mb(v)}" for n, v in limits)
        anns = [i for i in inv.indexes if i.valid]
        for idx in anns:
            over = [(n, v) for n, v in limits if idx.size_bytes > v]
            if not over:
                continue
            name, value = over[-1]  # the largest memory it does not fit
            yield self.finding(
                f"{idx.qualified_name} ({_mb(idx.size_bytes)}) is larger than {name} "
                f"({_mb(value)}): k-NN queries on it read pages from outside that memory",
                f"pg_relation_size {idx.size_bytes:,} B; {have}",
                _fix(name, idx.size_bytes, _shrink_hint(inv, idx)),
                object=idx.qualified_name,
                fix_is_sql=name == "shared_buffers",
            )
        total = sum(i.size_bytes for i in anns)
        over_total = [(n, v) for n, v in limits if total > v]
        if len(anns) > 1 and over_total:
            name, value = over_total[-1]
            # Only when it says more than the per-index findings: no single index is already
            # over this same limit.
            if not any(i.size_bytes > value for i in anns):
                sizes = ", ".join(f"{i.qualified_name} {_mb(i.size_bytes)}" for i in anns)
                yield self.finding(
                    f"all {len(anns)} ANN indexes together ({_mb(total)}) are larger than "
                    f"{name} ({_mb(value)}): they evict each other when all are queried",
                    f"{sizes}; {have}",
                    _fix(name, total, ""),
                    object="all ANN indexes",
                    fix_is_sql=name == "shared_buffers",
                )


def _fix(limit: str, need: int, hint: str) -> str:
    if limit == "shared_buffers":
        target = sizing.pg_size_literal(int(need * 1.25))
        return (
            f"ALTER SYSTEM SET shared_buffers = '{target}';  -- needs a restart; keep it well "
            f"below RAM. Or shrink the index{hint}"
        )
    return (
        f"Give the host more memory than the index ({_mb(need)}) plus the rest of the working "
        f"set, or shrink the index{hint}, or partition the table so each query searches a "
        "smaller index"
    )
