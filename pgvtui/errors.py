"""Typed errors. Every user-facing failure is a PgvtuiError with a title and a one-line message.

The CLI prints ``title: message`` to stderr and exits with ``exit_code``; the UI shows the same
text in a notification or banner. No rich/textual here.
"""

from __future__ import annotations

import re

# Documented exit codes (README, "Exit codes").
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class PgvtuiError(Exception):
    """Base class: a failure the user can act on."""

    title = "Error"
    exit_code = EXIT_ERROR

    def __init__(self, message: str, *, title: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def one_line(self) -> str:
        """``title: message (hint)`` on one line, safe for a terminal: line breaks become
        spaces and other control characters (an ESC sequence in an echoed name) are escaped."""
        text = f"{self.title}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return _CONTROL.sub(_escape_control, text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escape_control(m: re.Match[str]) -> str:
    c = m.group()
    return " " if c in "\r\n\t" else f"\\x{ord(c):02x}"


class UsageError(PgvtuiError):
    title = "Usage error"


class MissingValues(UsageError):
    """A statement's ``$n`` that nothing could fill (``needed``: number → why it is needed, e.g.
    ``{3: "the LIMIT"}``); the TUI asks for them, the CLI names the options that give them."""

    def __init__(self, message: str, needed: dict[int, str]) -> None:
        super().__init__(message)
        self.needed = needed

    @staticmethod
    def named(needed: dict[int, str]) -> str:
        """``$3 (the LIMIT), $4 (…)``: how the CLI's message and the TUI name them."""
        return ", ".join(f"${n} ({why})" for n, why in needed.items())


class InputTooLarge(UsageError):
    """A plan file, query file or --sql text over the input size limit."""

    title = "Input too large"


class ConnectionFailed(PgvtuiError):
    title = "Connection failed"


class AuthenticationFailed(ConnectionFailed):
    title = "Authentication failed"


class ExtensionMissing(PgvtuiError):
    title = "pgvector not available"


class ServerTooOld(PgvtuiError):
    title = "Server too old"


class UnsafeSession(PgvtuiError):
    title = "Unsafe session"


class QueryRefused(PgvtuiError):
    title = "Query refused"


class SettingRefused(PgvtuiError):
    title = "Setting refused"


class QueryFailed(PgvtuiError):
    title = "Query failed"
    sqlstate: str | None = None
    """The server's SQLSTATE, when the server sent the error."""


class QueryCancelled(QueryFailed):
    title = "Query cancelled"


class QueryTimeout(QueryFailed):
    title = "Query timed out"


class PermissionDenied(PgvtuiError):
    title = "Permission denied"


class ConnectionLost(PgvtuiError):
    title = "Connection lost"


class ServerNotResponding(ConnectionLost):
    """The server did not answer a cancel request in time; pgvtui closed the connection."""


class PlanFileError(PgvtuiError):
    title = "Bad plan file"


class DemoError(PgvtuiError):
    title = "Demo server"
