"""EXPLAIN text node lines → JSON keys: ``->  Index Scan using idx on public.items i  (cost=…)
(actual …)`` → Node Type, Index Name, Relation Name, Schema, Alias, costs and actual figures.

Every node name PostgreSQL prints (``explain.c``) is listed with the JSON keys it stands for —
``Hash Left Join`` is Node Type "Hash Join" with Join Type "Left", ``Finalize GroupAggregate``
is "Aggregate" with Strategy "Sorted" and Partial Mode "Finalize", ``Parallel Seq Scan`` is
"Seq Scan" with Parallel Aware — longest first, so the reader can tell a node line from any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pgvtui.core.plan.text_values import number, pairs, words

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


@dataclass
class Header:
    keys: dict[str, Any]  # JSON keys read from the line
    known: bool  # the node type is one PostgreSQL prints
    cut: bool  # the line ends inside its annotations


def split_header(text: str) -> tuple[str, str]:
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
    parts = words(tail)
    if len(parts) >= 2 and parts[0] == ["using"] and node_type != "ModifyTable":
        keys["Index Name"] = parts[1][-1]
        parts = parts[2:]
    if not parts or parts[0] != ["on"]:
        return
    parts = parts[1:]
    what = _SCANS.get(node_type, "Relation Name")
    if not parts:
        return
    obj = parts[0]
    if what == "":  # Subquery Scan / Values Scan: only the alias is printed
        keys["Alias"] = obj[-1]
        return
    keys[what] = obj[-1]
    if len(obj) > 1 and what != "Index Name":
        keys["Schema"] = obj[-2]
    if what != "Index Name":
        keys["Alias"] = parts[1][-1] if len(parts) > 1 else obj[-1]


def read_annotations(text: str, into: dict[str, Any], *, plan_keys: bool = True) -> bool:
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
            p = pairs(group)
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
            p = pairs(group[len("actual") :])
            if "time" in p:
                lo, _, hi = p["time"].partition("..")
                _put_num(into, "Actual Startup Time", lo)
                _put_num(into, "Actual Total Time", hi)
            _put_num(into, "Actual Rows", p.get("rows", ""))
            _put_num(into, "Actual Loops", p.get("loops", ""))
    return complete


def _put_num(into: dict[str, Any], key: str, text: str) -> None:
    n = number(text) if text else None
    if n is not None:
        into[key] = n


def read_header(text: str) -> Header:
    name, notes = split_header(text)
    keys, known = _name_keys(name)
    cut = not read_annotations(notes, keys) if notes else False
    return Header(keys, known, cut)


def is_node_line(text: str) -> bool:
    """Does this (stripped) line start with a node name PostgreSQL prints?"""
    name, _ = split_header(text)
    if ": " in name or name.endswith(":"):
        return False
    return _name_keys(name)[1]
