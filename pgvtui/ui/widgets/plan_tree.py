"""The EXPLAIN ANALYZE plan as a tree: per-node time, rows, loops and buffers; offending nodes
(those a finding points at through ``Finding.node_id``) highlighted with the rule id."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from pgvtui.core.plan import Plan, PlanNode
from pgvtui.core.rules.base import Finding, Severity
from pgvtui.render.plan_text import findings_by_node, node_detail_items, node_stats


def node_label(node: PlanNode, flagged: Sequence[Finding] = (), error_style: str = "red") -> Text:
    """One line: label, then the node's numbers (``node_stats``, as in the CLI)."""
    text = Text()
    if flagged:
        worst = max(flagged, key=lambda f: f.severity.rank)
        style = f"bold {error_style}" if worst.severity is Severity.ERROR else "bold yellow"
        text.append("⚠ ", style=style)
        text.append(node.label(), style=style)
    else:
        text.append(node.label(), style="bold" if node.ann_order else "")
    if flagged:  # before the numbers, so a narrow pane still shows which rule
        text.append(" [" + ", ".join(sorted({f.rule for f in flagged})) + "]", style="italic")
    stats = node_stats(node)
    if stats:
        text.append("  " + stats, style="dim")
    return text


def node_details(node: PlanNode) -> list[str]:
    """The node's interesting keys as leaf lines (Order By, Sort Key, Filter …)."""
    return [f"{key}: {value}" for key, value in node_detail_items(node)]


class PlanTree(Tree[PlanNode]):
    """The plan of the last run. Empty (with a hint) before the first run.

    Bindings: those of :class:`textual.widgets.Tree` (enter/space toggle a node).
    """

    DEFAULT_CSS = """
    PlanTree { background: $surface; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("plan", id=id)
        self.show_root = False
        self.guide_depth = 3

    def show_plan(self, plan: Plan | None, findings: Sequence[Finding] = ()) -> None:
        self.clear()
        if plan is None:
            self.root.add_leaf(Text("no plan yet — press F5 to run the query", style="dim"))
            return
        by_node = findings_by_node(findings)
        error = self.app.theme_variables.get("error", "red")
        self._add(self.root, plan.root, by_node, error)
        summary = Text(
            f"planning {plan.planning_ms or 0:.2f} ms · execution {plan.execution_ms or 0:.2f} ms",
            style="dim",
        )
        self.root.add_leaf(summary)
        self.root.expand_all()

    def _add(
        self,
        parent: TreeNode[PlanNode],
        node: PlanNode,
        by_node: dict[int, list[Finding]],
        error: str,
    ) -> None:
        branch = parent.add(node_label(node, by_node.get(node.id, ()), error), data=node)
        details = node_details(node)
        for line in details:
            branch.add_leaf(Text(line, style="dim"), data=node)
        for child in node.children:
            self._add(branch, child, by_node, error)
        if not node.children and not details:
            branch.allow_expand = False

    def plan_text(self, plan: Plan) -> str:
        """The plan as indented plain text (for the clipboard)."""
        lines: list[str] = []
        for n in plan.root.walk():
            lines.append("  " * n.depth + node_label(n).plain)
            lines.extend("  " * n.depth + "    " + d for d in node_details(n))
        return "\n".join(lines)
