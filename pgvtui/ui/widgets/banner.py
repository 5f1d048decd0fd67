"""A one-line banner for the connection state: hidden while connected."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class ConnectionBanner(Static):
    """Shows ``connecting…`` / ``connection lost`` with the key that reconnects.

    Reactives:
        state: "connecting", "connected", "lost" or "failed".
        detail: the error's one-line message.
    """

    DEFAULT_CSS = """
    ConnectionBanner {
        height: auto;
        padding: 0 1;
        display: none;
        background: $warning 30%;
        color: $text;
    }
    ConnectionBanner.-lost, ConnectionBanner.-failed {
        display: block;
        background: $error 35%;
        text-style: bold;
    }
    ConnectionBanner.-connecting {
        display: block;
    }
    """

    state: reactive[str] = reactive("connecting")
    """Connection state shown by the banner."""
    detail: reactive[str] = reactive("")
    """One-line error detail."""

    def _refresh_text(self) -> None:
        for name in ("connecting", "connected", "lost", "failed"):
            self.set_class(self.state == name, f"-{name}")
        # Text, not markup: the detail is a server's error message.
        if self.state == "connecting":
            self.update(Text(f"Connecting… {self.detail}"))
        elif self.state == "lost":
            self.update(Text(f"⚠ Connection lost: {self.detail} — press ctrl+r to reconnect"))
        elif self.state == "failed":
            self.update(Text(f"⚠ {self.detail} — ctrl+r retries, ctrl+o connects elsewhere"))
        else:
            self.update("")

    def watch_state(self) -> None:
        self._refresh_text()

    def watch_detail(self) -> None:
        self._refresh_text()
