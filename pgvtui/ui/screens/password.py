"""A password prompt shown after an authentication failure (no password, or a wrong one:
asked again each time, as psql does)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class PasswordScreen(ModalScreen[str | None]):
    """Enter submits, Esc cancels. The password goes to the backend only (never displayed).

    Bindings:
        escape: cancel.
    """

    DEFAULT_CSS = """
    PasswordScreen { align: center middle; }
    PasswordScreen > Vertical {
        width: 60; height: auto; border: thick $warning; background: $surface; padding: 1 2;
    }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, target: str, reason: str = "") -> None:
        super().__init__()
        self.target = target
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical():
            if self.reason:
                yield Label(Text(self.reason, style="bold"), id="password-reason")
            yield Label(Text(f"Password for {self.target}"))
            yield Input(password=True, id="password")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
