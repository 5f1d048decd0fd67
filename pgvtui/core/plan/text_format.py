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

from pglast import parser as pgparser

from pgvtui.errors import PlanFileError

Line = tuple[int, str]  # (1-based line number in the input, text)

JOIN_TYPES = ("Left", "Full", "Right", "Semi", "Anti", "Right Semi", "Right Anti")
_AGGREGATES = {
    "Aggregate": "Plain",
    "GroupAggregate": "Sorted",
    "HashAggregate": "Hashed",
    "MixedAggregate": "Mixed",
}
_SETOP_COMMANDS = ("Intersect All", "Intersect", "Except All", "Except")
# Node types whose text is the JSON "Node Type" unchanged. Value: what "on X" names.
_SCANS = {
    "Seq Scan": "Relation Name",
    "Sample Scan": "Relation Name",
    "Bitmap Heap Scan": "Relation Name",
    "Tid Scan": "Relation Name",
    "Tid Range Scan": "Relation Name",
    "Index Scan": "Relation Name",
    "Index Only Scan": "Relation Name",
    "Foreign Scan": "Relation Name",
    "Custom Scan": "Relation Name",
    "Bitmap Index Scan": "Index Name",
    "Function Scan": "Function Name",
    "Table Function Scan": "Table Function Name",
    "CTE Scan": "CTE Name",
    "WorkTable Scan": "CTE Name",
    "Named Tuplestore Scan": "Tuplestore Name",
    "Subquery Scan": "",  # alias only
    "Values Scan": "",
}
_PLAIN = (
    "Result",
    "ProjectSet",
    "Append",
    "Merge Append",
    "Recursive Union",
    "BitmapAnd",
    "BitmapOr",
    "Gather Merge",
    "Gather",
    "Materialize",
    "Memoize",
    "Incremental Sort",
    "Sort",
    "Group",
    "WindowAgg",
    "Unique",
    "LockRows",
    "Limit",
    "Hash",
)
_MODIFY = ("Insert", "Update", "Delete", "Merge")
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
_LIST_KEYS = {"Sort Key", "Presorted Key", "Group Key", "Output"}
_INT_KEYS = {
    "Heap Fetches",
    "Index Searches",
    "Workers Planned",
    "Workers Launched",
    "Query Identifier",
    "Functions",
}
_NUM_KEYS = {
    "Rows Removed by Filter",
    "Rows Removed by Index Recheck",
    "Rows Removed by Join Filter",
}
_EXPRESSION_KEYS = ("Filter", "Index Cond", "Order By", "Recheck Cond", "Join Filter", "Hash Cond")
_BOOL_KEYS = {"Inner Unique", "Single Copy", "Disabled", "Async Capable"}
_TOP_ALIASES = {
    "planning time": "Planning Time",
    "execution time": "Execution Time",
    "total runtime": "Execution Time",  # PostgreSQL 9.3 and before
}
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9 /()_-]*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_KB = re.compile(r"(-?\d+(?:\.\d+)?)kB")
_LABEL = re.compile(r"(InitPlan|SubPlan) \S.*|CTE \S.*")
_WORKER = re.compile(r"Worker (\d+):\s*(.*)")
_FOOTER = re.compile(r"\(\d+ rows?\)")


def _forms() -> list[tuple[str, dict[str, Any]]]:
    """Every node-name text form with the JSON keys it stands for, longest first."""
    forms: list[tuple[str, dict[str, Any]]] = []
    for name in _SCANS:
        forms.append((name, {"Node Type": name}))
    for name in _PLAIN:
        forms.append((name, {"Node Type": name}))
    for base in ("Hash", "Merge"):
        forms.append((f"{base} Join", {"Node Type": f"{base} Join", "Join Type": "Inner"}))
        for jt in JOIN_TYPES:
            forms.append((f"{base} {jt} Join", {"Node Type": f"{base} Join", "Join Type": jt}))
    forms.append(("Nested Loop", {"Node Type": "Nested Loop", "Join Type": "Inner"}))
    for jt in JOIN_TYPES:
        forms.append((f"Nested Loop {jt} Join", {"Node Type": "Nested Loop", "Join Type": jt}))
    for text, strategy in _AGGREGATES.items():
        forms.append((text, {"Node Type": "Aggregate", "Strategy": strategy}))
    for text, strategy in (("SetOp", "Sorted"), ("HashSetOp", "Hashed")):
        for cmd in _SETOP_COMMANDS:
            forms.append(
                (f"{text} {cmd}", {"Node Type": "SetOp", "Strategy": strategy, "Command": cmd})
            )
    for op in _MODIFY:
        forms.append((f"{op} on", {"Node Type": "ModifyTable", "Operation": op}))
    return sorted(forms, key=lambda f: -len(f[0]))


_FORMS = _forms()


# ---------------------------------------------------------------------------------------------
# Small readers: names, lists, numbers (PostgreSQL's lexer for anything SQL-shaped)
# ---------------------------------------------------------------------------------------------


def _unquote(word: str) -> str:
    if len(word) >= 2 and word.startswith('"') and word.endswith('"'):
        return word[1:-1].replace('""', '"')
    return word


def _words(text: str) -> list[list[str]]:
    """``public.items "My Alias"`` → ``[["public", "items"], ["My Alias"]]``: whitespace-separated
    words of (possibly qualified, possibly quoted) identifiers, read with PostgreSQL's lexer."""
    try:
        tokens = pgparser.scan(text)
    except pgparser.ParseError:
        return [[part] for part in text.split()]
    words: list[list[str]] = []
    last_end = -2
    for tok in tokens:
        piece = text[tok.start : tok.end + 1]
        if words and tok.start == last_end + 1:
            if piece != ".":
                if words[-1] and words[-1][-1] == "":
                    words[-1][-1] = _unquote(piece)
                else:
                    words[-1][-1] += piece
            else:
                words[-1].append("")
        else:
            words.append([_unquote(piece)] if piece != "." else ["", ""])
        last_end = tok.end
    return words


def split_list(text: str) -> list[str]:
    """``(a <-> '[1,2]'), id DESC`` → ``["(a <-> '[1,2]')", "id DESC"]``: top-level commas only,
    found with PostgreSQL's lexer (commas inside literals and parentheses stay). Unreadable
    (a cut literal) → the whole text as one item."""
    try:
        tokens = pgparser.scan(text)
    except pgparser.ParseError:
        return [text.strip()] if text.strip() else []
    items: list[str] = []
    depth = 0
    start = 0
    for tok in tokens:
        if tok.name in ("ASCII_40", "ASCII_91"):
            depth += 1
        elif tok.name in ("ASCII_41", "ASCII_93"):
            depth -= 1
        elif tok.name == "ASCII_44" and depth == 0:
            items.append(text[start : tok.start].strip())
            start = tok.end + 1
    items.append(text[start:].strip())
    return [i for i in items if i]


def balanced(text: str) -> bool:
    """Do the parentheses and quotes of an expression close (PostgreSQL's lexer)?"""
    try:
        tokens = pgparser.scan(text)
    except pgparser.ParseError:
        return False
    depth = 0
    for tok in tokens:
        if tok.name == "ASCII_40":
            depth += 1
        elif tok.name == "ASCII_41":
            depth -= 1
    return depth == 0


def _number(text: str) -> int | float | None:
    text = text.strip()
    if _NUMBER.fullmatch(text) is None:
        return None
    try:
        return float(text) if "." in text else int(text)
    except ValueError:  # more digits than Python converts
        return None


def _kb(text: str) -> int | float | None:
    m = _KB.fullmatch(text.strip())
    return None if m is None else _number(m.group(1))


def _pairs(text: str) -> dict[str, str]:
    """``hit=1 read=2`` → ``{"hit": "1", "read": "2"}``."""
    out: dict[str, str] = {}
    for part in text.split():
        k, eq, v = part.partition("=")
        if eq:
            out[k] = v
    return out


# ---------------------------------------------------------------------------------------------
# Node lines
# ---------------------------------------------------------------------------------------------


@dataclass
class Header:
    keys: dict[str, Any]  # JSON keys read from the line
    known: bool  # the node type is one PostgreSQL prints
    cut: bool  # the line ends inside its annotations


def _split_header(text: str) -> tuple[str, str]:
    """``Seq Scan on t  (cost=…) (actual …)`` → (name part, annotation part)."""
    found = [i for m in (" (cost=", " (actual", " (never executed)") if (i := text.find(m)) >= 0]
    if found:
        i = min(found)
        return text[:i].rstrip(), text[i:].strip()
    i = text.find("  (")  # cut inside "(cost=…": two spaces before it with costs on
    if i >= 0:
        return text[:i].rstrip(), text[i:].strip()
    return text.strip(), ""


def _name_keys(name: str) -> tuple[dict[str, Any], bool]:
    keys: dict[str, Any] = {}
    rest = name
    parallel = False
    for prefix in ("Parallel ", "Async "):
        if rest.startswith(prefix):
            keys["Parallel Aware" if prefix == "Parallel " else "Async Capable"] = True
            parallel = parallel or prefix == "Parallel "
            rest = rest[len(prefix) :]
    if rest.startswith("Async "):
        keys["Async Capable"] = True
        rest = rest[len("Async ") :]
    mode = "Simple"
    for prefix in ("Partial ", "Finalize "):
        if rest.startswith(prefix) and "Aggregate" in rest:
            mode = prefix.strip()
            rest = rest[len(prefix) :]
    keys.setdefault("Parallel Aware", parallel)
    for form, form_keys in _FORMS:
        if rest == form or rest.startswith(form + " ") or (form.endswith(" on") and rest == form):
            keys.update(form_keys)
            if form_keys["Node Type"] == "Aggregate":
                keys["Partial Mode"] = mode
            tail = rest[len(form) :].strip()
            if form.endswith(" on"):
                tail = "on " + tail
            _target(keys, tail)
            return keys, True
    keys["Node Type"] = rest
    return keys, False


def _target(keys: dict[str, Any], tail: str) -> None:
    """`` Backward using idx on schema.rel alias`` → Scan Direction, Index Name, Relation …"""
    node_type = keys["Node Type"]
    if node_type in ("Index Scan", "Index Only Scan"):
        keys["Scan Direction"] = "Forward"
        if tail.startswith("Backward"):
            keys["Scan Direction"] = "Backward"
            tail = tail[len("Backward") :].strip()
    if node_type == "Custom Scan" and tail.startswith("("):
        close = tail.find(")")
        keys["Custom Plan Provider"] = tail[1:close] if close > 0 else tail[1:]
        tail = tail[close + 1 :].strip() if close > 0 else ""
    words = _words(tail)
    if len(words) >= 2 and words[0] == ["using"] and node_type != "ModifyTable":
        keys["Index Name"] = words[1][-1]
        words = words[2:]
    if not words or words[0] != ["on"]:
        return
    words = words[1:]
    what = _SCANS.get(node_type, "Relation Name")
    if not words:
        return
    obj = words[0]
    if what == "":  # Subquery Scan / Values Scan: only the alias is printed
        keys["Alias"] = obj[-1]
        return
    keys[what] = obj[-1]
    if len(obj) > 1 and what != "Index Name":
        keys["Schema"] = obj[-2]
    if what != "Index Name":
        keys["Alias"] = words[1][-1] if len(words) > 1 else obj[-1]


def _annotations(text: str, into: dict[str, Any], *, plan_keys: bool = True) -> bool:
    """``(cost=a..b rows=n width=w) (actual time=a..b rows=n loops=n)`` → JSON keys.
    ``plan_keys`` False for worker lines (``actual time=…`` without parentheses).
    Returns False when a parenthesis was left open (the line was cut)."""
    complete = True
    groups: list[str] = []
    rest = text.strip()
    while rest:
        if rest.startswith("("):
            close = rest.find(")")
            if close < 0:
                groups.append(rest[1:])
                complete = False
                break
            groups.append(rest[1:close])
            rest = rest[close + 1 :].strip()
        elif not plan_keys:
            groups.append(rest)
            break
        else:
            break
    for group in groups:
        group = group.strip()
        if group.startswith("cost="):
            p = _pairs(group)
            lo, _, hi = p.get("cost", "").partition("..")
            _put_num(into, "Startup Cost", lo)
            _put_num(into, "Total Cost", hi)
            _put_num(into, "Plan Rows", p.get("rows", ""))
            _put_num(into, "Plan Width", p.get("width", ""))
        elif group.startswith("never executed"):
            into.update(
                {
                    "Actual Startup Time": 0.0,
                    "Actual Total Time": 0.0,
                    "Actual Rows": 0,
                    "Actual Loops": 0,
                }
            )
        elif group.startswith("actual"):
            p = _pairs(group[len("actual") :])
            if "time" in p:
                lo, _, hi = p["time"].partition("..")
                _put_num(into, "Actual Startup Time", lo)
                _put_num(into, "Actual Total Time", hi)
            _put_num(into, "Actual Rows", p.get("rows", ""))
            _put_num(into, "Actual Loops", p.get("loops", ""))
    return complete


def _put_num(into: dict[str, Any], key: str, text: str) -> None:
    n = _number(text) if text else None
    if n is not None:
        into[key] = n


def read_header(text: str) -> Header:
    name, notes = _split_header(text)
    keys, known = _name_keys(name)
    cut = not _annotations(notes, keys) if notes else False
    return Header(keys, known, cut)


def is_node_line(text: str) -> bool:
    """Does this (stripped) line start with a node name PostgreSQL prints?"""
    name, _ = _split_header(text)
    if ": " in name or name.endswith(":"):
        return False
    return _name_keys(name)[1]


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------


def _buffers(into: dict[str, Any], value: str) -> None:
    """``shared hit=1 read=2, local hit=3, temp read=4 written=5`` → the JSON block keys."""
    for part in value.split(","):
        words = part.split()
        if not words:
            continue
        scope = words[0].capitalize()  # Shared | Local | Temp
        for k, v in _pairs(" ".join(words[1:])).items():
            n = _number(v)
            if n is not None:
                into[f"{scope} {k.capitalize()} Blocks"] = n


def _io_timings(into: dict[str, Any], value: str) -> None:
    """``shared read=1.2 write=0.3, temp read=…`` (15+) or ``read=1.2 write=0.3`` (≤ 14)."""
    for part in value.split(","):
        words = part.split()
        if not words:
            continue
        scope = "" if "=" in words[0] else words[0].capitalize() + " "
        for k, v in _pairs(" ".join(words if not scope else words[1:])).items():
            n = _number(v)
            if n is not None:
                verb = {"read": "Read", "write": "Write"}.get(k, k.capitalize())
                into[f"{scope}I/O {verb} Time"] = n


def _wal(into: dict[str, Any], value: str) -> None:
    names = {"records": "WAL Records", "fpi": "WAL FPI", "bytes": "WAL Bytes"}
    pairs = _pairs(value)
    for k, v in pairs.items():
        n = _number(v)
        if n is None:
            continue
        if k in names:
            into[names[k]] = n
        elif k == "full":  # "buffers full=N" (PostgreSQL 18)
            into["WAL Buffers Full"] = n


_MULTI = {
    "Sort Method": {"Memory": "Sort Space Used", "Disk": "Sort Space Used"},
    "Buckets": {
        "Buckets": "Hash Buckets",
        "Batches": "Hash Batches",
        "Memory Usage": "Peak Memory Usage",
    },
    "Batches": {
        "Batches": "HashAgg Batches",
        "Memory Usage": "Peak Memory Usage",
        "Disk Usage": "Disk Usage",
    },
    "Planned Partitions": {
        "Planned Partitions": "Planned Partitions",
        "Batches": "HashAgg Batches",
        "Memory Usage": "Peak Memory Usage",
        "Disk Usage": "Disk Usage",
    },
    "Hits": {
        "Hits": "Cache Hits",
        "Misses": "Cache Misses",
        "Evictions": "Cache Evictions",
        "Overflows": "Cache Overflows",
        "Memory Usage": "Peak Memory Usage",
    },
    "Storage": {"Storage": "Storage", "Maximum Storage": "Maximum Storage"},
}


def _multi(into: dict[str, Any], key: str, line: str) -> None:
    """``Buckets: 1024 (originally 512)  Batches: 1  Memory Usage: 9kB`` → several keys."""
    names = _MULTI[key]
    for part in line.split("  "):
        k, sep, v = part.strip().partition(": ")
        if not sep:
            continue
        v = v.strip()
        if key == "Sort Method" and k == "Sort Method":
            into["Sort Method"] = v
            continue
        if key == "Sort Method" and k in ("Memory", "Disk"):
            into["Sort Space Type"] = k
        original = None
        if " (originally " in v:
            v, _, original = v.partition(" (originally ")
            original = original.rstrip(")")
        json_key = names.get(k, k)
        n = _kb(v) if v.endswith("kB") else _number(v)
        into[json_key] = n if n is not None else v
        if json_key in ("Hash Buckets", "Hash Batches"):
            o = _number(original) if original else None
            into[f"Original {json_key}"] = o if o is not None else into[json_key]


def put_property(into: dict[str, Any], key: str, value: str, line: str) -> None:
    """One ``Key: value`` line of a node (or a worker) → its JSON key(s)."""
    value = value.strip()
    if key in _MULTI:
        _multi(into, key, line.strip())
    elif key in _LIST_KEYS:
        into[key] = split_list(value)
    elif key in _INT_KEYS or key in _NUM_KEYS:
        n = _number(value)
        into[key] = n if n is not None else value
    elif key in _BOOL_KEYS and value in ("true", "false"):
        into[key] = value == "true"
    elif key == "Buffers":
        _buffers(into, value)
    elif key == "I/O Timings":
        _io_timings(into, value)
    elif key == "WAL":
        _wal(into, value)
    elif key == "Heap Blocks":
        for k, v in _pairs(value).items():
            n = _number(v)
            if n is not None:
                into[f"{k.capitalize()} Heap Blocks"] = n
    else:
        into[key] = value


def _settings(value: str) -> dict[str, str]:
    """``enable_seqscan = 'off', work_mem = '64MB'`` → dict (PostgreSQL's lexer splits it)."""
    out: dict[str, str] = {}
    for item in split_list(value):
        name, sep, v = item.partition(" = ")
        if sep:
            v = v.strip()
            if len(v) >= 2 and v[0] == "'" and v[-1] == "'":
                v = v[1:-1].replace("''", "'")
            out[name.strip()] = v
    return out


def _top_property(top: dict[str, Any], key: str, value: str, line: str) -> bool:
    """A line after the tree (``Planning Time: 0.1 ms`` …); False when it is not one."""
    canon = _TOP_ALIASES.get(key.lower())
    if canon is not None:
        n = _number(value.strip().removesuffix("ms").strip())
        if n is not None:
            top[canon] = float(n)
            return True
        return False
    if key == "Settings":
        top["Settings"] = _settings(value)
    elif key == "Query Identifier":
        n = _number(value)
        top[key] = n if n is not None else value.strip()
    elif key == "Serialization":
        ser: dict[str, Any] = {}
        for part in line.strip()[len("Serialization:") :].split("  "):
            k, eq, v = part.strip().partition("=")
            if not eq:
                continue
            if k == "time":
                ser["Time"] = _number(v.removesuffix(" ms").strip())
            elif k == "output":
                ser["Output Volume"] = _kb(v)
            elif k == "format":
                ser["Format"] = v
        top["Serialization"] = ser
    elif key.startswith("Trigger "):
        trigger = {"Trigger Name": key[len("Trigger ") :], "Text": value}
        top.setdefault("Triggers", []).append(trigger)
    else:
        return False
    return True


def _section_property(section: dict[str, Any], name: str, key: str, value: str) -> None:
    if key == "Buffers":
        _buffers(section, value)
    elif key == "Memory" and name == "Planning":
        for k, v in _pairs(value).items():
            n = _kb(v)
            if n is not None:
                section[f"Memory {k.capitalize()}"] = n
    elif key == "I/O Timings":
        _io_timings(section, value)
    else:
        n = _number(value)
        section[key] = n if n is not None else value.strip()


# ---------------------------------------------------------------------------------------------
# The tree
# ---------------------------------------------------------------------------------------------


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

    # -- plans ----------------------------------------------------------------------------

    def _start(self, lineno: int, col: int, header: Header, fragment: bool) -> dict[str, Any]:
        self._finish()
        node = dict(header.keys)
        self.current = TextPlan(doc={"Plan": node}, first_line=lineno, fragment=fragment)
        self.current.notes.extend(self.pending_notes)
        self.pending_notes = []
        if header.cut:
            self.current.truncated = f"line {lineno} ends inside its cost/actual figures"
        self.root_col = col
        self.stack = [_Entry(col, "node", node)]
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
        while self.stack and self.stack[-1].col >= indent:
            self.stack.pop()
        if not self.stack:
            self._top(lineno, indent, stripped)
            return
        top = self.stack[-1]
        if top.kind == "section":
            key, sep, value = stripped.partition(": ")
            if sep and _KEY.fullmatch(key):
                _section_property(top.data, top.label, key, value)
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

    def _worker_inline(self, worker: dict[str, Any], rest: str, lineno: int) -> None:
        rest = rest.strip()
        if not rest:
            return
        if rest.startswith(("actual", "never executed")):
            _annotations("(" + rest + ")", worker)
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
        if sep and _KEY.fullmatch(key) and _top_property(top, key, value, stripped):
            return
        self._note(lineno, stripped)

    def _node(self, lineno: int, col: int, text: str, *, arrow: bool) -> None:
        header = read_header(text)
        if not header.known and not arrow:
            self._note(lineno, text)
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
        if header.cut and self.current is not None:
            self.current.truncated = f"line {lineno} ends inside its cost/actual figures"
        self.stack.append(_Entry(col, "node", node))

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
    _name, notes = _split_header(s)
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
