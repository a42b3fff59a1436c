"""The project board (看板): default columns, moving issues, editing columns."""

from __future__ import annotations

import pytest

from openi_lab import schemas as s

PUB = "projects/OpenI/Yolov5"


@pytest.fixture
def world(platform, as_user, jp_asyncio_loop):
    """The public project OpenI/Yolov5 of bob's org with issues #1-#3; eve reads it."""
    return jp_asyncio_loop.run_until_complete(_world(platform, as_user))


async def _world(platform, as_user):
    bob = await as_user("bob")
    await as_user("eve")
    await bob.post("orgs", {"name": "OpenI"})
    owner = await platform.accounts.principal((await platform.accounts.get_user("bob")).id)
    await platform.projects.create(owner, s.ProjectCreate(owner="OpenI", name="Yolov5"))
    for title in ("数据集", "训练", "评估"):
        await bob.post(f"{PUB}/issues", {"title": title})
    return bob


def _layout(board):
    return {c["title"]: [i["number"] for i in c["issues"]] for c in board["columns"]}


async def test_new_issues_land_in_the_first_default_column(world, as_user):
    eve = await as_user("eve")
    board = await eve.get(f"{PUB}/board")
    assert board.status == 200
    assert _layout(board.body) == {"To do": [1, 2, 3], "In progress": [], "Done": []}
    assert [c["position"] for c in board.body["columns"]] == [0, 1, 2]
    await eve.post(f"{PUB}/issues", {"title": "from a reader"})
    assert _layout((await eve.get(f"{PUB}/board")).body)["To do"] == [1, 2, 3, 4]


async def test_moving_issues_and_closed_ones_stay_flagged(world, as_user):
    columns = (await world.get(f"{PUB}/board")).body["columns"]
    todo, doing, done = (c["id"] for c in columns)
    moved = await world.put(f"{PUB}/board/issues/2", {"column_id": doing, "position": 0})
    assert moved.status == 200, moved.body
    assert _layout(moved.body) == {"To do": [1, 3], "In progress": [2], "Done": []}
    await world.put(f"{PUB}/board/issues/3", {"column_id": doing, "position": 0})
    await world.put(f"{PUB}/board/issues/1", {"column_id": doing})  # bottom
    board = (await world.get(f"{PUB}/board")).body
    assert _layout(board)["In progress"] == [3, 2, 1]
    assert [i["position"] for i in board["columns"][1]["issues"]] == [0, 1, 2]
    await world.put(f"{PUB}/board/issues/1", {"column_id": doing, "position": 1})
    await world.put(f"{PUB}/board/issues/2", {"column_id": done, "position": 7})

    await world.patch(f"{PUB}/issues/2", {"state": "closed"})
    board = (await world.get(f"{PUB}/board")).body
    assert _layout(board) == {"To do": [], "In progress": [3, 1], "Done": [2]}
    assert board["columns"][2]["issues"][0]["state"] == "closed"

    eve = await as_user("eve")
    assert (await eve.put(f"{PUB}/board/issues/3", {"column_id": todo})).status == 403
    bad = await world.put(f"{PUB}/board/issues/3", {"column_id": 424242})
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "column_id"
    assert (await world.put(f"{PUB}/board/issues/99", {"column_id": todo})).status == 404
    assert (await world.put(f"{PUB}/board/issues/3", {"position": -1})).status == 422


async def test_columns_can_be_added_renamed_reordered_and_deleted(world, as_user):
    columns = (await world.get(f"{PUB}/board")).body["columns"]
    todo, doing, done = (c["id"] for c in columns)
    added = await world.post(f"{PUB}/board/columns", {"title": "Review 评审"})
    assert added.status == 201 and added.body["position"] == 3 and added.body["issues"] == []
    review = added.body["id"]
    renamed = await world.patch(f"{PUB}/board/columns/{todo}", {"title": "Backlog"})
    assert renamed.status == 200 and renamed.body["title"] == "Backlog"
    assert [i["number"] for i in renamed.body["issues"]] == [1, 2, 3]
    await world.patch(f"{PUB}/board/columns/{review}", {"position": 2})
    board = (await world.get(f"{PUB}/board")).body
    assert [c["title"] for c in board["columns"]] == [
        "Backlog",
        "In progress",
        "Review 评审",
        "Done",
    ]
    assert [c["position"] for c in board["columns"]] == [0, 1, 2, 3]

    await world.put(f"{PUB}/board/issues/2", {"column_id": review})
    await world.put(f"{PUB}/board/issues/3", {"column_id": review})
    assert (await world.delete(f"{PUB}/board/columns/{review}")).status == 204
    board = (await world.get(f"{PUB}/board")).body
    assert _layout(board) == {"Backlog": [1, 2, 3], "In progress": [], "Done": []}

    eve = await as_user("eve")
    assert (await eve.post(f"{PUB}/board/columns", {"title": "x"})).status == 403
    assert (await eve.delete(f"{PUB}/board/columns/{doing}")).status == 403
    assert (await world.post(f"{PUB}/board/columns", {"title": ""})).status == 422
    assert (await world.delete(f"{PUB}/board/columns/424242")).status == 404

    await world.put(f"{PUB}/board/issues/1", {"column_id": done})
    await world.patch(f"{PUB}/board/columns/{done}", {"position": 0})
    assert (await world.delete(f"{PUB}/board/columns/{done}")).status == 204  # 1 → Backlog
    assert (await world.delete(f"{PUB}/board/columns/{doing}")).status == 204
    last = await world.delete(f"{PUB}/board/columns/{todo}")
    assert last.status == 409
    board = (await world.get(f"{PUB}/board")).body
    assert _layout(board) == {"Backlog": [2, 3, 1]}
