"""The extension's background work starts with the server and stops with it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from openi_lab import schemas as s
from openi_lab_server.db.models import AccessToken

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def test_housekeeping_purges_long_expired_tokens_until_stopped(jp_serverapp, platform):
    app = jp_serverapp.web_app.settings["openi_lab"]
    me = await platform.accounts.ensure_user("alice")
    old = await platform.tokens.create(me, s.TokenCreate(name="old", scopes=[s.Scope.read]))
    await platform.tokens.create(me, s.TokenCreate(name="fresh", scopes=[s.Scope.read]))
    async with platform.sessions() as session:
        await session.execute(
            update(AccessToken)
            .where(AccessToken.id == old.id)
            .values(expires_at=datetime.now(UTC) - timedelta(days=40))
        )
        await session.commit()

    await app._start_jupyter_server_extension(jp_serverapp)
    for _ in range(50):
        names = [t.name for t in await platform.tokens.list(me)]
        if names == ["fresh"]:
            break
        await asyncio.sleep(0.05)
    assert names == ["fresh"]
    tasks = list(app._tasks)
    assert tasks and not any(t.done() for t in tasks)

    await app.stop_extension()
    assert all(t.cancelled() for t in tasks)
    async with platform.sessions() as session:  # the engine was disposed, not broken
        assert await session.scalar(select(func.count()).select_from(AccessToken)) == 1
