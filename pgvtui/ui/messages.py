"""Messages the workers post back to the UI thread, and the one error message the App handles.

Workers never touch widgets: they return data as one of these, and the screen that started the
worker handles it with ``@on(...)``. A failed worker becomes :class:`WorkerFailed`, which bubbles
to the App's single error handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

from pgvtui.errors import PgvtuiError

if TYPE_CHECKING:
    from textual.worker import Worker

    from pgvtui.core.activity import Activity
    from pgvtui.core.models import ColumnInfo
    from pgvtui.core.recall.sweep import RecallProgress, RecallReport
    from pgvtui.core.residency import ResidencyReport
    from pgvtui.ui.backend import Catalog, SearchOutcome


class Connected(Message):
    """The session is open (first connect or reconnect)."""

    def __init__(self, short: str) -> None:
        super().__init__()
        self.short = short


class InventoryLoaded(Message):
    """A fresh inventory with its residency report and catalog findings."""

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog


class SearchFinished(Message):
    """One run of the Search screen's query finished (successfully or with a server error)."""

    def __init__(self, outcome: SearchOutcome, run_id: int) -> None:
        super().__init__()
        self.outcome = outcome
        self.run_id = run_id


class ResidencyLoaded(Message):
    """A fresh residency report."""

    def __init__(self, report: ResidencyReport) -> None:
        super().__init__()
        self.report = report


class ActivityLoaded(Message):
    """A snapshot of running vector queries and index builds."""

    def __init__(self, activity: Activity) -> None:
        super().__init__()
        self.activity = activity


class QueryVectorChosen(Message):
    """The Search screen's query vector for ``column``: its row key and the vector choice
    (``error``: sampling a row failed, the choice is the fallback id 1)."""

    def __init__(
        self,
        column: ColumnInfo,
        key: str | None,
        mode: str,
        value: str,
        run: bool,
        error: PgvtuiError | None = None,
    ) -> None:
        super().__init__()
        self.column = column
        self.key = key
        self.mode = mode
        self.value = value
        self.run = run
        self.error = error


class SampleFailed(Message):
    """Sampling a row of ``column``'s table for the Search screen failed (e.g. no SELECT)."""

    def __init__(self, column: ColumnInfo, error: PgvtuiError) -> None:
        super().__init__()
        self.column = column
        self.error = error


class BackendCancelled(Message):
    """The answer to Activity's cancel request for ``pid`` (False: it was not running)."""

    def __init__(self, pid: int, ok: bool) -> None:
        super().__init__()
        self.pid = pid
        self.ok = ok


class WorkerFailed(Message):
    """A worker raised: routed to the App's one error handler (notification or banner)."""

    def __init__(self, error: PgvtuiError, source: str) -> None:
        super().__init__()
        self.error = error
        self.source = source

    @classmethod
    def of(cls, worker: Worker[Any]) -> WorkerFailed:
        """The message for a worker in the ERROR state (its exception as a PgvtuiError)."""
        from pgvtui.core.session import map_error

        error = PgvtuiError("unknown error") if worker.error is None else map_error(worker.error)
        return cls(error, worker.name)


class RecallProgressed(Message):
    """Progress of a recall sweep; a newer one replaces an unprocessed older one."""

    def __init__(self, progress: RecallProgress) -> None:
        super().__init__()
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RecallProgressed)


class RecallFinished(Message):
    """A recall sweep ended (``report.complete`` is False when it was stopped)."""

    def __init__(self, report: RecallReport) -> None:
        super().__init__()
        self.report = report
