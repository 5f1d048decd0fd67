"""The EXPLAIN ANALYZE plan as a tree: per-node time, rows, loops and buffers; offending nodes
(those a finding points at through ``Finding.node_id``) highlighted with the rule id."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from pgvtui.core.plan import Plan, PlanNode
from pgvtui.core.rules.base import Finding, Severity
from pgvtui.render.check import shorten_sql
from pgvtui.render.plan_text import findings_by_node, node_detail_items, node_stats


def node_label(
    node: PlanNode,
    flagged: Sequence[Finding] = (),
    error_style: str = "red",
    *,
    with_stats: bool = True,
) -> Text:
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
    stats = node_stats(node) if with_stats else ""
    if stats:
        text.append("  " + stats, style="dim")
    return text


def node_details(node: PlanNode) -> list[str]:
    """The node's interesting keys as leaf lines (Order By, Sort Key, Filter …), long vector
    literals shortened to ``'[…]'`` as in the CLI (F7 copies them whole, as EXPLAIN text)."""
    return [f"{key}: {value}" for key, value in node_detail_items(node, shorten_sql)]


def _pack(stats: str, room: int, sep: str = " · ") -> list[str]:
    """``rows 10 · 1.2 ms · hit 5 read 0`` in lines of at most ``room`` cells, broken between
    the parts (a part longer than a line is wrapped later, like any line)."""
    lines: list[str] = []
    for part in stats.split(sep) if stats else []:
        if lines and len(lines[-1]) + len(sep) + len(part) <= room:
            lines[-1] += sep + part
        else:
            lines.append(part)
    return lines


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
        self._plan: Plan | None = None
        self._findings: tuple[Finding, ...] = ()
        self._width = 0

    def show_plan(self, plan: Plan | None, findings: Sequence[Finding] = ()) -> None:
        """Show a run's plan, scrolled to the top left (a new run never keeps the old scroll
        position)."""
        self._plan, self._findings = plan, tuple(findings)
        self._render_plan()
        self.scroll_to(0, 0, animate=False)

    def on_resize(self) -> None:
        # The lines are wrapped to the pane's width: wrap again when it changes.
        if self._plan is not None and self.scrollable_content_region.width != self._width:
            self._render_plan()

    def _render_plan(self) -> None:
        self.clear()
        plan = self._plan
        self._width = self.scrollable_content_region.width
        if plan is None:
            self.root.add_leaf(Text("no plan yet — press F5 to run the query", style="dim"))
            return
        by_node = findings_by_node(self._findings)
        error = self.app.theme_variables.get("error", "red")
        self._add(self.root, plan.root, by_node, error, 0)
        summary = Text(f"planning {_ms(plan.planning_ms)} · execution {_ms(plan.execution_ms)}")
        summary.stylize("dim")
        self.root.add_leaf(summary)
        self.root.expand_all()

    def _wrap(self, text: Text, level: int) -> list[Text]:
        """``text`` cut at word boundaries to what a line at tree depth ``level`` has room
        for (the guides take ``guide_depth`` cells a level, the toggle two)."""
        room = self._width - self.guide_depth * level - 3
        if self._width <= 0 or text.cell_len <= room:
            return [text]
        return list(text.wrap(self.app.console, max(room, 20)))

    def _add(
        self,
        parent: TreeNode[PlanNode],
        node: PlanNode,
        by_node: dict[int, list[Finding]],
        error: str,
        level: int,
    ) -> None:
        flagged = by_node.get(node.id, ())
        label = node_label(node, flagged, error)
        leaves: list[Text] = []
        if self._width and label.cell_len > self._width - self.guide_depth * level - 3:
            # Too wide for one line: the node's name (and rule) on the branch, its numbers as
            # the first detail line, both wrapped rather than cut.
            label = node_label(node, flagged, error, with_stats=False)
            room = self._width - self.guide_depth * (level + 1) - 3
            leaves += [Text(line, style="dim") for line in _pack(node_stats(node), room)]
        first, *rest = self._wrap(label, level)
        branch = parent.add(first, data=node)
        for line in [*rest, *leaves, *(Text(d, style="dim") for d in node_details(node))]:
            for part in self._wrap(line, level + 1):
                branch.add_leaf(part, data=node)
        for child in node.children:
            self._add(branch, child, by_node, error, level + 1)
        if not node.children and not branch.children:
            branch.allow_expand = False


def _ms(value: float | None) -> str:
    """A time the plan holds, or says it does not (EXPLAIN without ANALYZE, a generic plan)."""
    return "not in the plan" if value is None else f"{value:.2f} ms"
