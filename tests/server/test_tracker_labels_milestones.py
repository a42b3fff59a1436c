"""Labels and milestones (里程碑) of a project."""

from __future__ import annotations

import pytest

from openi_lab import schemas as s

PUB = "projects/OpenI/Yolov5"


@pytest.fixture
def world(platform, as_user, jp_asyncio_loop):
    """The public project OpenI/Yolov5 of bob's org; eve is an outsider (read role)."""
    return jp_asyncio_loop.run_until_complete(_world(platform, as_user))


async def _world(platform, as_user):
    bob = await as_user("bob")
    await as_user("eve")
    await bob.post("orgs", {"name": "OpenI"})
    owner = await platform.accounts.principal((await platform.accounts.get_user("bob")).id)
    await platform.projects.create(owner, s.ProjectCreate(owner="OpenI", name="Yolov5"))
    return bob


async def test_labels_crud_with_conflicts_and_validation(world, as_user):
    r = await world.post(f"{PUB}/labels", {"name": "bug", "color": "#D73A4A", "description": "坏"})
    assert r.status == 201, r.body
    assert r.body["color"] == "#d73a4a" and r.body["description"] == "坏"
    dup = await world.post(f"{PUB}/labels", {"name": "BUG", "color": "#000000"})
    assert dup.status == 409 and dup.body["errors"][0]["field"] == "name"
    bad = await world.post(f"{PUB}/labels", {"name": "ui", "color": "red"})
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "color"
    comma = await world.post(f"{PUB}/labels", {"name": "a,b", "color": "#000000"})
    assert comma.status == 422 and comma.body["errors"][0]["field"] == "name"
    await world.post(f"{PUB}/labels", {"name": "good first issue", "color": "#7057ff"})
    eve = await as_user("eve")
    assert (await eve.post(f"{PUB}/labels", {"name": "mine", "color": "#000000"})).status == 403
    listed = await eve.get(f"{PUB}/labels")
    assert [x["name"] for x in listed.body["items"]] == ["bug", "good first issue"]

    await world.post(f"{PUB}/issues", {"title": "t", "labels": ["bug", "good first issue"]})
    renamed = await world.patch(f"{PUB}/labels/Bug", {"name": "defect", "color": "#aa0000"})
    assert renamed.status == 200 and renamed.body["name"] == "defect"
    taken = await world.patch(f"{PUB}/labels/defect", {"name": "Good First Issue"})
    assert taken.status == 409
    assert (await world.patch(f"{PUB}/labels/defect", {"color": None})).status == 422
    assert (await eve.patch(f"{PUB}/labels/defect", {"color": "#000000"})).status == 403
    issue = (await world.get(f"{PUB}/issues/1")).body
    assert [x["name"] for x in issue["labels"]] == ["defect", "good first issue"]
    assert (await world.delete(f"{PUB}/labels/good first issue")).status == 204
    assert (await world.delete(f"{PUB}/labels/nothing")).status == 404
    issue = (await world.get(f"{PUB}/issues/1")).body
    assert [x["name"] for x in issue["labels"]] == ["defect"]


async def test_milestone_progress_follows_its_issues(world, as_user):
    r = await world.post(
        f"{PUB}/milestones", {"title": "v1.0", "description": "首个版本", "due_on": "2030-06-30"}
    )
    assert r.status == 201, r.body
    m = r.body
    assert (m["open_issues"], m["closed_issues"], m["progress"]) == (0, 0, 0)
    assert m["due_on"] == "2030-06-30" and m["state"] == "open"
    dup = await world.post(f"{PUB}/milestones", {"title": "V1.0"})
    assert dup.status == 409 and dup.body["errors"][0]["field"] == "title"
    assert (await world.post(f"{PUB}/milestones", {"due_on": "someday"})).status == 422
    eve = await as_user("eve")
    assert (await eve.post(f"{PUB}/milestones", {"title": "v2"})).status == 403

    for i in range(4):
        await world.post(f"{PUB}/issues", {"title": f"task {i}", "milestone": "v1.0"})
    await world.post(f"{PUB}/issues", {"title": "unplanned"})
    path = f"{PUB}/milestones/{m['id']}"
    await world.patch(f"{PUB}/issues/1", {"state": "closed"})
    got = (await eve.get(path)).body
    assert (got["open_issues"], got["closed_issues"], got["progress"]) == (3, 1, 0.25)
    await world.patch(f"{PUB}/issues/2", {"state": "closed"})
    await world.patch(f"{PUB}/issues/5", {"milestone": "v1.0", "state": "closed"})
    got = (await eve.get(path)).body
    assert (got["open_issues"], got["closed_issues"], got["progress"]) == (2, 3, 0.6)
    await world.patch(f"{PUB}/issues/5", {"milestone": None})
    assert (await eve.get(path)).body["progress"] == 0.5

    await world.post(f"{PUB}/milestones", {"title": "v0.9", "due_on": "2029-01-01"})
    await world.post(f"{PUB}/milestones", {"title": "someday"})
    listed = await eve.get(f"{PUB}/milestones")
    assert [x["title"] for x in listed.body["items"]] == ["v0.9", "v1.0", "someday"]
    closed = await world.patch(path, {"state": "closed", "due_on": None})
    assert closed.status == 200 and closed.body["closed_at"] and closed.body["due_on"] is None
    assert [x["title"] for x in (await eve.get(f"{PUB}/milestones")).body["items"]] == [
        "v0.9",
        "someday",
    ]
    assert (await eve.get(f"{PUB}/milestones", state="closed")).body["total"] == 1
    assert (await eve.get(f"{PUB}/milestones", state="all")).body["total"] == 3
    assert (await eve.delete(path)).status == 403
    assert (await world.delete(path)).status == 204
    assert (await world.get(path)).status == 404
    assert (await world.get(f"{PUB}/issues/3")).body["milestone"] is None
    assert (await world.get(f"{PUB}/milestones/nope")).status == 404
