"""Shared fixtures: a Jupyter server with the platform on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from apiclient import ApiClient

pytest_plugins = ["pytest_jupyter.jupyter_server"]

#: PostgreSQL server for the database tests; CI and dev machines run one on loopback.
PG_ADMIN_URL = os.environ.get("OPENI_LAB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_reason() -> str | None:
    """Why PostgreSQL tests cannot run here, or None when a server answers."""
    import asyncio

    import asyncpg

    async def probe() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except Exception as exc:
        return f"no PostgreSQL at {PG_ADMIN_URL}: {exc}"
    return None


_PG_REASON: str | bool | None = False


def pg_reason() -> str | None:
    global _PG_REASON
    if _PG_REASON is False:
        _PG_REASON = _pg_reason()
    return _PG_REASON  # type: ignore[return-value]


@pytest.fixture(scope="session")
def pg_database_factory() -> Iterator[Any]:
    """Creates throwaway PostgreSQL databases and drops them all at the end."""
    import asyncio

    import asyncpg

    created: list[str] = []

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def make() -> str:
        name = f"openi_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(run(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name

    yield make
    for name in created:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'openi.db'}"
    reason = pg_reason()
    if reason:
        pytest.skip(reason)
    return request.getfixturevalue("pg_database_factory")()


@pytest.fixture
def jp_server_config(database_url: str, tmp_path: Any) -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"openi_lab_server": True}},
        "OpeniLabApp": {
            "data_dir": str(tmp_path / "openi-data"),
            "database_url": database_url,
            "local_username": "alice",
        },
    }


@pytest.fixture
def platform(jp_serverapp: Any) -> Any:
    return jp_serverapp.web_app.settings["openi_lab"].platform


@pytest.fixture
def api(jp_fetch: Any) -> ApiClient:
    """The local Jupyter user (``alice``, the platform's first user and so its admin)."""
    return ApiClient(jp_fetch)


@pytest.fixture
def as_user(jp_fetch: Any, api: ApiClient) -> Any:
    """``await as_user("bob", scopes=["write"])`` → a client authenticated by bob's token."""

    async def make(username: str, scopes: list[str] | None = None) -> ApiClient:
        await api.get("user")  # alice exists first, so she is the admin
        existing = await api.get(f"users/{username}")
        if existing.status == 404:
            created = await api.post("users", {"username": username, "full_name": username})
            assert created.status == 201, created.body
        token = await _token_for(jp_fetch, username, scopes or ["read", "write"])
        return ApiClient(jp_fetch, token)

    return make


async def _token_for(jp_fetch: Any, username: str, scopes: list[str]) -> str:
    """A token for another user, minted through the services (as the admin CLI does)."""
    from jupyter_server.serverapp import ServerApp

    platform = ServerApp.instance().web_app.settings["openi_lab"].platform
    user = await platform.accounts.get_user(username)
    principal = await platform.accounts.principal(user.id)
    from openi_lab import schemas as s

    created = await platform.tokens.create(
        principal, s.TokenCreate(name="test", scopes=scopes, expires_in_days=1)
    )
    return created.token
