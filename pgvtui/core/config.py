"""The user's config file: defaults for the CLI and the TUI (docs/config.md).

A TOML file, ``config.toml`` in the user config dir (platformdirs: ``~/.config/pgvtui`` on
Linux), or wherever ``PGVTUI_CONFIG`` points. Top-level scalar keys only::

    theme = "textual-dark"        # the TUI's theme (the palette can save it)
    format = "text"               # default --format: text, json or markdown
    statement_timeout = "30s"     # default --statement-timeout (a duration or milliseconds)
    conninfo = "host=db1 dbname=app"   # default connection (never with a password)
    service = "prod"              # or a pg_service.conf service
    pager = "less -SRX"           # pager for long text output on a terminal
    no_pager = false              # true: never page

A missing file means all defaults. An unknown key, a wrong type or a bad value is a
``ConfigError`` naming the file and the key, in one line. ``save_setting`` writes one key back,
keeping the rest of the file (comments included) and replacing the file atomically.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg.conninfo import make_conninfo

from pgvtui.core.conninfo import parse as parse_conninfo
from pgvtui.core.units import parse_duration_ms
from pgvtui.errors import PgvtuiError

ENV_VAR = "PGVTUI_CONFIG"
FORMATS = ("text", "json", "markdown")
KEYS = ("theme", "format", "statement_timeout", "conninfo", "service", "pager", "no_pager")


class ConfigError(PgvtuiError):
    title = "Config error"


@dataclass(frozen=True)
class Config:
    """Settings from the config file; ``None`` = not set (the built-in default applies)."""

    theme: str | None = None
    format: str | None = None
    statement_timeout_ms: int | None = None
    conninfo: str | None = None
    service: str | None = None
    pager: str | None = None
    no_pager: bool = False
    path: Path | None = None  # the file these came from (None: no file)

    def default_conninfo(self) -> str | None:
        """The connection to use when none is given on the command line: ``conninfo`` with
        ``service`` added (either may be unset); ``None`` when neither is set."""
        if not self.conninfo and not self.service:
            return None
        params: dict[str, str] = {}
        if self.conninfo:
            is_string = "=" in self.conninfo or "://" in self.conninfo
            params = parse_conninfo(self.conninfo) if is_string else {"dbname": self.conninfo}
        if self.service:
            params.setdefault("service", self.service)
        return make_conninfo("", **params)


def config_path() -> Path:
    """``$PGVTUI_CONFIG`` or ``config.toml`` in the user config dir (the file may not exist)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("pgvtui")) / "config.toml"


def load_config(path: Path | str | None = None) -> Config:
    """Read and check the config file; a missing file gives the defaults."""
    p = Path(path) if path is not None else config_path()
    raw = _read(p)
    if raw is None:
        return Config()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        field, checked = _check(p, key, value)
        values[field] = checked
    return Config(**values, path=p)


def save_setting(key: str, value: str | int | bool, path: Path | str | None = None) -> Path:
    """Set ``key = value`` in the config file (created if missing) and return its path.

    The value is checked as ``load_config`` would check it. Other keys and comments stay; the
    new file is written next to the old one and renamed over it, so a crash leaves either."""
    p = Path(path) if path is not None else config_path()
    _check(p, key, value)
    raw = _read(p) or {}
    old_text = p.read_text(encoding="utf-8") if raw else ""
    wanted = {**raw, key: value}
    text = _replace_line(old_text, key, value)
    if _parses_to(text) != wanted:  # e.g. the old value was a multi-line string: rewrite
        text = "".join(f"{k} = {toml_scalar(v)}\n" for k, v in wanted.items())
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if p.exists():
            os.chmod(tmp, p.stat().st_mode & 0o777)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def toml_scalar(value: str | int | bool) -> str:
    """A TOML literal for a string, integer or boolean (basic string with escapes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    out = ['"']
    for c in value:
        if c in ('"', "\\"):
            out.append("\\" + c)
        elif c in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[c])
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _read(p: Path) -> dict[str, Any] | None:
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read it ({exc.strerror or exc})") from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None


def _check(p: Path, key: str, value: object) -> tuple[str, Any]:
    """``(Config field, checked value)`` for one file entry, or a ConfigError naming it."""

    def bad(why: str) -> ConfigError:
        return ConfigError(f"{p}: {key}: {why}")

    if key not in KEYS:
        raise bad(f"unknown key (known: {', '.join(KEYS)})")
    if key == "no_pager":
        if not isinstance(value, bool):
            raise bad("must be true or false")
        return key, value
    if key == "statement_timeout":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise bad('must be a duration like "30s" or a number of milliseconds')
        try:
            return "statement_timeout_ms", parse_duration_ms(str(value))
        except ValueError as exc:
            raise bad(str(exc)) from None
    if not isinstance(value, str):
        raise bad("must be a string")
    if not value.strip():
        raise bad("must not be empty")
    if key == "format" and value not in FORMATS:
        raise bad(f"{value!r} is not one of {', '.join(FORMATS)}")
    if key == "conninfo":
        params = {"dbname": value}
        if "=" in value or "://" in value:
            try:
                params = parse_conninfo(value)
            except PgvtuiError as exc:
                raise bad(exc.message) from None
        if "password" in params or "sslpassword" in params:
            raise bad("must not hold a password (use ~/.pgpass or PGPASSFILE)")
    return key, value


def _replace_line(text: str, key: str, value: str | int | bool) -> str:
    """``text`` with the top-level ``key = …`` line replaced (or the line appended)."""
    line = f"{key} = {toml_scalar(value)}\n"
    lines = text.splitlines(keepends=True)
    for n, old in enumerate(lines):
        stripped = old.lstrip()
        if stripped.startswith("["):  # a table: our keys are all top-level
            break
        name = stripped.split("=", 1)[0].strip().strip('"')
        if "=" in stripped and name == key:
            lines[n] = line
            return "".join(lines)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return "".join(lines) + line


def _parses_to(text: str) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


__all__ = ["Config", "ConfigError", "config_path", "load_config", "save_setting", "toml_scalar"]
