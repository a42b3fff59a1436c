"""Apply the shipped Alembic migrations on start; back up a SQLite file before upgrading it.

JupyterHub does the same: an upgrade that goes wrong leaves ``<db>.bak-<rev>-<time>`` behind.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _run(conn: Connection, action: str, target: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    getattr(command, action)(cfg, target)


def backup_sqlite(path: Path, revision: str) -> Path:
    """Copy a live SQLite database (WAL included) with the online backup API."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    dest = path.with_name(f"{path.name}.bak-{revision}-{stamp}")
    src, dst = sqlite3.connect(path), sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return dest


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


async def upgrade(engine: AsyncEngine, target: str = "head") -> str | None:
    """Bring the schema to ``target``; return the backup path's name when one was made."""
    backup: Path | None = None
    current = await current_revision(engine)
    db = sqlite_path(engine.url.render_as_string(hide_password=False))
    if current is not None and current != head_revision() and db is not None:
        backup = await asyncio.to_thread(backup_sqlite, db, current)
        log.info("backed up %s to %s before upgrading from %s", db, backup, current)
    async with engine.begin() as conn:
        await conn.run_sync(_run, "upgrade", target)
    return backup.name if backup else None


async def downgrade(engine: AsyncEngine, target: str = "base") -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_run, "downgrade", target)


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        return Path(u.database)
    return None
