"""What copy-paste wraps around a plan, taken off — line numbers kept for messages.

A plan reaches pgvtui from psql, a GUI client, a Python session, a chat message or a log file.
:func:`unwrap` removes, in this order:

- a Python ``repr`` of query results: ``[('Limit  (cost=…)',), …]`` (``cursor.fetchall()``, also
  after a line of prose),
  ``[{'QUERY PLAN': '…'}, …]`` (dict rows), a JSON plan inside a tuple;
- Markdown ``` / ~~~ fences and ``> `` quote markers (nested too);
- per-line double quotes of pgAdmin / DBeaver exports (``""`` inside stands for ``"``);
- psql's expanded display (``\\x``): ``-[ RECORD 1 ]-…`` lines and ``QUERY PLAN | …`` cells;
- a prefix every line shares (``db-1  | `` of ``docker compose logs``, ``postgres[42]: `` of
  journald) — a common prefix that ends in ``| `` or ``: ``;
- ``auto_explain`` log entries: ``… LOG:  duration: 12.3 ms  plan:`` starts a plan; the
  entry's continuation lines (tab-indented in the server log) follow, beginning with
  ``Query Text: …`` (kept as the plan's query) and then the text or JSON plan;
- psql's ``+`` line-continuation marks around a JSON plan;

and then cuts the text into :class:`Segment` s: JSON values (one per plan document) and runs of
text lines (the text reader finds the plans within them). Leading/trailing blank lines and
trailing spaces need nothing: the text reader ignores them.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from typing import Any

from pgvtui.core.plan.text_format import Line
from pgvtui.core.plan.text_nodes import is_node_line

_LOG_PLAN = re.compile(r"(?P<prefix>.*?)\b(?:LOG|INFO|NOTICE):\s+duration: [\d.]+ ms\s+plan:\s*$")
_PY_STRING = re.compile(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*\"""")
_QUERY_TEXT = "Query Text:"
_FOOTER = re.compile(r"\(\d+ rows?\)")


@dataclass
class Segment:
    kind: str  # json | text
    lines: list[Line] = field(default_factory=list)
    doc: Any = None  # the decoded JSON (kind == "json")
    query: str | None = None  # auto_explain's "Query Text"


def _framing(s: str) -> bool:
    """psql's header, rule and row count around a result."""
    return s == "QUERY PLAN" or set(s) <= {"-", "+"} or _FOOTER.fullmatch(s) is not None


def _numbered(text: str) -> list[Line]:
    return [(i + 1, line.rstrip("\r")) for i, line in enumerate(text.split("\n"))]


def _python_rows(text: str) -> Segment | None:
    """A Python list of rows → a segment of its plan lines (or of the decoded JSON plan); None
    if it is not one. Rows are 1-tuples (or 1-lists) of strings, or dicts with one value. Lines
    of prose before the list ("here is my plan:") are skipped."""
    starts = ("[(", "[{'", "[[")
    lines_in = text.split("\n")
    first = next((i for i, t in enumerate(lines_in) if t.lstrip().startswith(starts)), None)
    if first is None:
        return None
    stripped = "\n".join(lines_in[first:]).strip()
    if stripped.startswith('[{"'):
        return None  # JSON, not Python
    try:
        value = ast.literal_eval(stripped)
    except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
        value = None
    if value is None:
        # cut short or edited by hand: take the string literals one by one
        lines: list[Line] = []
        for m in _PY_STRING.finditer(stripped):
            try:
                item = ast.literal_eval(m.group(0))
            except (ValueError, SyntaxError, RecursionError, MemoryError):
                continue
            if isinstance(item, str) and item != "QUERY PLAN":
                lines.append((len(lines) + 1, item))
        return Segment("text", lines) if lines else None
    if not isinstance(value, list):
        return None
    if value and isinstance(value[0], dict) and "Plan" in value[0]:
        return Segment("json", [(1, "[{")], doc=value)
    out: list[Line] = []
    for i, row in enumerate(value):
        cell: Any = row
        if isinstance(row, tuple | list) and len(row) == 1:
            cell = row[0]
        elif isinstance(row, dict) and len(row) == 1:
            cell = next(iter(row.values()))
        if isinstance(cell, list | dict):
            return Segment("json", [(1, "[(")], doc=cell)  # psycopg decodes json columns
        if not isinstance(cell, str):
            return None
        out.extend((i + 1, part) for part in cell.split("\n"))
    return Segment("text", out)


def _strip_expanded(lines: list[Line]) -> list[Line]:
    """psql ``\\x``: one record per plan line, ``QUERY PLAN | <line>``."""
    cells = [t for _, t in lines if t.startswith("QUERY PLAN |")]
    if not cells:
        return lines
    out: list[Line] = []
    for n, t in lines:
        if t.startswith("-[ RECORD "):
            continue
        if t.startswith("QUERY PLAN |"):
            t = t[len("QUERY PLAN |") :].removeprefix(" ")
        out.append((n, t))
    return out


def _strip_common_prefix(lines: list[Line]) -> list[Line]:
    """Remove a prefix every non-empty line shares when it ends like a log tag (``| ``, ``: ``)."""
    body = [t for _, t in lines if t.strip()]
    if len(body) < 2:
        return lines
    prefix = body[0]
    for t in body[1:]:
        while not t.startswith(prefix):
            prefix = prefix[:-1]
    cut = max(prefix.rfind("| "), prefix.rfind(": "))
    if cut < 1 or not prefix[:cut].strip():
        return lines
    prefix = prefix[: cut + 2]
    return [(n, t[len(prefix) :] if t.startswith(prefix) else t) for n, t in lines]


def _strip_markdown(lines: list[Line]) -> list[Line]:
    out = [(n, t) for n, t in lines if not t.strip().startswith(("```", "~~~"))]
    while True:
        body = [t for _, t in out if t.strip()]
        if not body or not all(t.lstrip().startswith(">") for t in body):
            return out
        stripped: list[Line] = []
        for n, t in out:
            s = t.lstrip()
            if s.startswith(">"):
                s = s[1:]
                s = s[1:] if s.startswith(" ") else s
            stripped.append((n, s))
        out = stripped


def _strip_quotes(lines: list[Line]) -> list[Line]:
    """pgAdmin/DBeaver: every line ``"…"`` (maybe with a trailing comma or tab)."""
    body = [t.strip() for _, t in lines if t.strip()]
    quoted = [t for t in body if len(t) >= 2 and t[0] == '"' and t.rstrip(",\t")[-1:] == '"']
    if not body or len(quoted) < max(1, (len(body) * 3) // 5):
        return lines
    out: list[Line] = []
    for n, t in lines:
        s = t.strip().rstrip(",\t")
        if len(s) >= 2 and s[0] == '"' and s[-1] == '"':
            out.append((n, s[1:-1].replace('""', '"')))
        else:
            out.append((n, t))
    return out


def _strip_continuations(lines: list[Line]) -> list[Line]:
    """psql prints multi-line values (a JSON plan) with `` +`` at each line end."""
    body = [t.rstrip() for _, t in lines if t.strip()]
    marked = [t for t in body if t.endswith("+")]
    if len(marked) < 2 or len(marked) < len(body) // 2:
        return lines
    return [(n, t.rstrip()[:-1].rstrip() if t.rstrip().endswith("+") else t) for n, t in lines]


def _json_at(lines: list[Line], start: int) -> tuple[Any, int] | None:
    """The JSON value starting at ``lines[start]`` and the index after its last line."""
    joined = ""
    ends: list[int] = []
    for _, t in lines[start:]:
        joined += t + "\n"
        ends.append(len(joined))
    try:
        value, end = json.JSONDecoder().raw_decode(joined.lstrip())
    except (ValueError, RecursionError):
        return None
    end += len(joined) - len(joined.lstrip())
    for i, e in enumerate(ends):
        if e >= end:
            return value, start + i + 1
    return value, len(lines)


def _segments(lines: list[Line]) -> list[Segment]:
    """Cut cleaned lines into JSON values and text runs; auto_explain entries open new ones."""
    out: list[Segment] = []
    text = Segment("text")
    query: str | None = None
    i = 0

    def flush() -> None:
        nonlocal text
        if any(t.strip() and not _framing(t.strip()) for _, t in text.lines):
            out.append(text)
        text = Segment("text")

    while i < len(lines):
        n, t = lines[i]
        s = t.strip()
        m = _LOG_PLAN.match(t)
        if m is not None:
            flush()
            query = None
            i += 1
            continue
        if t.startswith("\t"):
            t = t[1:]  # a log entry's continuation line
            s = t.strip()
        if s.startswith(_QUERY_TEXT):
            flush()
            q = [s[len(_QUERY_TEXT) :].strip()]
            i += 1
            while i < len(lines):
                nxt = lines[i][1].removeprefix("\t")
                ns = nxt.strip()
                if not ns or ns.startswith(("[", "{", "->")) or is_node_line(ns):
                    break
                q.append(nxt)
                i += 1
            query = "\n".join(q).strip()
            text.query = query
            continue
        if s.startswith(("[", "{")):
            found = _json_at(lines, i)
            if found is not None:
                flush()
                value, i = found
                out.append(Segment("json", [(n, s)], doc=value, query=query))
                query = None
                continue
        text.lines.append((n, t))
        i += 1
    flush()
    return out


def unwrap(text: str) -> list[Segment]:
    """The plan-bearing segments of ``text`` (see the module docstring)."""
    text = text.removeprefix("\ufeff")
    rows = _python_rows(text)
    if rows is not None and rows.kind == "json":
        return [rows]
    lines = rows.lines if rows is not None else _numbered(text)
    lines = _strip_expanded(lines)
    lines = _strip_common_prefix(lines)
    lines = _strip_markdown(lines)
    lines = _strip_quotes(lines)
    lines = _strip_continuations(lines)
    return _segments(lines)
