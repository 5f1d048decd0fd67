"""Password prompts as psql does them: on a terminal a wrong password is reported and asked
again (driven through a real pseudo-terminal); without a terminal ``-W`` is a one-line usage
error (exit 2), not "Internal error: EOFError"."""

from __future__ import annotations

import os
import pty
import secrets
import select
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).parents[2]


@pytest.fixture
def role(dsn: str, admin: psycopg.Connection) -> Iterator[tuple[str, str]]:
    """(conninfo without a password over TCP, the password) for a login that needs one."""
    admin.execute("CREATE TABLE items (id int PRIMARY KEY, emb vector(3))")
    admin.execute("CREATE INDEX items_emb_hnsw ON items USING hnsw (emb vector_l2_ops)")
    name = f"pgvtui_w14c_pw_{uuid.uuid4().hex[:6]}"
    password = "pw-" + secrets.token_hex(8)
    ident = sql.Identifier(name)
    admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(ident, sql.Literal(password)))
    admin.execute(sql.SQL("GRANT SELECT ON items TO {}").format(ident))
    params = {k: str(v) for k, v in psycopg.conninfo.conninfo_to_dict(dsn).items()}
    params.update(user=name, host="127.0.0.1")
    params.pop("password", None)
    yield psycopg.conninfo.make_conninfo("", **params), password
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (name,)
    )
    admin.execute(sql.SQL("DROP OWNED BY {}").format(ident))
    admin.execute(sql.SQL("DROP ROLE {}").format(ident))


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG") or k == "PGVTUI"}
    empty = tmp_path / "empty.pgpass"
    empty.write_text("")
    empty.chmod(0o600)
    env.update(PYTHONPATH=str(ROOT), PGPASSFILE=str(empty), PGVTUI_CONFIG=str(tmp_path / "none"))
    env.update(NO_COLOR="1", TERM="dumb", PAGER="")  # the report must not wait in a pager
    return env


def _read_until(
    fd: int, needle: bytes, seen: bytearray, count: int = 1, timeout: float = 60
) -> None:
    """Read the terminal into ``seen`` until ``needle`` occurs ``count`` times."""
    deadline = time.monotonic() + timeout
    while seen.count(needle) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no {needle!r} in {bytes(seen)!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"EOF before {needle!r} in {bytes(seen)!r}")
            seen += chunk


def _reap(pid: int, timeout: float = 60) -> int:
    """The child's exit status; a child still running after ``timeout`` is killed (a test
    must fail, not hang)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return os.waitpid(pid, 0)[1]


def _drain(fd: int, seen: bytearray, timeout: float = 60) -> None:
    """Read until the child closes the terminal (or ``timeout``: then _reap kills it)."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        if not select.select([fd], [], [], left)[0]:
            return
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return
        if not chunk:
            return
        seen += chunk


def test_wrong_password_on_a_terminal_asks_again(role: tuple[str, str], tmp_path: Path) -> None:
    conninfo, password = role
    env = _env(tmp_path)
    pid, fd = pty.fork()
    if pid == 0:  # the child: pgvtui with the pty as its controlling terminal
        os.execve(sys.executable, [sys.executable, "-m", "pgvtui", "inventory", conninfo], env)
    seen = bytearray()
    try:
        _read_until(fd, b"Password: ", seen)
        os.write(fd, b"not-the-password\n")
        _read_until(fd, b"Authentication failed", seen)
        start = len(seen)
        _read_until(fd, b"Password: ", seen, count=2)
        os.write(fd, password.encode() + b"\n")
        _read_until(fd, b"items_emb_hnsw", seen)
        _drain(fd, seen)
    finally:
        status = _reap(pid)
        os.close(fd)
    text = seen.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "password authentication failed" in text[:start]
    assert password not in text and "not-the-password" not in text  # no echo, no leak


def test_gives_up_after_three_prompts(role: tuple[str, str], tmp_path: Path) -> None:
    conninfo, _ = role
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(
            sys.executable, [sys.executable, "-m", "pgvtui", "inventory", conninfo], _env(tmp_path)
        )
    seen = bytearray()
    try:
        for n in range(1, 4):
            _read_until(fd, b"Password: ", seen, count=n)
            os.write(fd, b"wrong\n")
            _read_until(fd, b"Authentication failed", seen, count=n)
        _drain(fd, seen)
    finally:
        status = _reap(pid)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 2
    assert seen.count(b"Password: ") == 3, bytes(seen)  # asked three times, then gave up


def test_dash_w_without_a_terminal_is_a_usage_error(role: tuple[str, str], tmp_path: Path) -> None:
    conninfo, _ = role
    proc = subprocess.run(
        [sys.executable, "-m", "pgvtui", "inventory", conninfo, "-W"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        start_new_session=True,  # no controlling terminal
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("Usage error: -W/--password needs a terminal")
    assert proc.stderr.count("\n") == 1 and "Internal error" not in proc.stderr


def test_server_asking_for_a_password_without_a_terminal_does_not_prompt(
    role: tuple[str, str], tmp_path: Path
) -> None:
    conninfo, _ = role
    proc = subprocess.run(
        [sys.executable, "-m", "pgvtui", "inventory", conninfo],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        start_new_session=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("Authentication failed:")
    assert "no password supplied" in proc.stderr and proc.stderr.count("\n") == 1
    assert "Password" not in proc.stdout + proc.stderr.replace("password supplied", "")
