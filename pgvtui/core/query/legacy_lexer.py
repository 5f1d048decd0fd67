"""The hand-written SQL lexer the guard was built on, kept only until the guard reads SQL with
PostgreSQL's parser (:mod:`pgvtui.core.query.parser`). Nothing else may import it; delete this
module when the guard no longer does. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# --------------------------------------------------------------------------------------------
# Lexer
# --------------------------------------------------------------------------------------------

_OP_CHARS = set("+-*/<>=~!@#%^&|`?")
_WHITESPACE = frozenset(" \t\n\r\f\v")  # PostgreSQL's lexer: ASCII only
_DIGITS = frozenset("0123456789")
_OP_SPECIAL = set("~!@#%^&|`?")
_IDENT_START = re.compile(r"[A-Za-z_\x80-\U0010ffff]")
_IDENT = re.compile(r"[A-Za-z_\x80-\U0010ffff][A-Za-z_0-9$\x80-\U0010ffff]*")
_NUMBER = re.compile(
    r"0[xX][0-9A-Fa-f_]+|0[oO][0-7_]+|0[bB][01_]+"
    r"|(?:[0-9][0-9_]*(?:\.(?!\.)[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9]+)?"
)
_PARAM = re.compile(r"\$\d+")
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\U0010ffff][A-Za-z_0-9\x80-\U0010ffff]*)?\$")
_PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z_0-9]*\)[sbt]|%[sbt](?![A-Za-z_0-9])")


@dataclass(frozen=True)
class Token:
    """One lexical token. ``kind`` is one of: ws, comment, string, dollar, ident, qident,
    number, param, placeholder, op, punct, error. ``start``/``end`` index the original text."""

    kind: str
    value: str
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.value.upper() if self.kind == "ident" else ""

    @property
    def name(self) -> str:
        """The identifier as PostgreSQL folds it (unquoted → lower case, quoted → as is)."""
        if self.kind == "ident":
            return self.value.lower()
        if self.kind == "qident":
            body = self.value[self.value.index('"') + 1 : -1]
            return body.replace('""', '"')
        return self.value

    @property
    def is_name(self) -> bool:
        return self.kind in ("ident", "qident")

    @property
    def significant(self) -> bool:
        return self.kind not in ("ws", "comment")


class LexError(ValueError):
    """The text cannot be split into tokens (unterminated string, comment or quote)."""


def _scan_quoted(text: str, i: int, quote: str, backslash: bool) -> int:
    """Index just past the closing quote of a literal starting at ``text[i] == quote``."""
    n = len(text)
    j = i + 1
    while j < n:
        c = text[j]
        if backslash and c == "\\":
            j += 2
            continue
        if c == quote:
            if j + 1 < n and text[j + 1] == quote:
                j += 2
                continue
            return j + 1
        j += 1
    what = "quoted identifier" if quote == '"' else "string"
    raise LexError(f"unterminated {what} at offset {i}")


def tokenize(text: str) -> list[Token]:
    """Split SQL into tokens the way PostgreSQL's lexer does (standard_conforming_strings on).

    Raises :class:`LexError` for unterminated strings, quoted identifiers, dollar quotes and
    block comments (``/* */`` nests, as in PostgreSQL)."""
    out: list[Token] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        start = i
        if c in _WHITESPACE:
            while i < n and text[i] in _WHITESPACE:
                i += 1
            out.append(Token("ws", text[start:i], start, i))
            continue
        if text.startswith("--", i):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl + 1
            out.append(Token("comment", text[start:i], start, i))
            continue
        if text.startswith("/*", i):
            depth = 0
            while i < n:
                if text.startswith("/*", i):
                    depth += 1
                    i += 2
                elif text.startswith("*/", i):
                    depth -= 1
                    i += 2
                    if depth == 0:
                        break
                else:
                    i += 1
            if depth != 0:
                raise LexError(f"unterminated /* comment at offset {start}")
            out.append(Token("comment", text[start:i], start, i))
            continue
        # Prefixed literals: E'..' (backslash escapes), U&'..', U&"..", B'..', X'..', N'..'
        low2 = text[i : i + 2].lower()
        low3 = text[i : i + 3].lower()
        if low2 == "e'":
            i = _scan_quoted(text, i + 1, "'", backslash=True)
            out.append(Token("string", text[start:i], start, i))
            continue
        if low3 == "u&'":
            i = _scan_quoted(text, i + 2, "'", backslash=False)
            out.append(Token("string", text[start:i], start, i))
            continue
        if low3 == 'u&"':
            i = _scan_quoted(text, i + 2, '"', backslash=False)
            out.append(Token("qident", text[start:i], start, i))
            continue
        if low2 in ("b'", "x'", "n'"):
            i = _scan_quoted(text, i + 1, "'", backslash=False)
            out.append(Token("string", text[start:i], start, i))
            continue
        if c == "'":
            i = _scan_quoted(text, i, "'", backslash=False)
            out.append(Token("string", text[start:i], start, i))
            continue
        if c == '"':
            i = _scan_quoted(text, i, '"', backslash=False)
            out.append(Token("qident", text[start:i], start, i))
            continue
        if c == "$":
            m = _PARAM.match(text, i)
            if m:
                i = m.end()
                out.append(Token("param", m.group(), start, i))
                continue
            m = _DOLLAR_TAG.match(text, i)
            if m:
                tag = m.group()
                close = text.find(tag, m.end())
                if close < 0:
                    raise LexError(f"unterminated dollar-quoted string at offset {start}")
                i = close + len(tag)
                out.append(Token("dollar", text[start:i], start, i))
                continue
            i += 1
            out.append(Token("error", c, start, i))
            continue
        if _IDENT_START.match(c):
            m = _IDENT.match(text, i)
            assert m is not None
            i = m.end()
            out.append(Token("ident", m.group(), start, i))
            continue
        if c in _DIGITS or (c == "." and i + 1 < n and text[i + 1] in _DIGITS):
            m = _NUMBER.match(text, i)
            assert m is not None
            i = m.end()
            out.append(Token("number", m.group(), start, i))
            continue
        if c == "%":
            m = _PLACEHOLDER.match(text, i)
            if m:
                i = m.end()
                out.append(Token("placeholder", m.group(), start, i))
                continue
        if c == ":" and text.startswith("::", i):
            i += 2
            out.append(Token("punct", "::", start, i))
            continue
        if c in "(),;[].:":
            i += 1
            out.append(Token("punct", c, start, i))
            continue
        if c in _OP_CHARS:
            j = i
            while j < n and text[j] in _OP_CHARS:
                if j > i and (text.startswith("--", j) or text.startswith("/*", j)):
                    break
                j += 1
            op = text[i:j]
            # PostgreSQL: a multi-char operator cannot end in + or - unless it contains one of
            # ~ ! @ # % ^ & | ` ?
            while len(op) > 1 and op[-1] in "+-" and not (_OP_SPECIAL & set(op)):
                op = op[:-1]
            i += len(op)
            out.append(Token("op", op, start, i))
            continue
        i += 1
        out.append(Token("error", c, start, i))
    return out


# --------------------------------------------------------------------------------------------
# Paren tree
# --------------------------------------------------------------------------------------------


@dataclass
class Group:
    """A parenthesised or bracketed run of items."""

    open: Token
    items: list[Item]
    close: Token | None

    @property
    def start(self) -> int:
        return self.open.start

    @property
    def end(self) -> int:
        return (
            self.close.end if self.close else (self.items[-1].end if self.items else self.open.end)
        )

    @property
    def bracket(self) -> bool:
        return self.open.value == "["


Item = Token | Group


def split_statements(tokens: Sequence[Token]) -> tuple[list[list[Token]], bool]:
    """The statements separated by top-level ``;`` (those with no significant token dropped),
    and whether some ``;`` stood elsewhere: inside brackets (not split there) or after an
    unmatched closing one."""
    out: list[list[Token]] = [[]]
    depth = 0
    misplaced = False
    for t in tokens:
        if t.kind == "punct" and t.value in "([":
            depth += 1
        elif t.kind == "punct" and t.value in ")]":
            depth -= 1
        if t.kind == "punct" and t.value == ";":
            misplaced = misplaced or depth != 0
            if depth <= 0:
                out.append([])
                continue
        out[-1].append(t)
    return [s for s in out if any(t.significant for t in s)], misplaced


def build_tree(tokens: Sequence[Token]) -> tuple[list[Item], bool]:
    """Nest significant tokens by ( ) and [ ]. Returns (items, balanced)."""
    root: list[Item] = []
    stack: list[tuple[Token, list[Item]]] = []
    cur = root
    balanced = True
    for t in tokens:
        if not t.significant:
            continue
        if t.kind == "punct" and t.value in "([":
            stack.append((t, cur))
            cur = []
            continue
        if t.kind == "punct" and t.value in ")]":
            if not stack:
                balanced = False
                cur.append(t)
                continue
            open_t, parent = stack.pop()
            if (open_t.value == "(") != (t.value == ")"):
                balanced = False
            parent.append(Group(open_t, cur, t))
            cur = parent
            continue
        cur.append(t)
    while stack:
        balanced = False
        open_t, parent = stack.pop()
        parent.append(Group(open_t, cur, None))
        cur = parent
    return root, balanced


def _start(item: Item) -> int:
    return item.start


def _end(item: Item) -> int:
    return item.end


def _is_kw(item: Item, *words: str) -> bool:
    return isinstance(item, Token) and item.kind == "ident" and item.upper in words


def _is_punct(item: Item, value: str) -> bool:
    return isinstance(item, Token) and item.kind == "punct" and item.value == value


def _is_subquery(item: Item) -> bool:
    if not isinstance(item, Group) or item.bracket or not item.items:
        return False
    first = item.items[0]
    if isinstance(first, Group):
        return _is_subquery(first)
    return _is_kw(first, "SELECT", "WITH", "VALUES", "TABLE")


def qualified_name(items: Sequence[Item], idx: int) -> str:
    """schema.func for the name token at ``idx`` (looking back over ``name .``)."""
    parts = []
    j = idx
    while j >= 0:
        t = items[j]
        if isinstance(t, Token) and t.is_name:
            parts.append(t.name)
            if j >= 2 and _is_punct(items[j - 1], "."):
                j -= 2
                continue
        break
    return ".".join(reversed(parts))
