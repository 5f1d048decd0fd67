"""Which query rules could run on a plan: the coverage section of an offline report.

A rule declares what it reads beyond the plan (``Rule.needs``: ``"catalog"`` unless it says
otherwise). Without a connection the catalog rules cannot run; the report lists them with how to
get them, so "no findings" is never said when most rules did not look.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pgvtui.core.models import Inventory
from pgvtui.core.plan.model import VECTOR_OPERATORS, Plan
from pgvtui.core.rules.base import all_rules

HOW = {
    "catalog": "give a connection (CONNINFO or -h/-p/-U/-d) to check the plan against its catalog",
    "query": "give the query text (--sql or --file)",
}


@dataclass(frozen=True)
class RuleCoverage:
    ran: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (rule id, what it needs)

    @property
    def complete(self) -> bool:
        return not self.skipped

    def hint(self) -> str:
        needs = sorted({n for _, need in self.skipped for n in need.split(", ")})
        return "; ".join(HOW.get(n, n) for n in needs)

    def to_json(self) -> dict[str, Any]:
        return {
            "ran": list(self.ran),
            "skipped": [{"rule": r, "needs": n} for r, n in self.skipped],
            "how": self.hint() or None,
        }


def plan_coverage(*, catalog: bool, query: bool) -> RuleCoverage:
    """The query rules that run on a recorded plan with/without the catalog and the query
    text (a recorded plan never has a failed run's error)."""
    have = ({"catalog"} if catalog else set()) | ({"query"} if query else set())
    ran: list[str] = []
    skipped: list[tuple[str, str]] = []
    for rule_id, cls in all_rules().items():
        if cls.kind != "query" or "error" in cls.needs:
            continue  # explains a failed run: a recorded plan is from a run that worked
        missing = sorted(set(cls.needs) - have)
        if missing:
            skipped.append((rule_id, ", ".join(missing)))
        else:
            ran.append(rule_id)
    return RuleCoverage(tuple(ran), tuple(skipped))


def missing_tables(plan: Plan, inv: Inventory) -> list[str]:
    """k-NN tables of the plan (under a distance sort or an ANN scan) that the database's
    inventory of vector columns does not have: the plan is probably from another database."""
    known = {c.table for c in inv.columns} | {i.table for i in inv.indexes}
    knn: set[str] = set()
    for node in plan.nodes():
        if node.ann_order and node.relation:
            knn.add(node.relation)
        if node.sort_key and any(op in k for k in node.sort_key for op in VECTOR_OPERATORS):
            knn.update(d.relation for d in node.walk() if d.relation)
    return sorted(knn - known)
