"""v on the Workload and Search screens: the values ``--sample`` cannot take from the data (a
LIMIT that pg_stat_statements normalised to ``$n``, a value compared with no known column) are
asked for here — never invented. Enter in the last field runs, Esc cancels."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


def values_needed(text: str) -> dict[int, str]:
    """The ``$n`` of a statement that sampling cannot fill, with why (``the LIMIT``); none for
    a function call (its search is unwrapped first: the core names what is missing)."""
    from pgvtui.core import appcheck, binding  # (the parser: loaded when first needed)

    _text, info = appcheck.as_dollar_params(text)  # %s numbered as the core numbers them
    if info is None or appcheck.calls_function(info):
        return {}
    return {n: binding.why_missing(p) for n, p in info.params.items() if binding.needs_value(p)}


def ask_values(
    app: App[Any], needed: dict[int, str], then: Callable[[dict[int, str]], None]
) -> None:
    """``then(values)`` with the ``needed`` ones typed into the dialog (nothing when it is
    cancelled), or at once with ``{}`` when none is needed."""
    if not needed:
        then({})
        return

    def done(values: dict[int, str] | None) -> None:
        if values is not None:
            then(values)

    app.push_screen(ParamValuesScreen(needed), done)


class ParamValuesScreen(ModalScreen[dict[int, str] | None]):
    """One field per ``$n`` to fill (``{number: why it is needed}``).

    Bindings:
        escape: cancel.
    """

    DEFAULT_CSS = """
    ParamValuesScreen { align: center middle; }
    ParamValuesScreen > Vertical {
        width: 90%; max-width: 90; height: auto; border: thick $primary;
        background: $surface; padding: 0 1;
    }
    ParamValuesScreen Label { width: 1fr; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, needed: dict[int, str]) -> None:
        super().__init__()
        self.needed = needed

    def compose(self) -> ComposeResult:
        with Vertical() as v:
            v.border_title = "Values the data cannot give"
            yield Label(
                Text("The others are sampled from the data. Enter moves on / runs, Esc cancels.")
            )
            for n, why in self.needed.items():
                yield Label(Text(f"${n} ({why})"))
                yield Input(id=f"param-{n}")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        fields = list(self.query(Input))
        empty = next((f for f in fields if not f.value.strip()), None)
        if empty is not None:
            empty.focus()
            return
        self.dismiss({int(str(f.id).removeprefix("param-")): f.value.strip() for f in fields})

    def action_cancel(self) -> None:
        self.dismiss(None)
