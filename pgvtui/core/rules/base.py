"""The rule interface and the one registry every rule is found through.

A rule is a class with a stable ``id``, a default ``severity``, a one-line ``summary`` and a
``check(ctx)`` generator of :class:`Finding`. Each rule lives in its own module in this package
and registers itself with ``@register``; :func:`all_rules` imports every module here once.
Adding a rule is one file (plus its test and its entry in docs/rules.md).
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from pgvtui.core.models import Inventory
    from pgvtui.core.plan import Plan
    from pgvtui.core.query import QueryShape


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    evidence: str  # the plan node / catalog row / setting that proves it
    fix: str | None  # runnable SQL where one exists, prose otherwise
    object: str | None = None  # e.g. "public.items_emb_idx" or "plan: Seq Scan on items"
    fix_is_sql: bool = True
    node_id: int | None = None  # plan node id the finding points at (for highlighting)
    # What the fix does, for reconciliation (pgvtui.core.reconcile): objects it drops, keeps
    # or rebuilds, and the settings it sets (name, value).
    drops: tuple[str, ...] = ()
    keeps: tuple[str, ...] = ()
    rebuilds: tuple[str, ...] = ()
    sets: tuple[tuple[str, str], ...] = ()
    step: int | None = None  # position in the action plan, 1 = do first (set by reconcile)
    notes: tuple[str, ...] = ()  # how reconciliation related it to other findings

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "evidence": self.evidence,
            "fix": self.fix,
            "object": self.object,
            "step": self.step,
            "notes": list(self.notes),
        }


@dataclass
class RuleContext:
    """What rules look at. Any part may be missing; a rule that needs it stays silent."""

    inventory: Inventory | None = None
    plan: Plan | None = None
    query: QueryShape | None = None
    sql: str | None = None
    # Effective settings of the run: server values overlaid with SET LOCAL ones.
    settings: dict[str, str | None] = field(default_factory=dict)
    # Extra measurements some rules use (residency rows, re-plan without seqscan, ...).
    extras: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # the server error if the query failed (e.g. dimension mismatch)

    def setting(self, name: str, default: str | None = None) -> str | None:
        value = self.settings.get(name)
        return default if value is None else value


class Rule:
    id: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    kind: ClassVar[str] = "query"  # "query" (needs a plan) or "catalog"
    # What beyond the plan the rule reads: "catalog" (an inventory, i.e. a connection),
    # "query" (the SQL text), "error" (the server's error from a failed run). A rule that works
    # on the plan alone says frozenset(); the default is the cautious one, so the offline
    # coverage report never claims a rule ran when it could not have.
    needs: ClassVar[frozenset[str]] = frozenset({"catalog"})

    def check(self, ctx: RuleContext) -> Iterator[Finding]:  # pragma: no cover - interface
        raise NotImplementedError

    def finding(
        self,
        message: str,
        evidence: str,
        fix: str | None,
        *,
        object: str | None = None,
        severity: Severity | None = None,
        fix_is_sql: bool = True,
        node_id: int | None = None,
        drops: tuple[str, ...] = (),
        keeps: tuple[str, ...] = (),
        rebuilds: tuple[str, ...] = (),
        sets: tuple[tuple[str, str], ...] = (),
    ) -> Finding:
        return Finding(
            rule=self.id,
            severity=severity or self.severity,
            message=message,
            evidence=evidence,
            fix=fix,
            object=object,
            fix_is_sql=fix_is_sql,
            node_id=node_id,
            drops=drops,
            keeps=keeps,
            rebuilds=rebuilds,
            sets=sets,
        )


_REGISTRY: dict[str, type[Rule]] = {}
_LOADED = False


def register(cls: type[Rule]) -> type[Rule]:
    if cls.id in _REGISTRY and _REGISTRY[cls.id] is not cls:
        raise ValueError(f"duplicate rule id {cls.id}")
    _REGISTRY[cls.id] = cls
    return cls


# Modules of pgvtui.core.rules that are not rules: the engine and the helpers rules share.
HELPER_MODULES = frozenset(
    {
        "base",
        "engine",
        "rewrite",
        "pgvector_facts",
        "wording",
        "effective_settings",
        "catalog",
        "plan_walk",
        "plan_expressions",
    }
)


def all_rules() -> dict[str, type[Rule]]:
    global _LOADED
    if not _LOADED:
        import pgvtui.core.rules as pkg

        for mod in pkgutil.iter_modules(pkg.__path__):
            if mod.name not in HELPER_MODULES:
                importlib.import_module(f"{pkg.__name__}.{mod.name}")
        _LOADED = True
    return dict(sorted(_REGISTRY.items()))


def run_rules(ctx: RuleContext, kinds: tuple[str, ...] = ("query", "catalog")) -> list[Finding]:
    """Run every registered rule of the given kinds; one finding per (rule, object); then one
    plan per object (:func:`pgvtui.core.reconcile.reconcile`)."""
    from pgvtui.core.reconcile import reconcile

    seen: set[tuple[str, str | None]] = set()
    out: list[Finding] = []
    for rule_cls in all_rules().values():
        if rule_cls.kind not in kinds:
            continue
        for f in rule_cls().check(ctx):
            key = (f.rule, f.object)
            if key in seen:
                continue
            seen.add(key)
            out.append(f)
    out = reconcile(out, ctx)
    out.sort(key=lambda f: (-f.severity.rank, f.rule, f.object or ""))
    return out
