"""Async engines and sessions for SQLite (embedded default) and PostgreSQL (at scale)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import Connection, event, text
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")

#: How long a SQLite writer waits for another process's lock before failing, in ms.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: SQLite's own checkpoint, in the committing request, only past this many WAL pages (40 MiB
#: of 4 KiB pages): the server checkpoints in the background (``db.checkpoint``)
SQLITE_AUTOCHECKPOINT_PAGES = 10_000


def async_url(url: str) -> str:
    """Pick the async driver for a URL given without one (``sqlite://``, ``postgresql://``)."""
    u = make_url(url)
    if u.drivername == "sqlite":
        u = u.set(drivername="sqlite+aiosqlite")
    elif u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+asyncpg")
    return u.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    url = async_url(url)
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_PAGES}")
    cur.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


class SyncSessions:
    """Units of database work as plain synchronous code (a function of a
    :class:`~sqlalchemy.orm.Session`), for the hot paths of the API.

    On SQLite a unit runs in a worker thread on a synchronous engine of the same file (the
    same pragmas), so its statements cost one thread hop together instead of aiosqlite's hop
    to its connection thread and back for every statement (measured: a nine-statement read
    7.7 ms through aiosqlite, 1.8 ms in one hop). Elsewhere (asyncpg is natively async: there
    are no thread hops to save) it runs through :meth:`AsyncSession.run_sync` on the
    asynchronous engine. A unit must not block on anything but the database and must commit
    what it writes; its session is closed (rolled back) after it either way, and its objects
    stay loaded (``expire_on_commit=False``, as for the asynchronous sessions).

    :meth:`run` runs one unit from the event loop; :meth:`read` a read-only one, which on a
    SQLite database in WAL mode runs on the event loop itself (see :meth:`read`);
    :meth:`blocking` runs a job that mixes blocking work (files) with units (:meth:`call`)
    in a worker thread: on SQLite the whole job is one hop, elsewhere each unit goes back to
    the event loop.
    A small job can run on the event loop itself (``blocking(job, inline=True)``, see
    there).
    """

    def __init__(self, engine: AsyncEngine, threads: int = 8):
        self._engine = engine
        self._async = async_sessionmaker(engine, expire_on_commit=False)
        self._sync: sessionmaker[Session] | None = None
        self._inline: sessionmaker[Session] | None = None
        self._inline_ok: bool | None = None  # WAL mode: known at the first read
        self._writer: sessionmaker[Session] | None = None  # jobs on the event loop
        self._here = threading.local()  # .inline: this thread runs a job on the loop
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="openi-db")
        self._loop: asyncio.AbstractEventLoop | None = None
        url = engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            file_url = url.set(drivername="sqlite")
            sync = create_sync_engine(
                file_url,
                connect_args={
                    "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                    "check_same_thread": False,  # pooled: any worker thread may take it
                },
                pool_size=threads,  # a thread holds at most one at a time
                max_overflow=0,
            )
            event.listen(sync, "connect", _sqlite_pragmas)
            self._sync = sessionmaker(sync, expire_on_commit=False)
            # reads on the event loop: one connection (a unit never awaits, so never two at
            # once) that cannot write and never waits for a lock
            inline = create_sync_engine(
                file_url,
                connect_args={"timeout": 0, "check_same_thread": False},
                pool_size=1,
                max_overflow=0,
            )
            event.listen(inline, "connect", _sqlite_reader_pragmas)
            self._inline = sessionmaker(inline, expire_on_commit=False)
            # jobs on the event loop: one connection (a job there runs to its end before
            # the loop does anything else) that writes but never waits for a lock
            writer = create_sync_engine(
                file_url,
                connect_args={"timeout": 0, "check_same_thread": False},
                pool_size=1,
                max_overflow=0,
            )
            event.listen(writer, "connect", _sqlite_pragmas)
            event.listen(writer, "connect", _never_wait)
            self._writer = sessionmaker(writer, expire_on_commit=False)

    async def run(self, fn: Callable[[Session], T]) -> T:
        """One unit of work, from the event loop."""
        if self._sync is None:
            async with self._async() as session:
                return await session.run_sync(fn)
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._unit, fn)

    async def read(self, fn: Callable[[Session], T]) -> T:
        """One read-only unit, from the event loop. On SQLite in WAL mode it runs right
        here: a reader there never waits for a writer, and this connection never waits for
        a lock at all (``busy_timeout`` 0; a busy database, e.g. during WAL recovery, sends
        the unit to a worker thread instead), so the loop is held only for the unit's own
        work (well under a millisecond for the registry's reads: an indexed statement or
        two), and the request saves the two thread wake-ups of a hop, which cost more than
        that on an idle machine (measured: a version by reference 4.95 → 3.79 ms p50 with
        10 ms between requests). ``query_only`` makes a unit that tries to write fail."""
        if self._inline is not None and self._wal_mode():
            try:
                with self._inline() as session:
                    return fn(session)
            except OperationalError as exc:
                if not _busy(exc):
                    raise
        return await self.run(fn)

    def _wal_mode(self) -> bool:
        """Whether the file is in WAL mode (asked once): readers never wait for writers."""
        if self._inline_ok is None:
            self._inline_ok = self._wal()
        return self._inline_ok

    def _wal(self) -> bool:
        assert self._inline is not None
        try:
            with self._inline() as session:
                return str(session.scalar(text("PRAGMA journal_mode"))).lower() == "wal"
        except OperationalError:
            return False

    async def blocking(self, job: Callable[[], T], *, inline: bool = False) -> T:
        """A blocking job in a worker thread; it reaches the database through :meth:`call`.

        ``inline``: the caller vouches that the job's other blocking work is small (a few
        KiB written to local files, no network). On a SQLite file in WAL mode the job then
        runs right here on the event loop, its units on a connection that never waits for
        a lock (``busy_timeout`` 0; a commit in WAL mode does not sync), so the loop is held
        only for the job's own work: for a registry import ~0.8 ms, which saves the two
        thread wake-ups of a hop, worth more than that on an idle machine (measured: creates
        5 ms apart, p50 3.1 → 2.7 ms). A unit that would wait for a lock, or a
        :meth:`pause`, raises :class:`WouldBlock` in the job, which runs again from its start
        in a worker thread: a job that may be run inline must be safe to run again after a
        failure."""
        self._loop = asyncio.get_running_loop()
        if inline and self._writer is not None and self._wal_mode():
            self._here.inline = True
            try:
                return job()
            except WouldBlock:
                pass  # run again where waiting is fine
            finally:
                self._here.inline = False
        return await self._loop.run_in_executor(self._pool, job)

    def pause(self, seconds: float) -> None:
        """Sleep between a job's retries; a job on the event loop goes to a thread instead."""
        if getattr(self._here, "inline", False):
            raise WouldBlock()
        time.sleep(seconds)

    def call(self, fn: Callable[[Session], T]) -> T:
        """One unit of work from inside a :meth:`blocking` job (never from the event loop)."""
        if self._sync is not None:
            return self._unit(fn)
        assert self._loop is not None, "call() belongs in a job run by blocking()"
        return asyncio.run_coroutine_threadsafe(self.run(fn), self._loop).result()

    def call_on_connection(self, fn: Callable[[Connection], T]) -> T:
        """:meth:`call` for a unit of Core statements only: on a bare connection, which
        saves the session's own bookkeeping (about a third of a one-statement unit here).
        The unit commits what it writes (``conn.commit()``); the rest is rolled back."""
        if self._sync is not None:
            maker = self._maker()
            try:
                with maker.kw["bind"].connect() as conn:
                    return fn(conn)
            except OperationalError as exc:
                if self._met_lock_here(exc):
                    raise WouldBlock() from exc
                raise
        assert self._loop is not None, "call_on_connection() belongs in a blocking() job"
        return asyncio.run_coroutine_threadsafe(self._run_on_connection(fn), self._loop).result()

    def _maker(self) -> sessionmaker[Session]:
        """The job's engine: the never-waiting one for a job on the event loop."""
        if getattr(self._here, "inline", False):
            assert self._writer is not None
            return self._writer
        assert self._sync is not None
        return self._sync

    def _met_lock_here(self, exc: OperationalError) -> bool:
        """A lock met by a job on the event loop (it becomes :class:`WouldBlock`)."""
        return bool(getattr(self._here, "inline", False)) and _busy(exc)

    async def _run_on_connection(self, fn: Callable[[Connection], T]) -> T:
        async with self._engine.connect() as conn:
            return await conn.run_sync(fn)

    def _unit(self, fn: Callable[[Session], T]) -> T:
        try:
            with self._maker()() as session:
                return fn(session)
        except OperationalError as exc:
            if self._met_lock_here(exc):
                raise WouldBlock() from exc
            raise

    def dispose(self) -> None:
        # no waiting: on PostgreSQL a running job may wait for this very event loop
        self._pool.shutdown(wait=False, cancel_futures=True)
        for maker in (self._sync, self._inline, self._writer):
            if maker is not None:
                maker.kw["bind"].dispose()


class WouldBlock(Exception):
    """A job on the event loop met something it would have to wait for (see
    :meth:`SyncSessions.blocking`); it runs again in a worker thread."""


def _never_wait(dbapi_conn: Any, _record: Any) -> None:
    """The event loop's writer: no waiting for a lock, and no checkpoint in its commits
    (SQLite's own would copy up to 40 MiB and sync, on the loop, if the background
    checkpointer fell behind)."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=0")
    cur.execute("PRAGMA wal_autocheckpoint=0")
    cur.close()


def _sqlite_reader_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=0")
    cur.execute("PRAGMA query_only=1")
    cur.close()


def _busy(exc: OperationalError) -> bool:
    """SQLite's SQLITE_BUSY/SQLITE_LOCKED ("database is locked", "… is busy")."""
    text_ = str(exc.orig).lower()
    return "locked" in text_ or "busy" in text_
