"""The Search screen's query for one column (Inventory → e, the examples): which column, the
table's row key, the row the query vector is taken from, and the SQL written from them with the
controls' k and vector choice.

Invisible. The look-ups run in workers (``table_key``, ``sample_key`` on the main session); the
SQL reaches the screen as :class:`GoldenPath.Written`; a row that cannot be sampled (no SELECT on
the table …) is posted as :class:`~pgvtui.ui.messages.SampleFailed` and the query uses id 1.
"""

from __future__ import annotations

from textual import on, work
from textual.message import Message
from textual.widget import Widget

from pgvtui.core.models import ColumnInfo
from pgvtui.errors import ConnectionLost, PgvtuiError
from pgvtui.ui import query_template as qt
from pgvtui.ui.messages import QueryVectorChosen, SampleFailed
from pgvtui.ui.services import AppServices, services_of
from pgvtui.ui.widgets.search_controls import SearchControls


class GoldenPath(Widget):
    """Owns :attr:`column` and :attr:`key` (the table's row key, None when it has none)."""

    DEFAULT_CSS = "GoldenPath { display: none; }"

    class Written(Message):
        """The query for the column, to load into the editor (and to run when ``run``)."""

        def __init__(self, sql: str, run: bool) -> None:
            super().__init__()
            self.sql = sql
            self.run = run

    def __init__(self, controls: SearchControls) -> None:
        super().__init__()
        self.controls = controls
        self.column: ColumnInfo | None = None
        self.key: str | None = None

    @property
    def services(self) -> AppServices:
        return services_of(self.app)

    def load(self, col: ColumnInfo, *, run: bool = True) -> None:
        """Write the query for ``col`` once its key and a row are known (run it when asked)."""
        self.column = col
        self.key = None
        self.lookup_key(col, run)

    def forget(self) -> None:
        """The editor holds some other query now (typed, recalled, an example's SQL)."""
        self.column = None

    @work(exclusive=True, exit_on_error=False, group="search-key")
    async def lookup_key(self, col: ColumnInfo, run: bool = True) -> None:
        found = await self.services.backend.table_key(col.table_oid)
        key = found.key_column if found else None
        mode, value = self.controls.vector_choice()
        failed: PgvtuiError | None = None
        if mode == "random" or not value:
            try:
                value = await self._sample(col, key) or "1"
            except ConnectionLost:
                raise
            except PgvtuiError as exc:  # e.g. no SELECT on the table: say so, keep the query
                failed, value = exc, "1"
        mode = "id" if mode == "literal" else mode
        self.post_message(QueryVectorChosen(col, key, mode, value, run and failed is None, failed))

    @work(exclusive=True, exit_on_error=False, group="search-key")
    async def random_vector(self) -> None:
        """Another random row of the column's table; the query is rewritten and run."""
        col, key = self.column, self.key
        if col is not None:
            value = await self._sample(col, key) or "1"
            self.post_message(QueryVectorChosen(col, key, "random", value, run=True))

    async def _sample(self, col: ColumnInfo, key: str | None) -> str | None:
        if key is None:
            return "0"
        return await self.services.backend.sample_key(col.schema, col.table, col.column, key)

    @on(QueryVectorChosen)
    def _chosen(self, event: QueryVectorChosen) -> None:
        event.stop()
        if event.column is not self.column:
            return  # for a column the screen has moved on from
        self.key = event.key
        self.controls.set_vector(event.mode, event.value)
        self.write(run=event.run)
        if event.error is not None:  # after the query, so the screen's status ends with it
            self.post_message(SampleFailed(event.column, event.error))

    def vector_changed(self) -> bool:
        """The controls' query vector changed: True when the query was rewritten with it (the
        screen re-runs it); a random row is fetched first and run when it arrives."""
        if self.column is None:
            msg = "the query vector applies to a column's query (Inventory → e)"
            self.notify(msg, severity="warning")
            return False
        if self.controls.vector_choice()[0] == "random":
            self.random_vector()
            return False
        self.write()
        return True

    def write(self, *, run: bool = False) -> None:
        """Write the column's query with the controls' current k and vector choice."""
        col = self.column
        if col is None:
            return
        mode, value = self.controls.vector_choice()
        index = qt.best_index(self.services.inventory, col)
        try:
            text = qt.golden_sql(col, index, self.key, self.controls.k, mode, value)
        except PgvtuiError as exc:
            self.notify(exc.message, title=exc.title, severity="error")
            return
        self.post_message(self.Written(text, run))
