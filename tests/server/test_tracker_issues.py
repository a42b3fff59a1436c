"""Issues (任务): numbering, filters and paging, permissions, validation, concurrency."""

from __future__ import annotations

import asyncio

import pytest

from openi_lab import schemas as s

PUB = "projects/OpenI/Yolov5"
PRIV = "projects/OpenI/aiforge"


@pytest.fixture
def world(platform, as_user, jp_asyncio_loop):
    """OpenI (public org, owner bob) with a write team (carol) and a plain member (dave);
    eve is an outsider. Projects: OpenI/Yolov5 (public), OpenI/aiforge (private), bob/diary."""
    return jp_asyncio_loop.run_until_complete(_world(platform, as_user))


async def _world(platform, as_user):
    bob = await as_user("bob")
    for user in ("carol", "dave", "eve"):
        await as_user(user)
    await bob.post("orgs", {"name": "OpenI"})
    await bob.post("orgs/OpenI/teams", {"name": "core", "permission": "write"})
    await bob.put("orgs/OpenI/teams/core/members/carol")
    await bob.put("orgs/OpenI/members/dave", {"role": "member"})
    owner = await platform.accounts.principal((await platform.accounts.get_user("bob")).id)
    await platform.projects.create(owner, s.ProjectCreate(owner="OpenI", name="Yolov5"))
    await platform.projects.create(
        owner, s.ProjectCreate(owner="OpenI", name="aiforge", visibility="private")
    )
    await platform.projects.create(owner, s.ProjectCreate(name="diary"))
    return bob


async def _open(client, project, title, **extra):
    r = await client.post(f"{project}/issues", {"title": title, **extra})
    assert r.status == 201, r.body
    return r.body


async def test_issues_are_numbered_per_project(world, as_user):
    created = [await _open(world, PUB, f"问题 {i}") for i in range(3)]
    assert [i["number"] for i in created] == [1, 2, 3]
    first = created[0]
    assert first["state"] == "open" and first["author"]["username"] == "bob"
    assert first["project"] == "OpenI/Yolov5" and first["is_pull"] is False
    assert first["comments"] == 0 and first["labels"] == [] and first["milestone"] is None
    assert (await _open(world, "projects/bob/diary", "elsewhere"))["number"] == 1

    one = await world.get(f"{PUB}/issues/2")
    assert one.status == 200 and one.body["title"] == "问题 1"
    listed = await world.get(f"{PUB}/issues")
    assert [i["number"] for i in listed.body["items"]] == [3, 2, 1]
    assert listed.body["total"] == 3
    assert (await world.get(f"{PUB}/issues/4")).status == 404
    assert (await world.get(f"{PUB}/issues/abc")).status == 404


async def test_list_filters_and_paging_run_in_sql(world, as_user):
    carol, dave = await as_user("carol"), await as_user("dave")
    for label in ("bug", "ui"):
        await world.post(f"{PUB}/labels", {"name": label, "color": "#d73a4a"})
    await world.post(f"{PUB}/milestones", {"title": "v1.0"})
    await _open(world, PUB, "crash on start", labels=["bug"], milestone="v1.0")
    await _open(world, PUB, "button misaligned", labels=["bug", "UI"], assignees=["carol"])
    await _open(dave, PUB, "训练 loss is NaN", body="when training on Ascend NPU")
    await _open(carol, PUB, "docs typo", milestone="v1.0")
    await world.patch(f"{PUB}/issues/4", {"state": "closed"})
    for _ in range(2):
        await dave.post(f"{PUB}/issues/1/comments", {"body": "+1"})

    async def numbers(**params):
        r = await world.get(f"{PUB}/issues", **params)
        assert r.status == 200, r.body
        return [i["number"] for i in r.body["items"]], r.body["total"]

    assert await numbers() == ([3, 2, 1], 3)
    assert await numbers(state="closed") == ([4], 1)
    assert await numbers(state="all") == ([4, 3, 2, 1], 4)
    assert await numbers(label="bug") == ([2, 1], 2)
    assert await numbers(label="bug,ui") == ([2], 1)
    assert await numbers(label="nothing") == ([], 0)
    assert await numbers(assignee="CAROL") == ([2], 1)
    assert await numbers(milestone="v1.0", state="all") == ([4, 1], 2)
    assert await numbers(milestone="none") == ([3, 2], 2)
    assert await numbers(author="dave") == ([3], 1)
    assert await numbers(q="ascend") == ([3], 1)
    assert await numbers(q="训练") == ([3], 1)
    assert await numbers(q="100%") == ([], 0)
    assert await numbers(sort="comments") == ([1, 3, 2], 3)
    assert await numbers(sort="created", direction="asc") == ([1, 2, 3], 3)
    assert await numbers(state="all", per_page=3, page=2) == ([1], 4)
    assert await numbers(state="all", per_page=3) == ([4, 3, 2], 4)
    bad = await world.get(f"{PUB}/issues", state="maybe")
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "state"
    assert (await world.get(f"{PUB}/issues", sort="stars")).status == 422
    assert (await world.get(f"{PUB}/issues", per_page=500)).status == 422


async def test_readers_open_issues_but_only_writers_triage(world, as_user):
    eve, carol = await as_user("eve"), await as_user("carol")
    await world.post(f"{PUB}/labels", {"name": "bug", "color": "#ff0000"})
    mine = await _open(eve, PUB, "I found a bug")
    assert mine["author"]["username"] == "eve"
    n = mine["number"]

    refused = await eve.patch(f"{PUB}/issues/{n}", {"labels": ["bug"]})
    assert refused.status == 403
    assert (await eve.post(f"{PUB}/issues", {"title": "x", "labels": ["bug"]})).status == 403
    edited = await eve.patch(f"{PUB}/issues/{n}", {"title": "I found a crash", "body": "steps"})
    assert edited.status == 200 and edited.body["title"] == "I found a crash"
    closed = await eve.patch(f"{PUB}/issues/{n}", {"state": "closed"})
    assert closed.status == 200 and closed.body["state"] == "closed"
    assert closed.body["closed_by"]["username"] == "eve" and closed.body["closed_at"]
    reopened = await eve.patch(f"{PUB}/issues/{n}", {"state": "open"})
    assert reopened.body["state"] == "open" and reopened.body["closed_at"] is None

    others = await _open(world, PUB, "bob's issue")
    assert (await eve.patch(f"{PUB}/issues/{others['number']}", {"title": "mine"})).status == 403
    assert (await eve.patch(f"{PUB}/issues/{others['number']}", {"state": "closed"})).status == 403
    triaged = await carol.patch(
        f"{PUB}/issues/{n}", {"labels": ["bug"], "assignees": ["carol", "eve"]}
    )
    assert triaged.status == 200, triaged.body
    assert [x["name"] for x in triaged.body["labels"]] == ["bug"]
    assert [u["username"] for u in triaged.body["assignees"]] == ["carol", "eve"]


async def test_a_private_projects_issues_answer_like_missing_ones(world, as_user):
    await _open(world, PRIV, "secret plan")
    eve = await as_user("eve")
    hidden = await eve.get(f"{PRIV}/issues/1")
    missing = await eve.get(f"{PUB}/issues/1")
    assert hidden.status == missing.status == 404
    assert hidden.body["message"].replace("aiforge", "X") == missing.body["message"].replace(
        "Yolov5", "X"
    )
    assert (await eve.get(f"{PRIV}/issues")).status == 404
    assert (await eve.post(f"{PRIV}/issues", {"title": "let me in"})).status == 404
    assert (await eve.get(f"{PRIV}/issues/1/comments")).status == 404
    dave = await as_user("dave")  # org member: reads the private project
    assert (await dave.get(f"{PRIV}/issues/1")).status == 200


async def test_invalid_changes_name_the_field_and_the_value(world):
    await world.post(f"{PRIV}/labels", {"name": "bug", "color": "#ff0000"})
    await _open(world, PRIV, "x")

    async def error(body):
        r = await world.patch(f"{PRIV}/issues/1", body)
        assert r.status == 422, r.body
        return r.body["errors"][0]["field"], r.body["errors"][0]["reason"]

    field, reason = await error({"labels": ["bug", "nope"]})
    assert field == "labels" and "nope" in reason
    field, reason = await error({"assignees": ["nobody"]})
    assert field == "assignees" and "nobody" in reason
    field, reason = await error({"assignees": ["eve"]})  # cannot read a private project
    assert field == "assignees" and "eve" in reason
    field, reason = await error({"milestone": "v9"})
    assert field == "milestone" and "v9" in reason
    assert (await error({"title": ""}))[0] == "title"
    assert (await error({"title": None}))[0] == "title"
    assert (await error({"state": "merged"}))[0] == "state"
    assert (await error({"body": "x" * 65_536}))[0] == "body"
    assert (await error({"colour": "red"}))[0] == "colour"
    long = await world.post(f"{PRIV}/issues", {"title": "t" * 256})
    assert long.status == 422 and long.body["errors"][0]["field"] == "title"
    unchanged = await world.get(f"{PRIV}/issues/1")
    assert unchanged.body["labels"] == [] and unchanged.body["assignees"] == []


async def test_concurrent_issues_get_distinct_numbers(world, platform):
    bob = await platform.accounts.principal((await platform.accounts.get_user("bob")).id)
    created = await asyncio.gather(
        *(
            platform.tracker.create_issue(bob, "OpenI", "Yolov5", s.IssueCreate(title=f"#{i}"))
            for i in range(10)
        )
    )
    assert sorted(i.number for i in created) == list(range(1, 11))
    board = await world.get(f"{PUB}/board")
    assert [c["title"] for c in board.body["columns"]] == ["To do", "In progress", "Done"]
    first = board.body["columns"][0]["issues"]
    assert sorted(i["number"] for i in first) == list(range(1, 11))
    assert [i["position"] for i in first] == list(range(10))
