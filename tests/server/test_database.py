"""The database layer on SQLite and PostgreSQL: migrations, WAL, backups, persistence."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import inspect, text

from openi_lab import schemas as s
from openi_lab_server.db import migrate
from openi_lab_server.db.engine import create_engine
from openi_lab_server.services.container import Platform
from openi_lab_server.services.pagination import PageRequest

TABLES = {"accounts", "org_members", "teams", "team_members", "access_tokens", "projects"}


async def _tables(engine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_migrations_upgrade_an_empty_database_to_head_and_back(database_url):
    engine = create_engine(database_url)
    try:
        assert await migrate.current_revision(engine) is None
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
        assert await _tables(engine) >= TABLES
        await migrate.upgrade(engine)  # idempotent at head
        await migrate.downgrade(engine, "base")
        assert await migrate.current_revision(engine) is None
        assert not TABLES & await _tables(engine)
        await migrate.upgrade(engine)
        assert await _tables(engine) >= TABLES
    finally:
        await engine.dispose()


async def test_a_downgrade_never_drops_model_bytes_kept_only_in_the_database(database_url):
    """Migration 0014 keeps small model files in ``objects.content``: going back below it
    while a row holds bytes is refused (they have no other copy), and allowed once none do."""
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO objects (sha256, size, storage_key, refcount, content, "
                    "created_at) VALUES ('ab', 5, 'models/ab/ab', 1, :b, CURRENT_TIMESTAMP)"
                ),
                {"b": b"bytes"},
            )
        with pytest.raises(RuntimeError, match="kept only in the database"):
            await migrate.downgrade(engine, "0013")
        assert await migrate.current_revision(engine) == migrate.head_revision()
        async with engine.begin() as conn:
            assert (await conn.execute(text("SELECT content FROM objects"))).scalar() == b"bytes"
            await conn.execute(text("UPDATE objects SET content = NULL"))
        await migrate.downgrade(engine, "0013")
        assert await migrate.current_revision(engine) == "0013"
    finally:
        await engine.dispose()


async def test_data_survives_a_restart(database_url, tmp_path):
    first = Platform.build(database_url, data_dir=str(tmp_path))
    await migrate.upgrade(first.engine)
    me = await first.accounts.ensure_user("wangj")
    await first.accounts.create_org(me, s.OrgCreate(name="OpenI", full_name="启智"))
    await first.close()

    second = Platform.build(database_url, data_dir=str(tmp_path))
    await migrate.upgrade(second.engine)
    again = await second.accounts.ensure_user("wangj")
    assert again.id == me.id and again.is_admin
    org = await second.accounts.get_org(again, "openi")
    assert org.full_name == "启智" and org.member_count == 1
    await second.close()


async def test_a_failed_write_leaves_nothing_half_done(database_url, tmp_path):
    platform = Platform.build(database_url, data_dir=str(tmp_path))
    await migrate.upgrade(platform.engine)
    me = await platform.accounts.ensure_user("wangj")
    await platform.accounts.create_org(me, s.OrgCreate(name="OpenI"))
    with pytest.raises(Exception, match="already taken"):
        await platform.accounts.create_org(me, s.OrgCreate(name="openi"))
    async with platform.sessions() as session:
        members = await session.scalar(text("SELECT count(*) FROM org_members"))
        accounts = await session.scalar(text("SELECT count(*) FROM accounts"))
    assert (members, accounts) == (1, 2)
    await platform.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(database_url):
    engine = create_engine(database_url)
    async with engine.connect() as conn:
        assert (await conn.scalar(text("PRAGMA journal_mode"))) == "wal"
        assert (await conn.scalar(text("PRAGMA busy_timeout"))) >= 10_000
        assert (await conn.scalar(text("PRAGMA foreign_keys"))) == 1
    await engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_is_backed_up_before_an_upgrade(database_url, tmp_path):
    engine = create_engine(database_url)
    platform = Platform.build(database_url, data_dir=str(tmp_path))
    await migrate.upgrade(engine)
    await platform.accounts.ensure_user("wangj")
    # Pretend the file was left at an older schema: stamp it back to base, then upgrade.
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM alembic_version"))
        await conn.execute(text("INSERT INTO alembic_version VALUES ('0000')"))
    head = migrate.head_revision()

    def fake_upgrade(conn, action, target):  # the real upgrade would fail on the fake revision
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})

    original = migrate._run
    migrate._run = fake_upgrade
    try:
        backup_name = await migrate.upgrade(engine)
    finally:
        migrate._run = original
    assert backup_name and backup_name.startswith("openi.db.bak-0000-")
    copy = sqlite3.connect(tmp_path / backup_name)
    assert copy.execute("SELECT name FROM accounts").fetchall() == [("wangj",)]
    assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0000",)
    copy.close()
    await platform.close()
    await engine.dispose()


async def test_concurrent_first_sight_creates_one_user(database_url, tmp_path):
    """Two servers sharing one database see the same new user at once: one row, no error."""
    import asyncio

    a, b = (
        Platform.build(database_url, data_dir=str(tmp_path)),
        Platform.build(database_url, data_dir=str(tmp_path)),
    )
    await migrate.upgrade(a.engine)
    results = await asyncio.gather(*(p.accounts.ensure_user("newcomer") for p in (a, b, a, b)))
    assert len({r.id for r in results}) == 1
    assert (await a.accounts.list_users("newcomer", PageRequest(1, 10))).total == 1
    await a.close()
    await b.close()


def test_the_checkpointer_copies_the_log_back_without_waiting(tmp_path):
    """What a request commits reaches the database file through the background checkpoint,
    and a reader holding an old snapshot neither blocks it nor is blocked."""
    from openi_lab_server.db.checkpoint import WalCheckpointer

    path = tmp_path / "w.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # only the checkpointer copies
    writer.execute("CREATE TABLE t (x TEXT)")
    writer.executemany("INSERT INTO t VALUES (?)", [("x" * 1000,)] * 500)
    size_before = path.stat().st_size
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (500,)  # a snapshot
    writer.executemany("INSERT INTO t VALUES (?)", [("y" * 1000,)] * 500)
    cp = WalCheckpointer(str(path))
    try:
        first = cp.checkpoint()  # the reader's snapshot holds back the newest pages
        assert first.log_pages > first.copied_pages > 0 and not first.busy
        reader.execute("COMMIT")
        second = cp.checkpoint()
        assert second.copied_pages == second.log_pages > 0
        assert path.stat().st_size > size_before + 900 * 1000  # the rows are in the file
    finally:
        cp.close()
        reader.close()
        writer.close()


async def test_a_running_server_checkpoints_in_the_background(
    api, platform, database_url, jp_serverapp
):
    """On SQLite the server leaves SQLite's own checkpoint (in the committing request) as a
    safety net only, and copies the log back by itself within a few seconds."""
    if not database_url.startswith("sqlite"):
        pytest.skip("a write-ahead log is SQLite's")
    import asyncio
    import time

    async with platform.sessions() as session:
        pages = (await session.execute(text("PRAGMA wal_autocheckpoint"))).scalar()
    assert pages == 10_000
    app = jp_serverapp.web_app.settings["openi_lab"]
    await app._start_jupyter_server_extension(jp_serverapp)  # the server's background work
    for i in range(20):
        assert (await api.post("projects", {"name": f"p{i}"})).status == 201
    # the database file alone (immutable: SQLite reads no log): what was checkpointed
    path = database_url.removeprefix("sqlite:///")
    deadline = time.monotonic() + 15
    while True:
        probe = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
        try:
            count = probe.execute("SELECT count(*) FROM projects").fetchone()[0]
        finally:
            probe.close()
        if count >= 20:
            break
        assert time.monotonic() < deadline, f"{count} of 20 projects in the database file"
        await asyncio.sleep(0.2)
    await app.stop_extension()
