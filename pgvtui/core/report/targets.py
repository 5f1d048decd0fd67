"""Report targets: anything ``pgvtui`` accepts as a connection, and a label safe to print.

A target is a URI, a key=value string, ``service=name`` or a bare database name. A targets
file holds one per line; blank lines and lines starting with ``#`` are skipped (a ``#`` inside a
line is part of the conninfo: passwords may contain one). The label is ``host:port/dbname`` with
what the conninfo leaves out taken from libpq's environment, as libpq would — never a password.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pgvtui.core import conninfo as ci
from pgvtui.errors import UsageError


@dataclass(frozen=True)
class Target:
    conninfo: str  # as libpq takes it (may hold a password: never print it)
    redacted: str  # the conninfo with any password replaced (conninfo.redact)
    label: str  # host:port/dbname (or service=name), unique within one report
    host: str
    port: str
    dbname: str


def _printable(v: str) -> str:
    """Control characters as escapes: a label is one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in v)


def _first(value: str) -> str:
    """libpq's multi-host lists (``h1,h2``) are labelled by their first entry."""
    return value.split(",")[0].strip()


def describe(conninfo: str) -> tuple[str, str, str, str]:
    """(label, host, port, dbname) for ``conninfo``, password-free."""
    params = ci.parse(conninfo)
    env = os.environ
    host = params.get("host") or params.get("hostaddr") or env.get("PGHOST") or ""
    port = params.get("port") or env.get("PGPORT") or "5432"
    user = params.get("user") or env.get("PGUSER") or ""
    dbname = params.get("dbname") or env.get("PGDATABASE") or user or "?"
    service = params.get("service") or env.get("PGSERVICE")
    if service and not params.get("host") and not params.get("dbname"):
        label = f"service={service}"
        return _printable(label), "", "", ""
    host = _first(host) or "local socket"
    label = f"{host}:{_first(port)}/{dbname}"
    return _printable(label), _printable(host), _printable(_first(port)), _printable(dbname)


def to_conninfo(text: str) -> str:
    """A target as given → a conninfo string (a bare word is a database name, as in psql)."""
    text = text.strip()
    return ci.ConnOptions(conninfo=text).to_conninfo()


def read_targets_file(path: str) -> list[str]:
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read targets file {path!r}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"targets file {path!r} is not UTF-8 text") from None
    return [
        line.strip()
        for line in raw.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def make_targets(texts: Iterable[str]) -> list[Target]:
    """Targets in the order given; a label that repeats gets ``#2``, ``#3`` … (the same
    database listed twice is checked twice, as asked, but each entry stays distinct)."""
    out: list[Target] = []
    seen: dict[str, int] = {}
    for text in texts:
        conninfo = to_conninfo(text)
        label, host, port, dbname = describe(conninfo)
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label = f"{label}#{seen[label]}"
        out.append(Target(conninfo, ci.redact(conninfo), label, host, port, dbname))
    return out
