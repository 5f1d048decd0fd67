"""The Search screen's SQL editor: a TextArea whose up key on the first line (and down on the
last) steps through the query history, as in psql and pgcli."""

from __future__ import annotations

from typing import cast

from textual.message import Message
from textual.widgets import TextArea

from pgvtui.ui.history import QueryHistory


class SqlEditor(TextArea):
    """Up on the first line loads the previous query of :attr:`query_history`, down on the last line
    the next one; posts :class:`Recalled` when it did."""

    query_history: QueryHistory | None = None

    class Recalled(Message):
        """The editor's text was replaced by a query from the history."""

    @classmethod
    def for_search(cls, *, id: str) -> SqlEditor:
        """The Search screen's editor: SQL highlighting, soft wrap, Tab/Esc leave it (the
        number keys switch screens again)."""
        editor = cls.code_editor(  # (typed as TextArea; it is ``cls(...)``)
            "",
            language="sql",
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
        )
        editor.border_title = "Query (F5 run · v with values · F2 examples)"
        return cast(SqlEditor, editor)

    def load_recalled(self, sql: str | None) -> None:
        """Load a query picked from the history (F4), if one was, and take the focus."""
        if sql is not None:
            self.load_text(sql)
            self.focus()
            self.post_message(self.Recalled())

    def _recall(self, direction: int) -> bool:
        history = self.query_history
        sql = history.step(direction) if history is not None else None
        if sql is None:
            return False
        self.load_text(sql)
        if direction > 0:  # keep stepping down from the last line
            self.move_cursor(self.document.end)
        self.post_message(self.Recalled())
        return True

    def action_cursor_up(self, select: bool = False) -> None:
        if not select and self.cursor_location[0] == 0 and self._recall(-1):
            return
        super().action_cursor_up(select)

    def action_cursor_down(self, select: bool = False) -> None:
        last = self.cursor_location[0] >= self.document.line_count - 1
        if not select and last and self._recall(+1):
            return
        super().action_cursor_down(select)
