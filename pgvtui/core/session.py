"""The async database session: safety settings, typed queries, read-only transactions, cancel.

Every connection is opened with ``application_name=pgvtui``, ``default_transaction_read_only=on``,
``statement_timeout`` and ``lock_timeout`` passed as startup options (no extra round trips).
pgvector's types are registered from one set-up query, which also identifies the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import itertools
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pgerr
from psycopg import sql, waiting
from psycopg.rows import class_row, dict_row
from psycopg.types import TypeInfo

from pgvtui.core import conninfo as ci
from pgvtui.core import sql as sqlfiles
from pgvtui.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    ConnectionLost,
    ExtensionMissing,
    PermissionDenied,
    PgvtuiError,
    QueryCancelled,
    QueryFailed,
    QueryTimeout,
    ServerNotResponding,
    ServerTooOld,
    UnsafeSession,
)

T = TypeVar("T")

MIN_SERVER_VERSION = 130000
DEFAULT_STATEMENT_TIMEOUT_MS = 30_000
DEFAULT_LOCK_TIMEOUT_MS = 1_000
CANCEL_GRACE_S = 1.5
"""After a cancel request, how long the server has to answer before the connection is abandoned
(Esc / Ctrl-C return control within about this long, whatever the server does)."""
CLIENT_TIMEOUT_GRACE_S = 2.0
"""``statement_timeout`` is also enforced on the client, this much later than the server should
have enforced it (a stopped backend cannot time itself out)."""
ABANDONED = "server not responding — connection abandoned"


@dataclass(frozen=True)
class ServerBasics:
    version_num: int
    version: str
    database: str
    user: str
    is_superuser: bool
    pgvector_version: str | None
    pgvector_available: str | None
    vector_schema: str | None
    backend_pid: int


def version_tuple(version: str | None) -> tuple[int, ...]:
    """``"0.8.1"`` → ``(0, 8, 1)``; unparsable parts end the tuple (``None`` → ``()``)."""
    out: list[int] = []
    for part in (version or "").split("."):
        digits = "".join(itertools.takewhile(str.isdigit, part))
        if not digits:
            break
        out.append(int(digits))
    return tuple(out)


def version_text(version: tuple[int, ...]) -> str:
    """``(0, 8, 1)`` → ``"0.8.1"``."""
    return ".".join(map(str, version))


# What older pgvector releases lack (CHANGELOG): connect anyway, say so once, and let inventory,
# rules and search degrade; a query that names a missing type gets the reason as its hint.
PGVECTOR_FEATURES: tuple[tuple[tuple[int, ...], str], ...] = (
    ((0, 5, 0), "HNSW indexes"),
    ((0, 7, 0), "the halfvec, sparsevec and bit types and their indexes"),
)
NEWER_TYPES = ("halfvec", "sparsevec")


def pgvector_warnings(version: str | None) -> list[str]:
    """One line per feature the installed pgvector ``version`` does not have."""
    if not version:
        return []
    have = version_tuple(version)
    return [
        f"pgvector {version} is installed; {what} need {version_text(need)} or newer"
        for need, what in PGVECTOR_FEATURES
        if have < need
    ]


@dataclass(frozen=True)
class SessionOptions:
    statement_timeout_ms: int = DEFAULT_STATEMENT_TIMEOUT_MS
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS
    read_only: bool = True
    require_vector: bool = True
    connect_timeout_s: int = 10


class ServerNotAnswering(psycopg.OperationalError):
    """The server did not answer a cancel request within the grace period and the connection was
    abandoned (raised where the statement's result would have been)."""

    def __init__(self) -> None:
        super().__init__(ABANDONED)


class ClientTimeout(pgerr.QueryCanceled):
    """The statement outlived ``statement_timeout`` plus a grace period on the client's clock,
    and the server then answered the cancel."""

    def __init__(self) -> None:
        super().__init__("canceling statement due to statement timeout (enforced by the client)")


class GuardedConnection(psycopg.AsyncConnection[Any]):
    """An ``AsyncConnection`` that never waits on a server that does not answer.

    psycopg funnels every statement through :meth:`wait`. Here, when that wait is interrupted
    (Ctrl-C, a cancelled task) or outlives the client-side deadline, the connection sends a
    cancel request and gives the server :data:`CANCEL_GRACE_S` to answer; a server that does
    not (a stopped backend, a frozen VM) gets its connection abandoned: the socket is shut down
    and closed, and the statement fails with :class:`ServerNotAnswering`. :meth:`interrupt` does
    the same from another task (the TUI's Esc). psycopg itself waits 5 s + 5 s here.
    """

    client_timeout_s: float | None = None
    grace_s: float = CANCEL_GRACE_S
    abandoned: bool = False
    _busy: int = 0
    _started: int = 0  # waits begun and ended (statements on one connection run one at a time)
    _ended: int = 0
    _ended_event: asyncio.Event | None = None

    async def wait(
        self,
        gen: Any,
        interval: float = 0.1,
        timeout: float | None = None,  # noqa: ASYNC109 - psycopg's signature
    ) -> Any:
        if self.abandoned:
            raise ServerNotAnswering()
        limit = self.client_timeout_s
        ours = limit is not None and (timeout is None or limit < timeout)
        self._busy += 1
        self._started += 1
        try:
            try:
                return await waiting.wait_async(
                    gen, self.pgconn.socket, interval=interval, timeout=limit if ours else timeout
                )
            except pgerr._WaitTimeout:
                if not ours:
                    raise
                try:
                    return await self._stop(gen, interval)  # the result came in the grace
                except pgerr.QueryCanceled:
                    raise ClientTimeout() from None
            except (asyncio.CancelledError, KeyboardInterrupt):
                if self.pgconn.transaction_status == psycopg.pq.TransactionStatus.ACTIVE:
                    with contextlib.suppress(pgerr.QueryCanceled):
                        await self._stop(gen, interval)
                raise
            except psycopg.Error:
                if self.abandoned:
                    self._close_abandoned()
                    raise ServerNotAnswering() from None
                raise
        finally:
            self._busy -= 1
            self._ended += 1
            if self._ended_event is not None:
                self._ended_event.set()

    async def _stop(self, gen: Any, interval: float) -> Any:
        """Cancel the statement ``gen`` is waiting for; drive ``gen`` for the grace period (the
        server answers with QueryCanceled, or the result); else abandon the connection."""
        canceller = asyncio.ensure_future(self.cancel_safe(timeout=self.grace_s))
        try:
            return await waiting.wait_async(
                gen, self.pgconn.socket, interval=interval, timeout=self.grace_s
            )
        except pgerr._WaitTimeout:
            self.abandoned = True
            self._close_abandoned()
            raise ServerNotAnswering() from None
        except BaseException as exc:  # interrupted again, or the cancel failed on the way
            if not isinstance(exc, psycopg.Error) or self.abandoned:
                self.abandoned = True
                self._close_abandoned()
                if isinstance(exc, Exception):
                    raise ServerNotAnswering() from None
            raise
        finally:
            if canceller.done():
                with contextlib.suppress(BaseException):
                    canceller.result()
            else:
                canceller.cancel()

    async def interrupt(self) -> None:
        """From another task: cancel the running statement; if the statement still runs after the
        grace period, abandon the connection (the waiting task then fails promptly)."""
        if self.closed or self.abandoned:
            return
        deadline = time.monotonic() + self.grace_s
        running = self._started if self._busy else None  # the statement to stop
        with contextlib.suppress(psycopg.Error, OSError, asyncio.TimeoutError):
            await asyncio.wait_for(self.cancel_safe(timeout=self.grace_s), self.grace_s)
        if running is None:
            return
        self._ended_event = event = asyncio.Event()
        while self._ended < running and (left := deadline - time.monotonic()) > 0:
            event.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(event.wait(), left)
        if self._ended < running:
            self.abandon()

    def abandon(self) -> None:
        """Give up on the connection: shut its socket down (a task waiting on it wakes up and
        fails with :class:`ServerNotAnswering`); closed at once when nothing waits on it."""
        if self.abandoned or self.closed:
            return
        self.abandoned = True
        with contextlib.suppress(OSError, psycopg.Error):
            fd = os.dup(self.pgconn.socket)
            with socket.socket(fileno=fd) as sock:
                sock.shutdown(socket.SHUT_RDWR)
        if not self._busy:
            self._close_abandoned()

    def _close_abandoned(self) -> None:
        with contextlib.suppress(Exception):
            self.pgconn.finish()


def map_error(exc: BaseException, passwords: Sequence[str | None] = ()) -> PgvtuiError:
    """A psycopg error → a typed error with a one-line, password-free message."""
    if isinstance(exc, PgvtuiError):
        return exc
    if isinstance(exc, ServerNotAnswering):
        return ServerNotResponding(ABANDONED, hint=_grace_hint())
    raw = str(exc).strip()
    first = raw.splitlines()[0] if raw else type(exc).__name__
    # psycopg prefixes every failed connect with this; the title says it already
    first = first.removeprefix("connection failed: ")
    msg = ci.redact_message(first, *passwords)
    diag = getattr(exc, "diag", None)
    hint = getattr(diag, "message_hint", None) if diag is not None else None
    hint = ci.redact_message(hint, *passwords) if hint else None
    if isinstance(exc, pgerr.QueryCanceled):
        if "statement timeout" in raw:
            return QueryTimeout(
                "the statement ran longer than statement_timeout",
                hint="raise it with --statement-timeout",
            )
        if "lock timeout" in raw:
            return QueryTimeout("waited longer than lock_timeout for a lock", title="Lock timeout")
        return QueryCancelled("the query was cancelled")
    if isinstance(exc, pgerr.LockNotAvailable):
        return QueryTimeout("waited longer than lock_timeout for a lock", title="Lock timeout")
    if isinstance(exc, pgerr.InsufficientPrivilege):
        return PermissionDenied(msg, hint=hint)
    if isinstance(exc, pgerr.ReadOnlySqlTransaction):
        return QueryFailed(
            "the statement tries to write; pgvtui runs everything in a read-only transaction",
            title="Write refused",
        )
    if isinstance(exc, pgerr.AdminShutdown | pgerr.CrashShutdown | pgerr.ConnectionFailure):
        return ConnectionLost(msg or "the server closed the connection", hint="reconnect")
    state = getattr(exc, "sqlstate", None)
    if isinstance(exc, psycopg.Error) and state:
        return _server_error(state, msg, hint)
    if isinstance(exc, psycopg.OperationalError):
        low = raw.lower()
        if "password authentication failed" in low or "no password supplied" in low:
            return AuthenticationFailed(msg)
        if "does not exist" in low and "database" in low:
            return ConnectionFailed(msg, title="Database missing")
        if "role" in low and "does not exist" in low:
            return AuthenticationFailed(msg)
        if any(
            s in low
            for s in (
                "connection refused",
                "could not translate host",
                "timeout",
                "no such file or directory",
                "network is unreachable",
                "could not connect",
                "connection to server",
            )
        ):
            if "server closed the connection" in low or "terminating connection" in low:
                return ConnectionLost(msg, hint="reconnect")
            return ConnectionFailed(msg)
        if "consuming input failed" in low or "server closed" in low or "terminat" in low:
            return ConnectionLost(msg, hint="reconnect")
        return ConnectionFailed(msg)
    if isinstance(exc, psycopg.Error):
        return QueryFailed(msg, hint=hint)
    return QueryFailed(msg)


# SQLSTATEs (PostgreSQL, Appendix A) that say the session, not the statement, is gone.
_SESSION_ENDED = ("57P01", "57P02", "57P04", "57P05", "25P03")


def _server_error(state: str, msg: str, hint: str | None) -> PgvtuiError:
    """An error the server sent back, by its SQLSTATE: a statement's error (e.g. pgvector's
    ``vector cannot have more than 16000 dimensions``, 54000, which psycopg files under
    OperationalError) is a query error; only the connection classes are connection errors."""
    if state.startswith("08") or state in _SESSION_ENDED:
        return ConnectionLost(msg, hint="reconnect")
    if state == "57P03":  # the server is starting up or shutting down
        return ConnectionFailed(msg)
    if state.startswith("28"):
        return AuthenticationFailed(msg)
    if state == "3D000":
        return ConnectionFailed(msg, title="Database missing")
    err = QueryFailed(msg, hint=hint)
    err.sqlstate = state
    return err


def _grace_hint() -> str:
    return f"no answer within {CANCEL_GRACE_S:g} s of the cancel request; reconnect"


def _executable(query: str | sql.Composable) -> sql.SQL | sql.Composed:
    """A .sql file name or any composed query → what ``cursor.execute`` accepts."""
    if isinstance(query, str):
        return sqlfiles.query(query)
    if isinstance(query, sql.SQL | sql.Composed):
        return query
    return sql.Composed([query])


def _startup_options(existing: str | None, opts: SessionOptions) -> str:
    parts = [existing] if existing else []
    parts += [
        f"-c statement_timeout={int(opts.statement_timeout_ms)}",
        f"-c lock_timeout={int(opts.lock_timeout_ms)}",
        "-c idle_in_transaction_session_timeout=60000",
        # The guard reads SQL with PostgreSQL's scanner as standard_conforming_strings = on
        # ('\\' is one backslash); pinned here so the server reads it the same way.
        "-c standard_conforming_strings=on",
    ]
    if opts.read_only:
        parts.append("-c default_transaction_read_only=on")
    return " ".join(parts)


class Session:
    """One async connection with pgvtui's safety settings. Use :func:`connect`."""

    def __init__(
        self,
        conn: psycopg.AsyncConnection[Any],
        conninfo: str,
        basics: ServerBasics,
        options: SessionOptions,
        passwords: tuple[str, ...],
    ) -> None:
        self.conn = conn
        self._conninfo = conninfo
        self.basics = basics
        self.options = options
        self._passwords = passwords
        self.statements = 1  # the set-up query
        self.display = ci.redact(conninfo)
        params = ci.parse(conninfo)
        params.setdefault("user", basics.user)
        params.setdefault("dbname", basics.database)
        self.short = ci.describe(params)
        self.warnings: tuple[str, ...] = tuple(pgvector_warnings(basics.pgvector_version))

    def vector_type(self) -> sql.Composable:
        """The schema-qualified ``vector`` type, for the ``NULL::vector`` that loads pgvector's
        library (its ``hnsw.*``/``ivfflat.*`` settings exist only after that); ``int4`` when
        pgvector is missing, so the same query still runs."""
        schema = self.basics.vector_schema
        if schema and self.basics.pgvector_version:
            return sql.Identifier(schema, "vector")
        return sql.Identifier("pg_catalog", "int4")

    # -- errors ---------------------------------------------------------------------
    def error(self, exc: BaseException) -> PgvtuiError:
        if getattr(self.conn, "abandoned", False) and isinstance(exc, psycopg.Error | OSError):
            return map_error(ServerNotAnswering())
        err = map_error(exc, self._passwords)
        if isinstance(exc, pgerr.UndefinedObject) and err.hint is None:
            version = self.basics.pgvector_version
            text = str(exc)
            for name in NEWER_TYPES:
                if f'type "{name}" does not exist' in text:
                    err.hint = f"{name} needs pgvector 0.7.0 or newer; this database has " + (
                        f"pgvector {version}" if version else "no pgvector"
                    )
        return err

    # -- queries ---------------------------------------------------------------------
    async def fetch(
        self,
        query: str | sql.Composable,
        params: Any = None,
        *,
        row: type[T],
    ) -> list[T]:
        """Run a query (a .sql name or a composed query) and return typed rows."""
        return await self._fetchall(query, params, class_row(row))

    async def fetch_dicts(
        self, query: str | sql.Composable, params: Any = None
    ) -> list[dict[str, Any]]:
        return await self._fetchall(query, params, dict_row)

    async def _fetchall(
        self, query: str | sql.Composable, params: Any, row_factory: Any
    ) -> list[Any]:
        q = _executable(query)
        try:
            async with self.conn.cursor(row_factory=row_factory) as cur:
                self.statements += 1
                await cur.execute(q, params)
                return await cur.fetchall()
        except (psycopg.Error, OSError) as exc:
            raise self.error(exc) from None

    async def fetch_value(self, query: str | sql.Composable, params: Any = None) -> Any:
        rows = await self.fetch_dicts(query, params)
        if not rows:
            return None
        return next(iter(rows[0].values()))

    @contextlib.asynccontextmanager
    async def read_only(self) -> AsyncIterator[psycopg.AsyncCursor[Any]]:
        """``BEGIN READ ONLY`` … ``ROLLBACK`` — always rolled back, also on error or cancel."""
        if self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            await self._rollback_quietly()
        try:
            cur = self.conn.cursor()
            self.statements += 1
            await cur.execute("BEGIN TRANSACTION READ ONLY")
        except (psycopg.Error, OSError) as exc:
            raise self.error(exc) from None
        try:
            yield cur
        except (psycopg.Error, OSError) as exc:
            await self._rollback_quietly()
            raise self.error(exc) from None
        except BaseException:
            await self._rollback_quietly()
            raise
        else:
            await self._rollback_quietly()
        finally:
            await cur.close()

    async def _rollback_quietly(self) -> None:
        if self.conn.closed:
            return
        with contextlib.suppress(psycopg.Error, OSError):
            self.statements += 1
            await self.conn.execute("ROLLBACK")

    def cancel(self) -> None:
        """Ask the server to cancel the running statement (sync: usable from a signal handler
        or another thread; blocks for one short round trip on a separate connection)."""
        if self.conn.closed:
            return
        with contextlib.suppress(psycopg.Error, OSError):
            self.conn.cancel()

    async def cancel_async(self) -> None:
        """Cancel the running statement from another task; a server that does not answer within
        :data:`CANCEL_GRACE_S` gets its connection abandoned (the statement then fails with
        :class:`ServerNotResponding`)."""
        if self.conn.closed:
            return
        conn = self.conn
        if isinstance(conn, GuardedConnection):
            await conn.interrupt()
            return
        with contextlib.suppress(psycopg.Error, OSError):
            await conn.cancel_safe(timeout=CANCEL_GRACE_S)

    @property
    def abandoned(self) -> bool:
        """The connection was given up on (the server did not answer a cancel)."""
        return bool(getattr(self.conn, "abandoned", False))

    @property
    def broken(self) -> bool:
        return self.conn.broken or self.conn.closed

    async def reconnect(self) -> Session:
        """A fresh session with the same options (the caller swaps it in)."""
        with contextlib.suppress(Exception):
            await self.conn.close()
        return await connect(self._conninfo, self.options, prompt=None, _passwords=self._passwords)

    async def sibling(self, options: SessionOptions) -> Session:
        """A second, independent session to the same server and database with other options
        (e.g. ``read_only=False`` for an explicit opt-in such as ``residency --prewarm``).
        The caller closes it."""
        return await connect(self._conninfo, options, prompt=None, _passwords=self._passwords)

    async def close(self) -> None:
        with contextlib.suppress(psycopg.Error, OSError):
            await self.conn.close()


async def _open(conninfo: str, options: SessionOptions) -> psycopg.AsyncConnection[Any]:
    params = ci.parse(conninfo)
    kwargs: dict[str, Any] = {
        "application_name": "pgvtui",
        "options": _startup_options(params.get("options"), options),
        "autocommit": True,
    }
    if "connect_timeout" not in params and "PGCONNECT_TIMEOUT" not in os.environ:
        kwargs["connect_timeout"] = options.connect_timeout_s
    conn = await GuardedConnection.connect(conninfo, **kwargs)
    if options.statement_timeout_ms > 0:
        conn.client_timeout_s = options.statement_timeout_ms / 1000 + CLIENT_TIMEOUT_GRACE_S
    return conn


def check_pinned(conn: psycopg.AsyncConnection[Any]) -> None:
    """Refuse a session whose server did not take the pinned settings (a pooler that drops
    the startup ``options``, say): the guard's reading of SQL depends on them."""
    scs = conn.info.parameter_status("standard_conforming_strings")
    if scs != "on":
        raise UnsafeSession(
            f"the server reports standard_conforming_strings = {scs or 'unknown'}; pgvtui needs "
            "it on (set with the connection's startup options)",
            hint="connect directly, not through a pooler that drops startup options",
        )


async def _setup(conn: psycopg.AsyncConnection[Any]) -> ServerBasics:
    check_pinned(conn)
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(sqlfiles.query("session_setup"))
        row = await cur.fetchone()
    assert row is not None
    types: dict[str, list[int]] = row["vector_types"] or {}
    _register_types(conn, types)
    return ServerBasics(
        version_num=int(row["version_num"]),
        version=str(row["version"]),
        database=str(row["database"]),
        user=str(row["usr"]),
        is_superuser=bool(row["is_superuser"]),
        pgvector_version=row["pgvector_version"],
        pgvector_available=row["pgvector_available"],
        vector_schema=row["vector_schema"],
        backend_pid=int(row["backend_pid"]),
    )


def _register_types(conn: psycopg.AsyncConnection[Any], types: dict[str, list[int]]) -> None:
    """Register pgvector's Python adapters from OIDs we already fetched (no extra queries)."""
    from pgvector.psycopg.bit import register_bit_info
    from pgvector.psycopg.halfvec import register_halfvec_info
    from pgvector.psycopg.sparsevec import register_sparsevec_info
    from pgvector.psycopg.vector import register_vector_info

    registrars: dict[str, Callable[[Any, TypeInfo], None]] = {
        "vector": register_vector_info,
        "halfvec": register_halfvec_info,
        "sparsevec": register_sparsevec_info,
    }
    for name, (oid, array_oid) in types.items():
        if name in registrars:
            registrars[name](conn, TypeInfo(name, oid, array_oid))
    if "vector" in types:
        register_bit_info(conn, TypeInfo("bit", 1560, 1561))


async def connect(
    conninfo: str,
    options: SessionOptions | None = None,
    *,
    prompt: Callable[[str], str] | None = getpass.getpass,
    _passwords: tuple[str, ...] = (),
) -> Session:
    """Open a session. On an authentication failure with no password given, prompt once
    (``prompt``) when stdin is a terminal, as psql does."""
    options = options or SessionOptions()
    passwords = tuple(
        p for p in (*_passwords, ci.password_of(conninfo), os.environ.get("PGPASSWORD")) if p
    )
    try:
        conn = await _open(conninfo, options)
    except psycopg.OperationalError as exc:
        err = map_error(exc, passwords)
        can_prompt = (
            isinstance(err, AuthenticationFailed)
            and "no password supplied" in str(exc)
            and prompt is not None
            and sys.stdin is not None
            and sys.stdin.isatty()
        )
        if not can_prompt:
            raise err from None
        assert prompt is not None
        password = prompt("Password: ")
        passwords = (*passwords, password)
        conninfo_pw = psycopg.conninfo.make_conninfo(conninfo, password=password)
        try:
            conn = await _open(conninfo_pw, options)
        except psycopg.OperationalError as exc2:
            raise map_error(exc2, passwords) from None
        conninfo = conninfo_pw
    try:
        basics = await _setup(conn)
    except psycopg.Error as exc:
        await conn.close()
        raise map_error(exc, passwords) from None
    if basics.version_num < MIN_SERVER_VERSION:
        await conn.close()
        raise ServerTooOld(
            f"PostgreSQL {basics.version} is not supported; pgvtui needs 13 or newer"
        )
    if options.require_vector and basics.pgvector_version is None:
        await conn.close()
        avail = basics.pgvector_available
        raise ExtensionMissing(
            f"the vector extension is not installed in database {basics.database!r}",
            hint=(
                f"CREATE EXTENSION vector;  -- {avail} is available"
                if avail
                else "install pgvector on the server first"
            ),
        )
    return Session(conn, conninfo, basics, options, passwords)
