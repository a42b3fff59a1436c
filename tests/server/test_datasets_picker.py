"""The dataset picker (SPEC "Choosing a dataset"): one test per rule."""

from __future__ import annotations

from s3server import upload


async def _world(api, as_user):
    """bob: bob/vision (datasets imgs: 12 files, empty: none); carol: carol/nlp (public
    corpus + private secret); org lab (bob owner, carol writes via a team) with lab/shared
    where carol keeps a private dataset; alice: a private project nobody else sees."""
    bob, carol = await as_user("bob"), await as_user("carol")
    assert (await bob.post("projects", {"name": "vision"})).status == 201
    assert (await bob.post("projects", {"name": "blank"})).status == 201
    await bob.post("projects/bob/vision/datasets", {"name": "imgs", "description": "猫 和 狗"})
    for i in range(12):
        await upload(bob, "bob/vision", "imgs", f"img-{i:02d}.png", f"image {i}".encode())
    assert (await carol.post("projects", {"name": "nlp"})).status == 201
    await carol.post("projects/carol/nlp/datasets", {"name": "corpus"})
    await upload(carol, "carol/nlp", "corpus", "wiki.txt", b"wiki text")
    await upload(carol, "carol/nlp", "corpus", "news.txt", b"news text")
    await carol.post("projects/carol/nlp/datasets", {"name": "secret", "visibility": "private"})
    await upload(carol, "carol/nlp", "secret", "diary.txt", b"dear diary")
    assert (await bob.post("orgs", {"name": "lab"})).status == 201
    assert (await bob.put("orgs/lab/members/carol", {"role": "member"})).status in (200, 201)
    assert (await bob.post("orgs/lab/teams", {"name": "core", "permission": "write"})).status == 201
    assert (await bob.put("orgs/lab/teams/core/members/carol")).status in (200, 201, 204)
    assert (await bob.post("projects", {"owner": "lab", "name": "shared"})).status == 201
    r = await carol.post(
        "projects/lab/shared/datasets", {"name": "drafts", "visibility": "private"}
    )
    assert r.status == 201, r.body
    await upload(carol, "lab/shared", "drafts", "draft.csv", b"a,b\n")
    await api.post("projects", {"name": "hidden", "visibility": "private"})
    await api.post("projects/alice/hidden/datasets", {"name": "mine"})
    await upload(api, "alice/hidden", "mine", "private-project.txt", b"alice only")
    return {"bob": bob, "carol": carol, "alice": api, "zhao": await as_user("zhao")}


async def test_rows_are_files_with_their_fields_newest_first_ten_per_page(api, as_user):
    world = await _world(api, as_user)
    bob = world["bob"]
    r = await bob.get("dataset-picker", project="bob/vision")
    assert r.status == 200, r.body
    page = r.body
    assert page["tab"] == "project" and page["per_page"] == 10 and page["page"] == 1
    assert page["total"] == 12 and len(page["items"]) == 10
    names = [row["file_name"] for row in page["items"]]
    assert names == [f"img-{i:02d}.png" for i in range(11, 1, -1)]  # newest first
    row = page["items"][0]
    assert set(row) == {
        "file_id", "file_name", "size", "sha256", "kind", "created_at", "dataset",
        "dataset_id", "project", "path", "creator",
    }  # fmt: skip
    assert row["dataset"] == "imgs" and row["project"] == "bob/vision"
    assert row["path"] == "bob/vision/imgs" and row["creator"] == "bob"
    assert row["size"] == len(b"image 11") and row["kind"] == "other" and len(row["sha256"]) == 64
    second = await bob.get("dataset-picker", project="bob/vision", page=2)
    assert [x["file_name"] for x in second.body["items"]] == ["img-01.png", "img-00.png"]
    assert second.body["total"] == 12


async def test_tabs_fall_through_to_the_first_non_empty_one(api, as_user):
    world = await _world(api, as_user)
    bob, carol, alice = world["bob"], world["carol"], world["alice"]
    # bob/blank has no datasets: mine comes next
    r = await bob.get("dataset-picker", project="bob/blank")
    assert r.body["tab"] == "mine" and r.body["total"] == 12
    assert r.body["tab_counts"] == {"project": 0, "mine": 12, "public": 14, "favorites": 0}
    # zhao has nothing of his own: public
    zhao = world["zhao"]
    r = await zhao.get("dataset-picker")
    assert r.body["tab"] == "public" and r.body["total"] == 14
    # only a favourite matches the search: favorites
    await zhao.put("projects/carol/nlp/datasets/corpus/favorite")
    r = await zhao.get("dataset-picker", q="wiki")
    assert r.body["tab_counts"]["favorites"] == 1
    assert r.body["tab"] == "public"  # public comes before favorites
    r = await zhao.get("dataset-picker", tab="favorites")
    assert r.body["tab"] == "favorites" and [x["file_name"] for x in r.body["items"]] == [
        "news.txt", "wiki.txt",
    ]  # fmt: skip
    # an explicit tab is kept even when empty
    r = await carol.get("dataset-picker", project="bob/blank", tab="project")
    assert r.body["tab"] == "project" and r.body["total"] == 0 and r.body["items"] == []
    assert (await alice.get("dataset-picker", tab="bogus")).status == 422


async def test_search_covers_file_dataset_and_description_within_the_tab(api, as_user):
    world = await _world(api, as_user)
    bob = world["bob"]
    by_file = await bob.get("dataset-picker", project="bob/vision", q="img-07")
    assert [x["file_name"] for x in by_file.body["items"]] == ["img-07.png"]
    by_dataset = await bob.get("dataset-picker", project="bob/vision", q="IMGS")
    assert by_dataset.body["total"] == 12
    by_description = await bob.get("dataset-picker", project="bob/vision", q="猫")
    assert by_description.body["total"] == 12
    # "wiki" is in carol's public dataset, not in bob's project: the project tab finds nothing
    within = await bob.get("dataset-picker", project="bob/vision", tab="project", q="wiki")
    assert within.body["total"] == 0 and within.body["tab_counts"]["public"] == 1
    everywhere = await bob.get("dataset-picker", project="bob/vision", q="wiki")
    assert (
        everywhere.body["tab"] == "public"
        and everywhere.body["items"][0]["file_name"] == "wiki.txt"
    )


async def test_mine_public_and_favorites_tabs(api, as_user):
    world = await _world(api, as_user)
    carol = world["carol"]
    mine = await carol.get("dataset-picker", tab="mine")
    # her own private files are hers to pick
    assert {x["file_name"] for x in mine.body["items"]} == {
        "wiki.txt", "news.txt", "diary.txt", "draft.csv",
    }  # fmt: skip
    public = await carol.get("dataset-picker", tab="public")
    assert public.body["total"] == 14
    assert {x["project"] for x in public.body["items"]} <= {"bob/vision", "carol/nlp"}
    await carol.put("projects/bob/vision/datasets/imgs/favorite")
    favs = await carol.get("dataset-picker", tab="favorites")
    assert favs.body["total"] == 12 and favs.body["tab_counts"]["favorites"] == 12


async def test_private_datasets_of_others_never_appear_nor_count(api, as_user):
    world = await _world(api, as_user)
    bob, alice = world["bob"], world["alice"]
    # bob may see carol's private dataset in his org's project (team write), yet the picker
    # never offers files of other people's private datasets, in any tab or count
    assert (await bob.get("projects/lab/shared/datasets/drafts")).status == 200
    for tab in ("project", "mine", "public", "favorites"):
        r = await bob.get("dataset-picker", project="lab/shared", tab=tab)
        names = {x["file_name"] for x in r.body["items"]}
        assert not names & {"draft.csv", "diary.txt", "private-project.txt"}, tab
    r = await bob.get("dataset-picker", project="lab/shared")
    assert r.body["tab_counts"]["project"] == 0
    await bob.put("projects/lab/shared/datasets/drafts/favorite")
    r = await bob.get("dataset-picker", tab="favorites")
    assert r.body["total"] == 0 and r.body["tab_counts"]["favorites"] == 0
    # not even the site admin is offered them
    r = await alice.get("dataset-picker", tab="public", per_page=100)
    # 14 public files plus her own public dataset inside her private project
    assert r.body["total"] == 15
    assert not {x["file_name"] for x in r.body["items"]} & {"draft.csv", "diary.txt"}
    r = await alice.get("dataset-picker", q="diary")
    assert sum(r.body["tab_counts"].values()) == 0
    # a project one cannot see: 404
    assert (await bob.get("dataset-picker", project="alice/hidden")).status == 404
