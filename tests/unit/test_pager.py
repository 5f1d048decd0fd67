"""Long text output on a terminal goes through the pager (as psql's); never into a pipe, and
not with --no-pager or ``no_pager = true``. Driven through a real pseudo-terminal at 80×24."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
# estimate's what-if table does not fit 80 columns: records, far more than 24 lines
ESTIMATE = ["estimate", "--method", "hnsw", "--type", "vector", "--dims", "1536", "--rows", "1e6"]
PAGER = "sed s/^/PAGED:/"


def _env(tmp_path: Path, config: str = "") -> dict[str, str]:
    cfg = tmp_path / "config.toml"
    cfg.write_text(config)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(PYTHONPATH=str(ROOT), PGVTUI_CONFIG=str(cfg), PAGER=PAGER, TERM="dumb")
    env["NO_COLOR"] = "1"
    return env


def _on_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    pid, fd = pty.fork()
    if pid == 0:  # child: an 80×24 terminal
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.execve(sys.executable, [sys.executable, "-m", "pgvtui", *argv], env)
    out = _read_all(fd, pid)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def _read_all(fd: int, pid: int, timeout: float = 60) -> bytes:
    """Everything the child writes until it closes the terminal; a child still running after
    ``timeout`` (say, waiting in a pager) is killed, so the test fails instead of hanging."""
    out = bytearray()
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        if not select.select([fd], [], [], left)[0]:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO once the child has closed the terminal
            return bytes(out)
        if not chunk:
            return bytes(out)
        out += chunk
    os.kill(pid, signal.SIGKILL)
    return bytes(out)


def test_long_output_on_a_terminal_is_paged(tmp_path: Path) -> None:
    rc, out = _on_terminal(ESTIMATE, _env(tmp_path))
    assert rc == 0, out
    assert "PAGED:-[ RECORD 1 ]" in out.replace("\r\n", "\n")
    assert "PAGED:variant      | as given" in out.replace("\r\n", "\n")


@pytest.mark.parametrize(
    ("extra", "config"), [(["--no-pager"], ""), ([], "no_pager = true\n"), ([], 'pager = ""')]
)
def test_pager_turned_off(tmp_path: Path, extra: list[str], config: str) -> None:
    env = _env(tmp_path, config)
    if config.startswith("pager"):  # an empty pager in the config is an error, not "off"
        rc, out = _on_terminal([*ESTIMATE, *extra], env)
        assert rc == 2 and "pager: must not be empty" in out
        return
    rc, out = _on_terminal([*ESTIMATE, *extra], env)
    assert rc == 0
    assert "PAGED:" not in out and "-[ RECORD 1 ]" in out


def test_config_pager_wins_over_env(tmp_path: Path) -> None:
    rc, out = _on_terminal(ESTIMATE, _env(tmp_path, 'pager = "sed s/^/CFG:/"\n'))
    assert rc == 0 and "CFG:index size" in out and "PAGED:" not in out


def test_no_pager_when_the_terminal_reports_no_size(tmp_path: Path) -> None:
    """A pty nobody sized (0×0): print, do not start a pager that would wait for a reader."""
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 0, 0, 0, 0))
        os.execve(sys.executable, [sys.executable, "-m", "pgvtui", *ESTIMATE], _env(tmp_path))
    out = _read_all(fd, pid)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"PAGED:" not in out and b"index size" in out


def test_never_paged_into_a_pipe(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pgvtui", *ESTIMATE],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=60,
    )
    assert proc.returncode == 0
    assert "PAGED:" not in proc.stdout and "index size" in proc.stdout
