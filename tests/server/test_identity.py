"""Under JupyterHub (or any non-local identity provider) the platform user is that user."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from jupyter_server.auth import IdentityProvider, User

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


class HubLikeIdentityProvider(IdentityProvider):
    """Stands in for JupyterHub's provider: authenticated requests carry a hub user's name."""

    async def get_user(self, handler: Any) -> User | None:
        user = super().get_user(handler)
        if inspect.isawaitable(user):
            user = await user
        return User(username="jane.doe@hub", name="Jane Doe") if user else None


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    jp_server_config["ServerApp"]["identity_provider_class"] = HubLikeIdentityProvider
    jp_server_config["OpeniLabApp"]["admin_users"] = {"ops"}
    return jp_server_config


async def test_the_hub_user_becomes_the_platform_user(api):
    me = await api.get("user")
    assert me.status == 200
    assert me.body["username"] == "jane.doe"  # sanitised from the hub name
    assert me.body["full_name"] == "Jane Doe"
    assert (await api.get("users/jane.doe")).body["id"] == me.body["id"]


async def test_admin_users_are_admins_from_first_sight(platform, api):
    await api.get("user")  # jane is the first user, hence admin
    ops = await platform.accounts.ensure_user("ops")
    newcomer = await platform.accounts.ensure_user("newcomer")
    assert ops.is_admin and not newcomer.is_admin
