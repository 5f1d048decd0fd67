"""Small readers for EXPLAIN text values: identifiers, comma lists, numbers, ``k=v`` pairs.

Anything SQL-shaped (identifiers in node names, Sort Key / Group Key lists, settings) is read
with PostgreSQL's own lexer (:func:`pglast.parser.scan`); numbers and ``key=value`` pairs are
EXPLAIN's own fixed wording, not SQL.
"""

from __future__ import annotations

import re

from pglast import parser as pgparser

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_KB = re.compile(r"(-?\d+(?:\.\d+)?)kB")


def unquote(word: str) -> str:
    if len(word) >= 2 and word.startswith('"') and word.endswith('"'):
        return word[1:-1].replace('""', '"')
    return word


def words(text: str) -> list[list[str]]:
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
                    words[-1][-1] = unquote(piece)
                else:
                    words[-1][-1] += piece
            else:
                words[-1].append("")
        else:
            words.append([unquote(piece)] if piece != "." else ["", ""])
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


def number(text: str) -> int | float | None:
    text = text.strip()
    if _NUMBER.fullmatch(text) is None:
        return None
    try:
        return float(text) if "." in text else int(text)
    except ValueError:  # more digits than Python converts
        return None


def kb(text: str) -> int | float | None:
    m = _KB.fullmatch(text.strip())
    return None if m is None else number(m.group(1))


def pairs(text: str) -> dict[str, str]:
    """``hit=1 read=2`` → ``{"hit": "1", "read": "2"}``."""
    out: dict[str, str] = {}
    for part in text.split():
        k, eq, v = part.partition("=")
        if eq:
            out[k] = v
    return out
