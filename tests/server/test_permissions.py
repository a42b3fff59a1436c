"""Roles on resources owned by users and orgs, seen through projects."""

from __future__ import annotations

import pytest

from openi_lab import schemas as s


@pytest.fixture
def world(platform, as_user, jp_asyncio_loop):
    """OpenI (public org) with a write team; a private project in it; a private user project."""
    return jp_asyncio_loop.run_until_complete(_world(platform, as_user))


async def _world(platform, as_user):
    owner = await as_user("bob")
    await as_user("carol")  # in the write team
    await as_user("dave")  # plain org member
    await as_user("eve")  # outsider
    await owner.post("orgs", {"name": "OpenI"})
    await owner.post("orgs/OpenI/teams", {"name": "core", "permission": "write"})
    await owner.put("orgs/OpenI/teams/core/members/carol")
    await owner.put("orgs/OpenI/members/dave", {"role": "member"})
    bob = await platform.accounts.principal((await platform.accounts.get_user("bob")).id)
    await platform.projects.create(
        bob, s.ProjectCreate(owner="OpenI", name="aiforge", visibility="private")
    )
    await platform.projects.create(bob, s.ProjectCreate(owner="OpenI", name="Yolov5"))
    await platform.projects.create(bob, s.ProjectCreate(name="diary", visibility="private"))
    return owner


@pytest.mark.parametrize(
    ("user", "expected"),
    [("bob", "owner"), ("carol", "write"), ("dave", "read"), ("alice", "owner")],
)
async def test_roles_on_a_private_org_project(world, as_user, api, user, expected):
    client = api if user == "alice" else await as_user(user)
    r = await client.get("projects/OpenI/aiforge")
    assert r.status == 200
    assert r.body["role"] == expected


async def test_outsiders_cannot_tell_a_private_project_from_a_missing_one(world, as_user):
    eve = await as_user("eve")
    hidden = await eve.get("projects/OpenI/aiforge")
    missing = await eve.get("projects/OpenI/nothing")
    assert hidden.status == missing.status == 404
    assert (await eve.get("projects/bob/diary")).status == 404
    public = await eve.get("projects/OpenI/Yolov5")
    assert public.status == 200 and public.body["role"] == "read"


async def test_project_lists_hide_what_you_may_not_see(world, as_user):
    eve = await as_user("eve")
    seen = await eve.get("projects")
    assert [p["full_name"] for p in seen.body["items"]] == ["OpenI/Yolov5"]
    assert seen.body["total"] == 1
    dave = await as_user("dave")
    assert sorted(p["name"] for p in (await dave.get("projects")).body["items"]) == [
        "Yolov5",
        "aiforge",
    ]
    mine = await world.get("projects", owner="bob")
    assert [p["full_name"] for p in mine.body["items"]] == ["bob/diary"]


async def test_public_projects_of_a_private_org_stay_hidden(world, as_user):
    await world.patch("orgs/OpenI", {"visibility": "private"})
    eve = await as_user("eve")
    assert (await eve.get("projects/OpenI/Yolov5")).status == 404
    assert (await eve.get("projects")).body["total"] == 0
