"""libpq-style connection options → a conninfo string, and redaction for display.

Only options the user gave are put in the conninfo; everything else falls through to libpq
(PG* environment, ``service=``, ``.pgpass``), exactly as psql does.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from psycopg import conninfo as pg_conninfo
from psycopg.errors import ProgrammingError

from pgvtui.errors import UsageError

SECRET_KEYS = frozenset({"password", "sslpassword"})
_URI_RE = re.compile(r"^postgres(ql)?://", re.IGNORECASE)


@dataclass(frozen=True)
class ConnOptions:
    conninfo: str | None = None  # URI, key=value string or a bare database name
    host: str | None = None
    port: str | None = None
    user: str | None = None
    dbname: str | None = None
    password: str | None = None  # from the interactive prompt only

    def to_conninfo(self, **extra: str) -> str:
        """Merge the positional conninfo with the flags; flags win, as in psql."""
        base = self.conninfo or ""
        params: dict[str, str] = {}
        if base:
            if _URI_RE.match(base) or "=" in base:
                params.update(parse(base))
            else:
                params["dbname"] = base
        for key in ("host", "port", "user", "dbname", "password"):
            value = getattr(self, key)
            if value is not None:
                params[key] = value
        params.update(extra)
        try:
            return pg_conninfo.make_conninfo("", **params)
        except ProgrammingError as exc:  # e.g. a NUL byte in a value
            raise UsageError(
                "invalid connection options: " + parse_error_message(exc, "password")
            ) from None


def parse(conninfo: str) -> dict[str, str]:
    try:
        return {k: str(v) for k, v in pg_conninfo.conninfo_to_dict(conninfo).items()}
    except ProgrammingError as exc:
        # ``from None``: libpq's message (kept as __cause__) may quote the password.
        raise UsageError(
            "invalid connection string: " + parse_error_message(exc, conninfo)
        ) from None


_MAYBE_SECRET_RE = re.compile(r"password|^\s*postgres(?:ql)?://", re.IGNORECASE)
_QUOTED_RE = re.compile(r'"[^"]*"?')


def parse_error_message(exc: BaseException, conninfo: str) -> str:
    """libpq's parse error for ``conninfo``, safe to show.

    An unparsable string cannot be parsed for its password, and libpq quotes the offending
    token — or the whole URI — in its message (``invalid percent-encoded token: "s3%cret"``).
    So when the string may hold a password (it mentions one, or it is a URI, whose user-info part
    may hold one in forms no pattern can delimit), every quoted fragment is removed."""
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else "cannot parse it"
    if _MAYBE_SECRET_RE.search(conninfo):
        msg = redact_message(_QUOTED_RE.sub('"…"', msg))
    return msg


def redact(conninfo: str) -> str:
    """A display form with no secret: key=value with password/sslpassword removed."""
    try:
        params = pg_conninfo.conninfo_to_dict(conninfo)
    except ProgrammingError:
        return "<unparsable connection string>"
    shown = {k: str(v) for k, v in params.items() if k not in SECRET_KEYS and v is not None}
    if any(k in params for k in SECRET_KEYS):
        shown["password"] = "********"
    return " ".join(f"{k}={_q(v)}" for k, v in shown.items())


def describe(params: dict[str, str]) -> str:
    """Short human form: user@host:port/dbname (no secrets)."""
    host = params.get("host") or "local socket"
    return _printable(
        f"{params.get('user', '?')}@{host}:{params.get('port', '5432')}/{params.get('dbname', '?')}"
    )


def _printable(v: str) -> str:
    """Control characters as escapes (a newline in a host name must not break the one line)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in v)


def _q(v: str) -> str:
    v = _printable(v)
    if v == "" or any(c.isspace() or c in "'\\" for c in v):
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return v


_PW_PATTERNS = [
    re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE),
    re.compile(r"(postgres(?:ql)?://[^:/@\s]*:)([^@\s]*)(@)", re.IGNORECASE),
]


def password_of(conninfo: str | None) -> str | None:
    if not conninfo or not ("=" in conninfo or "://" in conninfo):
        return None
    try:
        pw = pg_conninfo.conninfo_to_dict(conninfo).get("password")
    except ProgrammingError:
        return None
    return None if pw is None else str(pw)


def redact_message(text: str, *passwords: str | None) -> str:
    """Remove passwords from free text (server errors, exception text): ``password=…`` and
    ``postgresql://user:…@`` patterns, and every literal occurrence of each given password."""
    for pat in _PW_PATTERNS:
        text = pat.sub(
            lambda m: m.group(1) + "********" + (m.group(3) if m.lastindex == 3 else ""), text
        )
    for pw in passwords:
        if pw:
            text = text.replace(pw, "********")
    return text


# -- password prompts (psql's rules) ----------------------------------------------------------

MAX_PASSWORD_PROMPTS = 3  # after an authentication failure, ask again up to this many times


def can_prompt() -> bool:
    """Whether a password prompt has a terminal to ask on: the controlling terminal
    (``/dev/tty``, which getpass uses) or, failing that, a terminal on stdin."""
    try:
        with open("/dev/tty", "rb"):
            return True
    except OSError:
        pass
    stdin = sys.stdin
    try:
        return stdin is not None and stdin.isatty()
    except (AttributeError, ValueError):  # closed or replaced stdin
        return False


def prompt_password(why: str = "-W/--password") -> str:
    """Ask for a password on the terminal, or fail with a usage error when there is none
    (psql: "no terminal to prompt on"; set PGPASSWORD or use ~/.pgpass instead)."""
    if not can_prompt():
        raise UsageError(
            f"{why} needs a terminal to prompt for the password on, and there is none "
            "(use ~/.pgpass, PGPASSFILE or PGPASSWORD)"
        )
    import getpass

    try:
        return getpass.getpass("Password: ")
    except EOFError:
        raise UsageError("no password given (end of input at the prompt)") from None


def wants_password(message: str) -> bool:
    """An authentication failure that another password could fix (not a missing role)."""
    low = message.lower()
    return "password authentication failed" in low or "no password supplied" in low
