"""Comments on issues and ``#N`` cross-references."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from openi_lab import schemas as s
from openi_lab_server.db.models import Project

PUB = "projects/OpenI/Yolov5"
PRIV = "projects/OpenI/aiforge"


@pytest.fixture
def world(platform, as_user, jp_asyncio_loop):
    """OpenI (public org, owner bob), carol in its write team, eve an outsider; the public
    project OpenI/Yolov5 and the private OpenI/aiforge, each with issue #1 by bob."""
    return jp_asyncio_loop.run_until_complete(_world(platform, as_user))


async def _world(platform, as_user):
    bob = await as_user("bob")
    await as_user("carol")
    await as_user("eve")
    await bob.post("orgs", {"name": "OpenI"})
    await bob.post("orgs/OpenI/teams", {"name": "core", "permission": "write"})
    await bob.put("orgs/OpenI/teams/core/members/carol")
    owner = await platform.accounts.principal((await platform.accounts.get_user("bob")).id)
    await platform.projects.create(owner, s.ProjectCreate(owner="OpenI", name="Yolov5"))
    await platform.projects.create(
        owner, s.ProjectCreate(owner="OpenI", name="aiforge", visibility="private")
    )
    for project in (PUB, PRIV):
        assert (await bob.post(f"{project}/issues", {"title": "first"})).status == 201
    return bob


async def test_comments_count_and_belong_to_their_author(world, as_user):
    eve, carol = await as_user("eve"), await as_user("carol")
    r = await eve.post(f"{PUB}/issues/1/comments", {"body": "我也遇到了 **same** problem"})
    assert r.status == 201, r.body
    comment = r.body
    assert comment["author"]["username"] == "eve" and comment["issue"] == 1
    await world.post(f"{PUB}/issues/1/comments", {"body": "thanks, looking"})
    issue = (await world.get(f"{PUB}/issues/1")).body
    assert issue["comments"] == 2 and issue["updated_at"] >= issue["created_at"]
    listed = await carol.get(f"{PUB}/issues/1/comments")
    assert [c["author"]["username"] for c in listed.body["items"]] == ["eve", "bob"]
    assert listed.body["total"] == 2

    path = f"{PUB}/issues/1/comments/{comment['id']}"
    edited = await eve.patch(path, {"body": "fixed by upgrading"})
    assert edited.status == 200 and edited.body["body"] == "fixed by upgrading"
    assert (await carol.patch(path, {"body": "writers cannot"})).status == 403
    assert (await carol.delete(path)).status == 403
    assert (await eve.patch(path, {"body": "   "})).status == 422
    assert (await eve.patch(f"{PUB}/issues/1/comments/99999", {"body": "x"})).status == 404
    assert (await world.delete(path)).status == 204  # project admin
    assert (await world.get(f"{PUB}/issues/1")).body["comments"] == 1
    assert (await eve.get(f"{PRIV}/issues/1/comments")).status == 404
    assert (await eve.post(f"{PRIV}/issues/1/comments", {"body": "hi"})).status == 404


async def test_an_archived_project_takes_no_comments(world, as_user, platform):
    async with platform.sessions() as session:
        await session.execute(
            update(Project).where(Project.name == "Yolov5").values(is_archived=True)
        )
        await session.commit()
    eve = await as_user("eve")
    for client in (eve, world):
        r = await client.post(f"{PUB}/issues/1/comments", {"body": "still there?"})
        assert r.status == 403
        assert "archived" in r.body["message"]
    assert (await world.post(f"{PUB}/issues", {"title": "new"})).status == 403
    assert (await world.patch(f"{PUB}/issues/1", {"state": "closed"})).status == 403
    assert (await eve.get(f"{PUB}/issues/1")).status == 200  # still readable


async def test_mentions_show_up_on_the_referenced_issue(world, as_user):
    carol, eve = await as_user("carol"), await as_user("eve")
    await world.post(f"{PUB}/issues", {"title": "second", "body": "Duplicate of #1."})
    await world.post(f"{PUB}/issues", {"title": "third", "body": "see `#1` and\n```\n#2\n```"})
    await world.post(f"{PUB}/issues/3/comments", {"body": "blocked by #2, also #2 and #999"})
    await world.post(f"{PUB}/issues", {"title": "fourth", "body": "same as #4 (me) &#1;"})

    def refs(issue):
        return [(r["project"], r["number"]) for r in issue["referenced_by"]]

    one = (await eve.get(f"{PUB}/issues/1")).body
    assert refs(one) == [("OpenI/Yolov5", 2)]
    assert one["referenced_by"][0]["title"] == "second"
    assert refs((await eve.get(f"{PUB}/issues/2")).body) == [("OpenI/Yolov5", 3)]
    assert refs((await eve.get(f"{PUB}/issues/4")).body) == []
    listed = await eve.get(f"{PUB}/issues", direction="asc")
    assert [refs(i) for i in listed.body["items"]][:2] == [
        [("OpenI/Yolov5", 2)],
        [("OpenI/Yolov5", 3)],
    ]

    # a private issue mentions a public one: only those who may see it learn of it
    await carol.post(f"{PRIV}/issues/1/comments", {"body": "upstream: openi/yolov5#1"})
    assert refs((await carol.get(f"{PUB}/issues/1")).body) == [
        ("OpenI/Yolov5", 2),
        ("OpenI/aiforge", 1),
    ]
    assert refs((await eve.get(f"{PUB}/issues/1")).body) == [("OpenI/Yolov5", 2)]
    # an outsider cannot plant a reference into a private project they cannot see
    await eve.post(f"{PUB}/issues/2/comments", {"body": "like OpenI/aiforge#1"})
    assert refs((await carol.get(f"{PRIV}/issues/1")).body) == []
