"""``db.engine.SyncSessions``: units of database work as synchronous code, on both backends."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from openi_lab_server.db.engine import SyncSessions, create_engine


@contextlib.asynccontextmanager
async def units_on(database_url: str) -> AsyncIterator[SyncSessions]:
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE IF NOT EXISTS unit_t (n INTEGER)"))
        await conn.execute(text("DELETE FROM unit_t"))
    db = SyncSessions(engine)
    try:
        yield db
    finally:
        db.dispose()
        async with engine.begin() as conn:
            await conn.execute(text("DROP TABLE unit_t"))
        await engine.dispose()


def _insert(session, n: int) -> None:
    session.execute(text("INSERT INTO unit_t (n) VALUES (:n)"), {"n": n})
    session.commit()


def _count(session) -> int:
    return int(session.scalar(text("SELECT count(*) FROM unit_t")))


async def test_units_write_and_read_what_was_committed(database_url):
    async with units_on(database_url) as units:
        await units.run(lambda s: _insert(s, 1))
        assert await units.read(_count) == 1
        assert await units.run(_count) == 1


async def test_a_blocking_job_runs_off_the_loop_and_reaches_the_database(database_url):
    async with units_on(database_url) as units:
        loop_thread = threading.get_ident()

        def job() -> tuple[int, int]:
            units.call(lambda s: _insert(s, 2))
            return threading.get_ident(), units.call(_count)

        thread, count = await units.blocking(job)
        assert thread != loop_thread and count == 1


async def test_an_uncommitted_unit_leaves_nothing(database_url):
    async with units_on(database_url) as units:

        def half(session) -> None:
            session.execute(text("INSERT INTO unit_t (n) VALUES (3)"))

        await units.run(half)
        assert await units.read(_count) == 0


async def test_a_read_on_sqlite_cannot_write(database_url):
    async with units_on(database_url) as units:
        if not database_url.startswith("sqlite"):
            pytest.skip("reads run on the event loop on SQLite only")
        with pytest.raises(OperationalError):
            await units.read(lambda s: _insert(s, 4))
        assert await units.read(_count) == 0


async def test_a_read_that_finds_sqlite_busy_goes_to_a_worker_thread(database_url):
    async with units_on(database_url) as units:
        if not database_url.startswith("sqlite"):
            pytest.skip("reads run on the event loop on SQLite only")
        loop_thread = threading.get_ident()
        seen: list[int] = []

        def unit(session) -> int:
            seen.append(threading.get_ident())
            if len(seen) == 1:  # the reader on the loop: as if a writer held the database
                raise OperationalError("SELECT", {}, Exception("database is locked"))
            return _count(session)

        assert await units.read(unit) == 0
        assert seen[0] == loop_thread and seen[1] != loop_thread


async def test_concurrent_units_all_commit(database_url):
    async with units_on(database_url) as units:
        await asyncio.gather(*(units.run(lambda s, n=n: _insert(s, n)) for n in range(20)))
        assert await units.read(_count) == 20


async def test_a_small_job_runs_on_the_loop_on_sqlite_and_in_a_thread_elsewhere(database_url):
    async with units_on(database_url) as units:
        loop_thread = threading.get_ident()

        def job() -> int:
            units.call(lambda s: _insert(s, 5))
            units.call_on_connection(lambda c: _insert(c, 6))
            return threading.get_ident()

        ran_on = await units.blocking(job, inline=True)
        assert (ran_on == loop_thread) == database_url.startswith("sqlite")
        assert await units.read(_count) == 2


def _sqlite_only(database_url: str) -> str:
    if not database_url.startswith("sqlite"):
        pytest.skip("jobs run on the event loop on SQLite only")
    return database_url.split("///", 1)[1]


async def test_a_job_on_the_loop_that_meets_a_lock_runs_again_in_a_thread(database_url):
    path = _sqlite_only(database_url)
    async with units_on(database_url) as units:
        loop_thread = threading.get_ident()
        holder = sqlite3.connect(path, timeout=0, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the write lock, as another process would hold it
        ran: list[int] = []

        def job() -> int:
            ran.append(threading.get_ident())
            units.call_on_connection(lambda c: _insert(c, 7))
            return len(ran)

        pending = asyncio.ensure_future(units.blocking(job, inline=True))
        await asyncio.sleep(0.3)  # the loop is free while the job waits for the lock
        assert not pending.done()
        assert await units.read(_count) == 0
        holder.execute("COMMIT")
        holder.close()
        assert await pending == 2  # once on the loop (given up at once), once in a thread
        assert ran[0] == loop_thread and ran[1] != loop_thread
        assert await units.read(_count) == 1


async def test_a_pause_in_a_job_on_the_loop_sends_it_to_a_thread(database_url):
    _sqlite_only(database_url)
    async with units_on(database_url) as units:
        loop_thread = threading.get_ident()
        ran: list[int] = []

        def job() -> int:
            ran.append(threading.get_ident())
            if len(ran) == 1:
                units.pause(0.01)  # a retry's wait: never on the loop
            return ran[-1]

        assert await units.blocking(job, inline=True) != loop_thread
        assert ran[0] == loop_thread


async def test_a_connection_unit_that_fails_or_forgets_to_commit_leaves_nothing(database_url):
    async with units_on(database_url) as units:

        def fails(conn) -> None:
            conn.execute(text("INSERT INTO unit_t (n) VALUES (8)"))
            raise RuntimeError("the unit broke after writing")

        def forgets(conn) -> None:
            conn.execute(text("INSERT INTO unit_t (n) VALUES (9)"))

        def job() -> None:
            with pytest.raises(RuntimeError):
                units.call_on_connection(fails)
            units.call_on_connection(forgets)

        await units.blocking(job)
        assert await units.read(_count) == 0
