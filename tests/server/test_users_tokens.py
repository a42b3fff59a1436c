"""Users and personal access tokens through the REST API."""

from __future__ import annotations

import asyncio


async def test_me_is_the_jupyter_user_created_on_first_sight(api):
    r = await api.get("user")
    assert r.status == 200
    assert r.body["username"] == "alice"
    assert r.body["is_admin"] is True  # the platform's first user administers it
    again = await api.get("user")
    assert again.body["id"] == r.body["id"]


async def test_admin_creates_users_and_lists_them_paged(api):
    await api.get("user")
    for name in ("bob", "carol", "dave"):
        r = await api.post("users", {"username": name, "full_name": name.title()})
        assert r.status == 201, r.body
    page = await api.get("users", per_page=2)
    assert page.body["total"] == 4
    assert [u["username"] for u in page.body["items"]] == ["alice", "bob"]
    page2 = await api.get("users", per_page=2, page=2)
    assert [u["username"] for u in page2.body["items"]] == ["carol", "dave"]
    found = await api.get("users", q="aro")
    assert [u["username"] for u in found.body["items"]] == ["carol"]
    assert (await api.get("users/CAROL")).body["username"] == "carol"


async def test_user_names_are_validated_and_unique(api):
    await api.get("user")
    bad = await api.post("users", {"username": "no spaces!"})
    assert bad.status == 422
    assert bad.body["errors"][0]["field"] == "username"
    reserved = await api.post("users", {"username": "admin"})
    assert reserved.status == 422 and "reserved" in reserved.body["message"]
    assert (await api.post("users", {"username": "bob"})).status == 201
    dup = await api.post("users", {"username": "BOB"})
    assert dup.status == 409
    assert dup.body["errors"] == [{"field": "username", "reason": "taken"}]


async def test_only_site_admins_create_users(as_user):
    bob = await as_user("bob", ["read", "write", "admin"])
    r = await bob.post("users", {"username": "mallory"})
    assert r.status == 403
    assert "admin" in r.body["message"]


async def test_malformed_bodies_answer_422_naming_the_field(api):
    not_json = await api.post("orgs", "{not json")
    assert not_json.status == 422
    assert not_json.body["errors"][0]["field"] == "body"
    missing = await api.post("orgs", {})
    assert missing.status == 422
    assert missing.body["errors"][0]["field"] == "name"
    unknown = await api.post("orgs", {"name": "ok", "colour": "red"})
    assert unknown.status == 422
    assert unknown.body["errors"][0]["field"] == "colour"
    wrong_enum = await api.post("orgs", {"name": "ok", "visibility": "secret"})
    assert wrong_enum.body["errors"][0]["field"] == "visibility"
    paging = await api.get("users", per_page=1000)
    assert paging.status == 422 and paging.body["errors"][0]["field"] == "per_page"


async def test_token_lifecycle(api, jp_fetch):
    from apiclient import ApiClient

    created = await api.post(
        "user/tokens", {"name": "laptop", "scopes": ["read"], "expires_in_days": 7}
    )
    assert created.status == 201, created.body
    secret = created.body["token"]
    assert secret.startswith("openi_")
    listed = await api.get("user/tokens")
    assert [t["name"] for t in listed.body] == ["laptop"]
    assert "token" not in listed.body[0]  # the secret is shown once only

    reader = ApiClient(jp_fetch, secret)
    me = await reader.get("user")
    assert me.status == 200 and me.body["username"] == "alice"
    assert (await api.get("user/tokens")).body[0]["last_used_at"] is not None

    revoked = await api.delete(f"user/tokens/{created.body['id']}")
    assert revoked.status == 204
    after = await reader.get("user")
    assert after.status == 401
    assert after.body["message"] == "invalid token"
    assert (await api.delete(f"user/tokens/{created.body['id']}")).status == 404


async def test_read_token_cannot_write(as_user):
    reader = await as_user("bob", ["read"])
    assert (await reader.get("orgs")).status == 200
    r = await reader.post("orgs", {"name": "bobs-org"})
    assert r.status == 403
    assert "write" in r.body["message"]
    assert (await reader.get("orgs/bobs-org")).status == 404  # nothing was created


async def test_write_token_cannot_manage_tokens(as_user):
    writer = await as_user("bob", ["read", "write"])
    r = await writer.post("user/tokens", {"name": "escalate", "scopes": ["admin"]})
    assert r.status == 403
    assert (await writer.post("orgs", {"name": "bobs-org"})).status == 201


async def test_token_cannot_grant_more_than_its_own_scopes(platform, as_user):
    await as_user("bob", ["read"])
    from openi_lab import schemas as s
    from openi_lab_server.services.errors import Forbidden
    from openi_lab_server.services.principal import Principal

    bob = await platform.accounts.get_user("bob")
    limited = Principal(bob.id, "bob", scopes=frozenset({s.Scope.write}))
    try:
        await platform.tokens.create(limited, s.TokenCreate(name="x", scopes=[s.Scope.admin]))
    except Forbidden:
        pass
    else:
        raise AssertionError("a write credential minted an admin token")


async def test_expired_token_is_refused(platform, as_user, jp_fetch):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from apiclient import ApiClient
    from openi_lab_server.db.models import AccessToken

    bob = await as_user("bob", ["read"])
    assert (await bob.get("user")).status == 200
    from openi_lab_server.services.tokens import AUTH_CACHE_SECONDS

    # as if another server sharing the database changed it: seen within AUTH_CACHE_SECONDS
    async with platform.sessions() as session:
        await session.execute(
            update(AccessToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await session.commit()
    await asyncio.sleep(AUTH_CACHE_SECONDS + 0.1)
    r = await ApiClient(jp_fetch, bob.headers["Authorization"].split()[1]).get("user")
    assert r.status == 401
    assert r.body["message"] == "token expired"


async def test_token_in_basic_auth_as_git_sends_it(as_user, jp_fetch):
    import base64

    bob = await as_user("bob", ["read"])
    secret = bob.headers["Authorization"].split()[1]
    basic = base64.b64encode(f"bob:{secret}".encode()).decode()
    r = await jp_fetch("openi", "api", "v1", "user", headers={"Authorization": f"Basic {basic}"})
    assert r.code == 200
    assert b'"username":"bob"' in r.body
