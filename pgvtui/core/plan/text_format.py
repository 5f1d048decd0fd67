"""EXPLAIN text format (as psql prints it) → the EXPLAIN (FORMAT JSON) document shape.

The reader rebuilds the JSON document PostgreSQL would have printed for the same plan —
``{"Plan": {"Node Type": …, "Plans": […]}, "Planning Time": …}`` — so that
:func:`pgvtui.core.plan.json_format.parse_plan` builds the tree and a text plan gives the same
:class:`~pgvtui.core.plan.model.PlanNode` fields as its JSON twin (tests compare both, generated
from the real server in every option combination).

How the text is laid out (``explain.c``): a node is one line, ``->  `` before every node but the
root; its properties (``Key: value``) follow on lines indented deeper than its ``->``; its
children are ``->`` lines deeper still; ``InitPlan 1`` / ``SubPlan 1`` / ``CTE name`` lines label
the child below them; ``Worker N:`` lines hold per-worker figures; after the tree come
``Planning:``, ``Planning Time``, ``Execution Time``, ``Settings``, ``JIT:`` … at the root's
indent. Indentation alone tells which node a line belongs to, so the reader keeps a stack of
open entries (node, label, worker, section) by column.

Expressions (Sort Key, Filter, Order By …) stay strings, exactly as in JSON. A list property
(Sort Key, Group Key, Output) is split at its top-level commas with PostgreSQL's own lexer
(:func:`pglast.parser.scan`), never by hand; node and relation names are unquoted the same way.
Older wordings (PostgreSQL 13–17: integer row counts, ``InitPlan 1 (returns $0)``, ``Heap
Fetches``; ``Total runtime`` / ``Planning time`` from before) read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pgvtui.core.plan.text_nodes import (
    Header,
    is_node_line,
    read_annotations,
    read_header,
    split_header,
)
from pgvtui.core.plan.text_properties import put_property, section_property, top_property
from pgvtui.core.plan.text_values import balanced
from pgvtui.errors import PlanFileError

Line = tuple[int, str]  # (1-based line number in the input, text)

# Nodes that always have input nodes: without one the excerpt was cut.
_NEEDS_INPUT = {
    "Limit": 1,
    "Sort": 1,
    "Incremental Sort": 1,
    "Gather": 1,
    "Gather Merge": 1,
    "Hash": 1,
    "Materialize": 1,
    "Memoize": 1,
    "Unique": 1,
    "Aggregate": 1,
    "WindowAgg": 1,
    "Group": 1,
    "SetOp": 1,
    "LockRows": 1,
    "Subquery Scan": 1,
    "Bitmap Heap Scan": 1,
    "Hash Join": 2,
    "Merge Join": 2,
    "Nested Loop": 2,
    "Append": 1,
    "Merge Append": 1,
}
_EXPRESSION_KEYS = ("Filter", "Index Cond", "Order By", "Recheck Cond", "Join Filter", "Hash Cond")
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9 /()_-]*")
_LABEL = re.compile(r"(InitPlan|SubPlan) \S.*|CTE \S.*")
_WORKER = re.compile(r"Worker (\d+):\s*(.*)")
_FOOTER = re.compile(r"\(\d+ rows?\)")
_SUMMARY = ("Planning Time", "Execution Time", "Planning", "JIT", "Settings")
_TOP_KEYS = {
    "planning time",
    "execution time",
    "total runtime",
    "settings",
    "query identifier",
    "serialization",
}


@dataclass
class _Entry:
    col: int
    kind: str  # node | label | worker | section
    data: dict[str, Any]  # the node's / worker's / section's JSON object
    label: str = ""
    owner: dict[str, Any] | None = None  # a label's node


@dataclass
class TextPlan:
    """One plan read from text: the JSON-shaped document and what reading it noticed."""

    doc: dict[str, Any]
    first_line: int
    fragment: bool = False
    root_indent: int = 0
    truncated: str | None = None
    notes: list[str] = field(default_factory=list)


def _shorten(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


class _Reader:
    def __init__(self) -> None:
        self.plans: list[TextPlan] = []
        self.current: TextPlan | None = None
        self.stack: list[_Entry] = []
        self.root_col = 0
        self.pending_notes: list[str] = []
        self.last_line = 0
        # Indentation lost (a chat or Markdown renderer stripped it): "->" lines at the root's
        # column. The tree is then read as a chain, each node under the one before.
        self.flat = False
        self.flat_label: str | None = None
        self.last_node: dict[str, Any] | None = None

    # -- plans ----------------------------------------------------------------------------

    def _start(self, lineno: int, col: int, header: Header, fragment: bool) -> dict[str, Any]:
        self._finish()
        node = dict(header.keys)
        self.current = TextPlan(
            doc={"Plan": node}, first_line=lineno, fragment=fragment, root_indent=col
        )
        self.current.notes.extend(self.pending_notes)
        self.pending_notes = []
        if header.cut:
            self.current.truncated = f"line {lineno} ends inside its cost/actual figures"
        self.root_col = col
        self.stack = [_Entry(col, "node", node)]
        self.flat, self.flat_label, self.last_node = False, None, node
        return node

    def _finish(self) -> None:
        if self.current is not None:
            self.plans.append(self.current)
        self.current = None
        self.stack = []

    def _note(self, lineno: int, text: str, why: str = "not part of a plan") -> None:
        note = f"line {lineno} skipped ({why}): {_shorten(text.strip())}"
        if self.current is not None:
            self.current.notes.append(note)
        else:
            self.pending_notes.append(note)

    # -- lines ----------------------------------------------------------------------------

    def line(self, lineno: int, raw: str) -> None:
        text = raw.rstrip()
        stripped = text.lstrip()
        if not stripped:
            return
        self.last_line = lineno
        indent = len(text) - len(stripped)
        if stripped == "QUERY PLAN" or set(stripped) <= {"-", "+"} or _FOOTER.fullmatch(stripped):
            return  # psql's header, rule and row count
        if stripped.startswith("->"):
            self._node(lineno, indent, stripped[2:].strip(), arrow=True)
            return
        if (self.current is None or indent <= self.root_col) and is_node_line(stripped):
            self._node(lineno, indent, stripped, arrow=False)
            return
        if self.current is None or not _plan_like(stripped):
            self._note(lineno, stripped)  # a pager's or client's line: the tree stays open
            return
        summary = any(k in self.current.doc for k in _SUMMARY)
        if indent <= self.root_col and self.last_node is not None and not summary:
            self._flat_line(lineno, indent, stripped)  # after the tree, or indentation lost
            return
        while self.stack and self.stack[-1].col >= indent:
            self.stack.pop()
        if not self.stack:
            self._top(lineno, indent, stripped)
            return
        top = self.stack[-1]
        if top.kind == "section":
            key, sep, value = stripped.partition(": ")
            if sep and _KEY.fullmatch(key):
                section_property(top.data, top.label, key, value)
            else:
                self._note(lineno, stripped)
            return
        node = top.owner if top.kind == "label" and top.owner is not None else top.data
        if top.kind in ("node", "label") and _LABEL.fullmatch(stripped):
            self.stack.append(_Entry(indent, "label", {}, label=stripped, owner=node))
            return
        m = _WORKER.fullmatch(stripped)
        if m is not None and top.kind != "worker":
            worker: dict[str, Any] = {"Worker Number": int(m.group(1))}
            node.setdefault("Workers", []).append(worker)
            self.stack.append(_Entry(indent, "worker", worker))
            self._worker_inline(worker, m.group(2), lineno)
            return
        self._property(lineno, node if top.kind != "worker" else top.data, stripped)

    def _flat_line(self, lineno: int, indent: int, stripped: str) -> None:
        """A line of a plan whose indentation was lost: the summary after the tree, a label
        for the next node, or a property of the last node."""
        assert self.last_node is not None
        key, sep, _ = stripped.partition(": ")
        top_level = stripped.endswith(":") or key.lower() in _TOP_KEYS
        if top_level or (sep and key.startswith("Trigger ")):
            self.flat = False  # the tree is over
            self.stack = []
            self._top(lineno, indent, stripped)
        elif _LABEL.fullmatch(stripped):
            self.flat_label = stripped
        else:
            self._go_flat(lineno)  # a node's property at the root's column
            self._property(lineno, self.last_node, stripped)

    def _go_flat(self, lineno: int) -> None:
        if self.flat or self.current is None:
            return
        self.flat = True
        self.current.notes.append(
            f"line {lineno}: the indentation is lost (lines at the root's column); the tree is"
            " read as a chain, each node under the one before — its shape is a guess"
        )

    def _worker_inline(self, worker: dict[str, Any], rest: str, lineno: int) -> None:
        rest = rest.strip()
        if not rest:
            return
        if rest.startswith(("actual", "never executed")):
            read_annotations("(" + rest + ")", worker)
        else:
            self._property(lineno, worker, rest)

    def _property(self, lineno: int, into: dict[str, Any], stripped: str) -> None:
        key, sep, value = stripped.partition(": ")
        if not sep and stripped.endswith(":"):
            key, sep, value = stripped[:-1], ":", ""
        if not sep or not _KEY.fullmatch(key):
            self._note(lineno, stripped)
            return
        put_property(into, key, value, stripped)

    def _top(self, lineno: int, indent: int, stripped: str) -> None:
        assert self.current is not None
        top = self.current.doc
        if stripped.endswith(":") and _KEY.fullmatch(stripped[:-1]):
            name = stripped[:-1]
            section: dict[str, Any] = top.setdefault(name, {})
            self.stack.append(_Entry(indent, "section", section, label=name))
            return
        key, sep, value = stripped.partition(": ")
        if sep and _KEY.fullmatch(key) and top_property(top, key, value, stripped):
            return
        self._note(lineno, stripped)

    def _node(self, lineno: int, col: int, text: str, *, arrow: bool) -> None:
        header = read_header(text)
        if not header.known and not arrow:
            self._note(lineno, text)
            return
        plan = self.current
        summary = plan is not None and any(k in plan.doc for k in _SUMMARY)
        flat = arrow and plan is not None and not plan.fragment and col <= self.root_col
        if flat and not summary and self.last_node is not None:
            self._flat_node(lineno, header)
            return
        while self.stack and (self.stack[-1].col >= col or self.stack[-1].kind in ("worker",)):
            self.stack.pop()
        if self.current is None or not self.stack:
            if self.current is not None:
                self._finish()
            self._start(lineno, col, header, fragment=arrow)
            return
        top = self.stack[-1]
        if top.kind == "section":  # a node after "Planning:" …: a second plan
            self._start(lineno, col, header, fragment=arrow)
            return
        node = dict(header.keys)
        if top.kind == "label" and top.owner is not None:
            parent = top.owner
            label = top.label
            node["Parent Relationship"] = "SubPlan" if label.startswith("SubPlan") else "InitPlan"
            node["Subplan Name"] = label
        else:
            parent = top.data
            node["Parent Relationship"] = _relationship(parent)
        parent.setdefault("Plans", []).append(node)
        self.last_node = node
        if header.cut and self.current is not None:
            self.current.truncated = f"line {lineno} ends inside its cost/actual figures"
        self.stack.append(_Entry(col, "node", node))

    def _flat_node(self, lineno: int, header: Header) -> None:
        assert self.current is not None and self.last_node is not None
        self._go_flat(lineno)
        node = dict(header.keys)
        top = self.stack[-1] if self.stack else None
        if self.flat_label is None and top is not None and top.kind == "label":
            self.flat_label = top.label
            self.stack.pop()
        if self.flat_label is not None:
            label = self.flat_label
            node["Parent Relationship"] = "SubPlan" if label.startswith("SubPlan") else "InitPlan"
            node["Subplan Name"] = label
            self.flat_label = None
        else:
            node["Parent Relationship"] = _relationship(self.last_node)
        self.last_node.setdefault("Plans", []).append(node)
        self.last_node = node
        if header.cut:
            self.current.truncated = f"line {lineno} ends inside its cost/actual figures"

    def finish(self) -> list[TextPlan]:
        self._finish()
        for plan in self.plans:
            _complete(plan)
        return self.plans


def _plan_like(stripped: str) -> bool:
    """A property, label or worker line (``Key: value``, ``Planning:``, ``InitPlan 1``)."""
    if _LABEL.fullmatch(stripped) or _WORKER.fullmatch(stripped):
        return True
    key, sep, _ = stripped.partition(": ")
    if not sep and stripped.endswith(":"):
        key, sep = stripped[:-1], ":"
    return bool(sep) and _KEY.fullmatch(key) is not None


def _relationship(parent: dict[str, Any]) -> str:
    kind = parent.get("Node Type")
    if kind in ("Append", "Merge Append", "BitmapAnd", "BitmapOr"):
        return "Member"
    if kind == "Subquery Scan":
        return "Subquery"
    rels = [c.get("Parent Relationship") for c in parent.get("Plans", [])]
    return "Inner" if "Outer" in rels or "Inner" in rels else "Outer"


def _walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = [node]
    for c in node.get("Plans", []):
        out.extend(_walk(c))
    return out


def _complete(plan: TextPlan) -> None:
    """What JSON always prints and text leaves out when it is zero or default, and the checks
    for a plan cut short."""
    root = plan.doc["Plan"]
    nodes = _walk(root)
    # An excerpt: the first node indented deeper than psql's one space, and none of the lines
    # that follow a whole tree (a whole plan shifted right, e.g. quoted, has them).
    summary = any(k in plan.doc for k in ("Planning Time", "Execution Time", "Planning"))
    if plan.root_indent >= 2 and not summary:
        plan.fragment = True
    analyzed = any("Actual Loops" in n for n in nodes)
    for n in nodes:
        if analyzed and "Actual Loops" in n:
            if "Filter" in n:
                n.setdefault("Rows Removed by Filter", 0)
            if "Join Filter" in n:
                n.setdefault("Rows Removed by Join Filter", 0)
        if n.get("Node Type") == "Aggregate":
            n.setdefault("Partial Mode", "Simple")
        inputs = [c for c in n.get("Plans", []) if c.get("Parent Relationship") != "InitPlan"]
        inputs = [c for c in inputs if c.get("Parent Relationship") != "SubPlan"]
        need = _NEEDS_INPUT.get(str(n.get("Node Type")), 0)
        if len(inputs) < need and plan.truncated is None:
            plan.truncated = f"{n['Node Type']} has no input node below it (the excerpt ends there)"
        for key in _EXPRESSION_KEYS:
            v = n.get(key)
            if isinstance(v, str) and not balanced(v) and plan.truncated is None:
                plan.truncated = f'"{key}" of {n["Node Type"]} is cut off'


def _open(text: str) -> bool:
    """Does this line end inside something — a node's ``(cost=…`` or an expression — so that a
    terminal's line break, not the plan, ended it?"""
    s = text.strip().removeprefix("->").strip()
    if not s:
        return False
    _name, notes = split_header(s)
    if notes and notes.count("(") > notes.count(")"):
        return True
    key, sep, value = s.partition(": ")
    return bool(sep) and key in _EXPRESSION_KEYS and not balanced(value)


def _rejoin(lines: list[Line]) -> list[Line]:
    """Lines a terminal or mail client broke mid-way (``actual time=0.021..1.`` / ``344
    rows=…``) joined back: a line that ends open and a next line that starts no node and no
    property."""
    out: list[Line] = []
    for lineno, text in lines:
        s = text.strip()
        if out and s and _open(out[-1][1]):
            starts = s.startswith("->") or is_node_line(s) or _LABEL.fullmatch(s)
            key, sep, _ = s.partition(": ")
            if not starts and not (sep and _KEY.fullmatch(key)):
                out[-1] = (out[-1][0], out[-1][1].rstrip() + s)
                continue
        out.append((lineno, text))
    return out


def read_text_plans(lines: list[Line]) -> list[TextPlan]:
    """Every plan in ``lines`` (psql text format, wrappers already removed)."""
    reader = _Reader()
    for lineno, text in _rejoin(lines):
        reader.line(lineno, text)
    plans = reader.finish()
    if not plans:
        first = next(((n, t) for n, t in lines if t.strip()), None)
        if first is None:
            raise PlanFileError("the plan file is empty")
        raise PlanFileError(
            f"line {first[0]}: no plan node found (expected a line such as "
            f"'Limit  (cost=…)' or '->  Index Scan using …'): {_shorten(first[1].strip())}"
        )
    return plans
