"""Copying a SQLite write-ahead log back into the database file off the request path.

SQLite checkpoints by itself in whichever connection commits past 1,000 WAL pages: that
request then also copies the pages into the database file (a few milliseconds; in the model
registry benchmark one create in ~40 paid it, which is most of the p99). The server runs a
PASSIVE checkpoint every second on a thread instead. PASSIVE never waits for a lock and never
blocks readers or writers; the automatic checkpoint stays as a safety net at
``engine.SQLITE_AUTOCHECKPOINT_PAGES`` for any process that does not run this loop (the admin
CLI, migrations).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from typing import NamedTuple

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)


class Checkpoint(NamedTuple):
    """``PRAGMA wal_checkpoint``'s answer: pages in the log, pages copied back."""

    busy: bool
    log_pages: int
    copied_pages: int


def sqlite_file(url: str) -> str | None:
    """The database file of a SQLite URL; None for other databases and in-memory ones."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or u.database in (None, "", ":memory:"):
        return None
    return u.database


class WalCheckpointer:
    """One connection of its own, used by one thread at a time (``asyncio.to_thread``)."""

    def __init__(self, path: str, every_s: float = 1.0):
        self.path = path
        self.every_s = every_s
        self._conn: sqlite3.Connection | None = None

    def checkpoint(self) -> Checkpoint:
        """One PASSIVE checkpoint: copies what no reader still needs, waits for nothing."""
        if self._conn is None:
            self._conn = sqlite3.connect(
                self.path, timeout=0, isolation_level=None, check_same_thread=False
            )
        busy, log_pages, copied = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return Checkpoint(bool(busy), int(log_pages), int(copied))

    async def run(self) -> None:
        """Checkpoint every ``every_s`` seconds until cancelled."""
        try:
            while True:
                await asyncio.sleep(self.every_s)
                try:
                    await asyncio.to_thread(self.checkpoint)
                except sqlite3.Error as exc:  # e.g. locked by a migration: next time
                    log.debug("OpenI WAL checkpoint skipped: %s", exc)
        finally:
            self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
