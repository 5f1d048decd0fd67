"""The Search screen's query history: one JSON line per query run, newest last, in the user
state directory (``platformdirs.user_state_dir("pgvtui")/search-history.jsonl``; the
``PGVTUI_STATE_DIR`` environment variable moves it). The file is the user's alone (mode 0600).

Only the SQL and the time are kept — never the conninfo — and passwords are taken out of the SQL
first (``password=…``, ``postgresql://user:…@`` and the session's own password), as in error
messages. No Textual here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from pgvtui.core.conninfo import password_of, redact_message

MAX_ENTRIES = 500
FILE_NAME = "search-history.jsonl"


def default_path() -> Path:
    env = os.environ.get("PGVTUI_STATE_DIR")
    if env:
        return Path(env) / FILE_NAME
    import platformdirs

    return Path(platformdirs.user_state_dir("pgvtui")) / FILE_NAME


class QueryHistory:
    """Queries in the order they were run (oldest first), without repeats in a row, and a
    cursor for up/down recall."""

    def __init__(self, path: Path | None, passwords: Iterable[str | None] = ()) -> None:
        self.path = path
        self.passwords = tuple(p for p in passwords if p)
        self.entries: list[str] = []
        self._cursor: int | None = None  # index into entries while recalling
        self.load()

    @classmethod
    def for_conninfo(cls, conninfo: str) -> QueryHistory:
        """The history at :func:`default_path`, scrubbing the conninfo's password and
        ``PGPASSWORD`` out of what it stores (the conninfo itself is never stored)."""
        return cls(default_path(), (password_of(conninfo), os.environ.get("PGPASSWORD")))

    def load(self) -> None:
        self.entries = []
        if self.path is None:
            return
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return
        for line in lines[-MAX_ENTRIES:]:
            try:
                sql = json.loads(line).get("sql")
            except (ValueError, AttributeError):
                continue  # a damaged line is skipped, not fatal
            if isinstance(sql, str) and sql.strip():
                self.entries.append(sql)

    def add(self, sql: str) -> None:
        """Remember a query that was run (and reset the recall cursor)."""
        self._cursor = None
        sql = redact_message(sql.strip(), *self.passwords)
        if not sql or (self.entries and self.entries[-1] == sql):
            return
        self.entries.append(sql)
        if self.path is None:
            return
        line = json.dumps({"at": datetime.now().astimezone().isoformat(), "sql": sql})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if len(self.entries) > MAX_ENTRIES:
                self.entries = self.entries[-MAX_ENTRIES:]
                self._rewrite()
                return
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        except OSError:
            pass  # history is a convenience: a read-only home must not stop a search

    def _rewrite(self) -> None:
        assert self.path is not None
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | os.O_CREAT, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for sql in self.entries:
                f.write(json.dumps({"sql": sql}) + "\n")
        tmp.replace(self.path)

    def step(self, direction: int) -> str | None:
        """Up (-1) / down (+1) through the history; None past either end (down past the
        newest: back to an empty editor is the caller's choice)."""
        if not self.entries:
            return None
        if self._cursor is None:
            if direction > 0:
                return None
            self._cursor = len(self.entries)
        new = self._cursor + direction
        if new < 0:
            return None
        if new >= len(self.entries):
            self._cursor = None
            return None
        self._cursor = new
        return self.entries[new]

    def search(self, text: str) -> list[str]:
        """Entries containing ``text`` (case-insensitive), newest first, each once."""
        needle = text.strip().lower()
        seen: set[str] = set()
        out: list[str] = []
        for sql in reversed(self.entries):
            if sql in seen or (needle and needle not in sql.lower()):
                continue
            seen.add(sql)
            out.append(sql)
        return out
