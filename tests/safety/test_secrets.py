"""The password never shows: not on stdout or stderr, not in JSON, logs, error messages,
exception text or ``Session.display`` — whichever way it was given (URI, key=value, PGPASSWORD,
.pgpass, the prompt) and whether the connection worked, named a missing database, or was
refused for a wrong password."""

from __future__ import annotations

import getpass
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from pgvtui.cli import main
from pgvtui.core.session import connect
from pgvtui.errors import PgvtuiError
from tests.safety.support import Roles, Target

SOURCES = ["uri", "keyvalue", "pgpassword", "pgpass", "prompt-W", "prompt-after-failure"]
OUTCOMES = ["ok", "wrong-db", "wrong-password"]


@dataclass
class Case:
    argv: list[str]
    password: str  # the string that must never appear (the one given, right or wrong)


def _port(target: Target) -> str:
    return str(psycopg.conninfo.conninfo_to_dict(target.dsn).get("port", "5432"))


@pytest.fixture
def case_for(
    roles: Roles,
    target: Target,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    no_pg_env: None,
) -> Callable[[str, str], Case]:
    def build(source: str, outcome: str) -> Case:
        role = roles.monitor
        password = role.password if outcome != "wrong-password" else "Zq7-wrong-" + role.password
        dbname = target.dbname if outcome != "wrong-db" else "pgvtui_missing_db"
        port = _port(target)
        base = f"host=127.0.0.1 port={port} user={role.name} dbname={dbname}"
        if source == "uri":
            uri = f"postgresql://{role.name}:{quote(password, safe='')}@127.0.0.1:{port}/{dbname}"
            return Case([uri], password)
        if source == "keyvalue":
            return Case([f"{base} password={password}"], password)
        if source == "pgpassword":
            monkeypatch.setenv("PGPASSWORD", password)
            return Case([base], password)
        if source == "pgpass":
            f = tmp_path / "pgpass"
            f.write_text(f"127.0.0.1:{port}:*:{role.name}:{password}\n")
            f.chmod(0o600)
            monkeypatch.setenv("PGPASSFILE", str(f))
            return Case([base], password)
        monkeypatch.setattr(getpass, "getpass", lambda prompt="Password: ": password)
        # a prompt needs a terminal (stdin here); without one -W is a usage error
        monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
        if source == "prompt-W":
            return Case([base, "-W"], password)
        # no password given: the auth failure leads to a prompt
        return Case([base], password)

    return build


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("outcome", OUTCOMES)
@pytest.mark.parametrize("source", SOURCES)
def test_password_never_in_cli_output(
    case_for: Callable[[str, str], Case],
    source: str,
    outcome: str,
    fmt: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    case = case_for(source, outcome)
    caplog.set_level(logging.DEBUG)
    code = main(["inventory", *case.argv, "--format", fmt])
    out, err = capsys.readouterr()
    everything = out + err + caplog.text
    assert case.password not in everything
    assert quote(case.password, safe="") not in everything
    if outcome == "ok":
        assert code == 0, err
        assert out  # something was printed, so the search above is not vacuous
    else:
        assert code == 2
        lines = err.strip().splitlines()
        title = "Database missing" if outcome == "wrong-db" else "Authentication failed"
        if source.startswith("prompt") and outcome == "wrong-password":
            # on a terminal a wrong password is reported and asked again (3 prompts)
            assert len(lines) in (3, 4), err
        else:
            assert len(lines) == 1, err
        assert all(line.startswith(title + ": ") for line in lines), err


def _exception_texts(exc: BaseException) -> str:
    texts = []
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        texts += [str(e), repr(e), repr(e.args)]
        if isinstance(e, PgvtuiError):
            texts.append(e.one_line())
        # what a traceback would print: the cause, or the context unless ``from None``
        e = e.__cause__ or (None if e.__suppress_context__ else e.__context__)
    return "\n".join(texts)


@pytest.mark.parametrize("outcome", OUTCOMES)
async def test_password_never_in_session_or_exception(
    roles: Roles, target: Target, outcome: str, no_pg_env: None
) -> None:
    role = roles.monitor
    password = role.password if outcome != "wrong-password" else "Zq7-bad-" + role.password
    dbname = target.dbname if outcome != "wrong-db" else "pgvtui_missing_db"
    port = _port(target)
    dsn = f"host=127.0.0.1 port={port} user={role.name} dbname={dbname} password={password}"
    try:
        session = await connect(dsn, prompt=None)
    except PgvtuiError as exc:
        assert outcome != "ok"
        assert password not in _exception_texts(exc)
        return
    try:
        assert outcome == "ok"
        shown = " ".join(
            [session.display, session.short, repr(session.basics), repr(session.options)]
        )
        assert password not in shown
        assert "password=********" in session.display  # it is there, masked
        # a server error raised later in the session is scrubbed too
        with pytest.raises(PgvtuiError) as info:
            async with session.read_only() as cur:
                await cur.execute(f'SELECT 1/0 AS "{password}"')
        # the column alias is not in the error text; a message quoting it must still be clean
        assert password not in _exception_texts(info.value)
        with pytest.raises(PgvtuiError) as info2:
            async with session.read_only() as cur:
                await cur.execute(f'SELECT * FROM "{password}"')
        text = _exception_texts(info2.value)
        assert password not in text and "********" in text
    finally:
        await session.close()


async def test_reconnect_keeps_password_out(roles: Roles, no_pg_env: None) -> None:
    session = await connect(roles.monitor.dsn, prompt=None)
    fresh = await session.reconnect()
    try:
        assert roles.monitor.password not in fresh.display
    finally:
        await session.close()
        await fresh.close()


EVERY_COMMAND = {
    "check-catalog": ["check", "--fail-on", "never"],
    "check-query": ["check", "--sql", "SELECT id FROM items ORDER BY emb <-> '[1,2,3]' LIMIT 3"],
    "check-query-error": ["check", "--sql", "SELECT no_such_column FROM items"],
    "check-vector-from": [
        "check", "--sql", "SELECT id FROM items ORDER BY emb <-> $1 LIMIT 3",
        "--vector-from", "items.emb:3",
    ],
    "residency": ["residency"],
    "recall": ["recall", "--index", "items_emb_hnsw", "--queries", "3", "--ef-search", "20"],
}  # fmt: skip


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("command", list(EVERY_COMMAND))
@pytest.mark.parametrize("outcome", ["ok", "wrong-db"])
def test_password_never_in_any_command_output(
    roles: Roles,
    target: Target,
    command: str,
    outcome: str,
    fmt: str,
    no_pg_env: None,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    role = roles.monitor
    dbname = target.dbname if outcome == "ok" else "pgvtui_missing_db"
    port = _port(target)
    uri = f"postgresql://{role.name}:{quote(role.password, safe='')}@127.0.0.1:{port}/{dbname}"
    caplog.set_level(logging.DEBUG)
    code = main([*EVERY_COMMAND[command], uri, "--format", fmt])
    out, err = capsys.readouterr()
    assert role.password not in out + err + caplog.text
    assert code in ((0, 1) if outcome == "ok" and command != "check-query-error" else (2,)), err
    assert out or err  # something was written, so the search above is not vacuous
