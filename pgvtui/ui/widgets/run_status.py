"""The one-line summary of a Search run, with the delta against the previous run: time, rows,
buffers — or "generic plan" for a statement run without values — then the values its ``$n``
were given, the function whose body was diagnosed and the settings."""

from __future__ import annotations

import time

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from pgvtui.errors import MissingValues
from pgvtui.ui.backend import SearchOutcome


def _delta(new: float | None, old: float | None, unit: str = "", digits: int = 0) -> Text:
    if new is None or old is None:
        return Text("")
    d = new - old
    if round(d, digits) == 0:
        return Text(" (=)", style="dim")
    sign = "+" if d > 0 else "−"
    return Text(f" ({sign}{abs(d):,.{digits}f}{unit})", style="dim")


def status_text(outcome: SearchOutcome, previous: SearchOutcome | None) -> Text:
    """✔ 1.23 ms (−0.40 ms) · 10 rows (=) · hit 1,200 (+30) · read 0 (−100)."""
    if isinstance(outcome.error, MissingValues):  # the dialog asks for them
        named = MissingValues.named(outcome.error.needed)
        return Text(f"values needed: {named}", style="yellow")
    if outcome.error is not None:
        text = Text(f"✖ {outcome.error.title}: {outcome.error.message}", style="bold red")
        if outcome.error.hint:
            text.append(f" ({outcome.error.hint})", style="red")
        return text
    if outcome.generic:
        return _generic_text(outcome)
    ms, rows = outcome.execution_ms, outcome.row_count
    hit, read = outcome.buffers
    p_ms = previous.execution_ms if previous else None
    p_rows = previous.row_count if previous else None
    p_hit, p_read = previous.buffers if previous else (None, None)
    text = Text("✔ ", style="bold green")
    if ms is None:  # a pasted plan without "Execution Time" (EXPLAIN without ANALYZE, cut …)
        text.append("execution time not in the plan", style="dim")
    else:
        text.append(f"{ms:.2f} ms", style="bold")
        text.append_text(_delta(ms, p_ms, " ms", 2))
    text.append(f" · {rows if rows is not None else '?'} rows")
    text.append_text(_delta(rows, p_rows))
    if outcome.plan is not None and not outcome.plan.has_buffers:  # EXPLAIN without BUFFERS
        text.append(" · buffers not in the plan", style="dim")
    else:
        text.append(f" · hit {hit:,}")
        text.append_text(_delta(hit, p_hit))
        text.append(f" · read {read:,}", style="yellow" if read else "")
        text.append_text(_delta(read, p_read))
    _append_context(text, outcome)
    return text


def _generic_text(outcome: SearchOutcome) -> Text:
    """A statement with ``$n`` and no values: its generic plan, nothing executed."""
    text = Text("✔ ", style="bold green")
    text.append("generic plan", style="bold")
    text.append(" (no values, nothing executed) · v runs it with sampled values", style="dim")
    _append_context(text, outcome)
    return text


def _append_context(text: Text, outcome: SearchOutcome) -> None:
    """The function whose body was diagnosed, the values used, the settings."""
    if outcome.function is not None:
        text.append(f" · inside {outcome.function.function.display}()", style="cyan")
    if outcome.bound:
        shown = ", ".join(
            f"${b.number}={'a vector' if b.role == 'vector' else _short(b.shown)}"
            for b in outcome.bound
        )
        text.append(f" · values {shown}", style="dim")
    if outcome.settings:
        text.append(
            "  [" + ", ".join(f"{k}={v}" for k, v in outcome.settings.items()) + "]", style="dim"
        )


def _short(value: str, room: int = 24) -> str:
    return value if len(value) <= room else value[: room - 1] + "…"


class RunStatus(Static):
    """The Search screen's status line: the elapsed time while a query runs (ticking every
    0.1 s), then :func:`status_text` of the run, or whatever the screen says."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("F5 runs the query", style="dim"), id=id)
        self._started = 0.0
        self._ticker: Timer | None = None

    def running(self, on: bool) -> None:
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        if on:
            self._started = time.monotonic()
            self._ticker = self.set_interval(0.1, self._tick)
            self._tick()

    def _tick(self) -> None:
        elapsed = time.monotonic() - self._started
        self.update(Text(f"⏳ running… {elapsed:.1f} s — Esc or ctrl+c cancels", style="yellow"))
