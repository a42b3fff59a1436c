"""The activity feeds: one sentence (English and Chinese) per action, in the right feeds, and
never an event of a private project to someone who may not read it."""

from __future__ import annotations

import pytest

from gitutil import Git
from s3server import upload
from taskutil import project_with_code, task_config, token, wait_status


@pytest.fixture
def jp_server_config(jp_server_config):
    return task_config(jp_server_config)


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


async def _feed(client, path: str = "feed", **params) -> list[dict]:
    r = await client.get(path, per_page=100, **params)
    assert r.status == 200, r.body
    return r.body["items"]


async def test_every_action_has_its_sentence(api, as_user, platform, git, tmp_path):
    await project_with_code(api, platform, git, tmp_path, name="feed")  # push
    await api.post("projects/alice/feed/issues", {"title": "Bug"})
    await api.post("projects/alice/feed/issues/1/comments", {"body": "me too"})
    await api.patch("projects/alice/feed/issues/1", {"state": "closed"})
    await api.patch("projects/alice/feed/issues/1", {"state": "open"})
    secret = await token(platform, "alice")
    repo = tmp_path / "clone-feed"
    await git.ok("checkout", "-q", "-b", "fix", cwd=repo)
    await git.commit(repo, {"fix.py": "x = 1\n"}, "Fix")
    await git.ok("push", "-q", git.url("alice/feed", secret), "fix", cwd=repo)
    pr = await api.post(
        "projects/alice/feed/pulls", {"title": "Fix it", "head": "fix", "base": "main"}
    )
    assert pr.status == 201, pr.body
    merged = await api.post("projects/alice/feed/pulls/2/merge", {})
    assert merged.status == 200, merged.body
    await api.post("projects/alice/feed/releases", {"tag": "v1.0", "title": "First"})
    bob = await as_user("bob")
    assert (await bob.put("projects/alice/feed/star")).status == 200
    assert (await bob.post("projects/alice/feed/forks", {})).status == 201
    await api.post("projects/alice/feed/datasets", {"name": "mnist"})
    await upload(api, "alice/feed", "mnist", "mnist.zip", b"PK digits")
    created = await api.post(
        "projects/alice/feed/tasks",
        {"name": "npu-debug", "spec": "npu-910", "boot_file": "train.py", "kind": "debug"},
    )
    assert created.status == 201, created.body
    t = await api.post(
        "projects/alice/feed/tasks",
        {"name": "quick", "spec": "cpu-small", "boot_file": "fail.py", "kind": "train"},
    )
    await wait_status(api, f"projects/alice/feed/tasks/{t.body['id']}", {"FAILED", "SUCCEEDED"})

    events = await _feed(api, "projects/alice/feed/feed")
    en = [e["text_en"] for e in reversed(events)]
    zh = {e["kind"]: e["text_zh"] for e in events}
    expected = [
        "alice pushed 1 commit to branch main of alice/feed",
        "alice opened issue alice/feed#1: Bug",
        "alice commented on issue alice/feed#1: Bug",
        "alice closed issue alice/feed#1: Bug",
        "alice reopened issue alice/feed#1: Bug",
        "alice opened pull request alice/feed#2: Fix it",
        "alice merged pull request alice/feed#2",
        "alice published release v1.0 of alice/feed",
        "bob starred alice/feed",
        "bob forked alice/feed to bob/feed",
        "alice uploaded file mnist.zip to dataset alice/feed/mnist",
        "alice created an NPU debug task npu-debug in alice/feed",
        "alice created a CPU training task quick in alice/feed",
    ]
    for sentence in expected:
        assert sentence in en, (sentence, en)
    assert en.index(expected[1]) < en.index(expected[3]) < en.index(expected[4])
    assert any(s.startswith("CPU training task quick of alice/feed finished: ") for s in en), en
    assert zh["task_created"] in (
        "alice 创建了 CPU 训练任务 quick（alice/feed）",
        "alice 创建了 NPU 调试任务 npu-debug（alice/feed）",
    )
    assert zh["star"] == "bob 点赞了 alice/feed"
    assert zh["dataset_uploaded"] == "alice 上传了文件 mnist.zip 到数据集 alice/feed/mnist"
    issue = next(e for e in events if e["kind"] == "issue_closed")
    links = {(link["kind"], link["ref"]) for link in issue["links"]}
    assert links == {("user", "alice"), ("project", "alice/feed"), ("issue", "alice/feed#1")}
    for link in issue["links"]:
        assert link["text"] in issue["text_en"] and link["text"] in issue["text_zh"]
    assert (
        issue["actor"] == {"username": "alice", "full_name": ""}
        or issue["actor"]["username"] == "alice"
    )
    # newest first; kind filter; paging
    assert events[0]["created_at"] >= events[-1]["created_at"]
    only = await _feed(api, "projects/alice/feed/feed", kind="star,fork")
    assert sorted(e["kind"] for e in only) == ["fork", "star"]
    bad = await api.get("projects/alice/feed/feed", kind="nope")
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "kind"
    page = await api.get("projects/alice/feed/feed", per_page=2, page=2)
    assert len(page.body["items"]) == 2 and page.body["total"] == len(events)
    # the dashboard counts the tasks by compute resource and the CPU hours of today
    totals = (await api.get("dashboard/totals", days=1)).body
    assert totals["tasks_by_compute"] == {"CPU": 1, "NPU": 1}
    assert totals["compute_hours_per_day"][-1]["hours"]["CPU"] > 0
    # bob's feed: his own actions
    assert {e["kind"] for e in await _feed(api, "users/bob/feed")} == {"star", "fork"}


async def test_private_events_reach_only_those_who_may_read(api, as_user):
    bob = await as_user("bob")
    carol = await as_user("carol")
    dave = await as_user("dave")
    assert (await bob.post("orgs", {"name": "lab", "visibility": "public"})).status == 201
    await bob.put("orgs/lab/members/dave", {"role": "member"})
    await bob.post("projects", {"name": "hidden", "visibility": "private"})
    await bob.post("projects/bob/hidden/issues", {"title": "private bug"})
    await bob.post("projects", {"owner": "lab", "name": "inner", "visibility": "private"})
    await bob.post("projects/lab/inner/issues", {"title": "inner bug"})
    await bob.post("projects", {"name": "open"})
    await bob.post("projects/bob/open/issues", {"title": "public bug"})
    assert (await carol.put("projects/bob/open/watch")).status == 200

    def titles(events):
        return sorted(e["args"].get("title") for e in events)

    for feed in ("feed", "users/bob/feed", "feed/mine"):
        assert titles(await _feed(carol, feed)) == ["public bug"], feed
    assert titles(await _feed(carol, "orgs/lab/feed")) == []
    assert (await carol.get("projects/bob/hidden/feed")).status == 404
    # the org member sees the org's private project, not bob's personal one
    assert titles(await _feed(dave, "orgs/lab/feed")) == ["inner bug"]
    assert titles(await _feed(dave, "users/bob/feed")) == ["inner bug", "public bug"]
    # bob's "mine" feed: his own actions everywhere
    assert titles(await _feed(bob, "feed/mine")) == ["inner bug", "private bug", "public bug"]
    # the home feed is public events only, even for their author
    assert titles(await _feed(bob, "feed")) == ["public bug"]
    assert (await carol.get("users/nobody/feed")).status == 404
    assert (await carol.get("orgs/nope/feed")).status == 404


async def test_mine_merges_watched_and_own_and_older_pages_read_on_with_before(
    api, as_user, platform
):
    """ "Mine" is my events plus those of watched projects, each once, newest first; a feed
    counts at most MAX_TOTAL events and ``before`` reads on past them."""
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    from openi_lab_server.db.models import Account, Project
    from openi_lab_server.db.repo_models import Activity
    from openi_lab_server.services.feed import MAX_TOTAL

    bob = await as_user("bob")
    await bob.post("projects", {"name": "watched"})
    await api.post("projects", {"name": "mine"})
    assert (await api.put("projects/bob/watched/watch")).status == 200
    await bob.post("projects/bob/watched/issues", {"title": "by bob, watched"})
    await api.post("projects/bob/watched/issues", {"title": "by me, watched"})
    await api.post("projects/alice/mine/issues", {"title": "by me, mine"})
    events = await _feed(api, "feed/mine", kind="issue_opened")
    titles = [e["args"]["title"] for e in events]
    assert titles == ["by me, mine", "by me, watched", "by bob, watched"]

    now = datetime.now(UTC)
    async with platform.sessions() as session:
        alice = await session.scalar(select(Account.id).where(Account.name == "alice"))
        pid = await session.scalar(select(Project.id).where(Project.name == "mine"))
        await session.execute(
            insert(Activity),
            [
                {"actor_id": alice, "project_id": pid, "kind": "star", "payload": "{}",
                 "created_at": now}
                for _ in range(MAX_TOTAL + 5)
            ],
        )  # fmt: skip
        await session.commit()
    for path in ("feed/mine", "projects/alice/mine/feed", "users/alice/feed", "feed"):
        page = await api.get(path, per_page=50, page=20)
        assert page.status == 200, page.body
        assert page.body["total"] == MAX_TOTAL and len(page.body["items"]) == 50, path
        last = page.body["items"][-1]["id"]
        older = await api.get(path, per_page=50, before=last)
        ids = [e["id"] for e in older.body["items"]]
        assert ids and all(i < last for i in ids) and ids == sorted(ids, reverse=True), path
    bad = await api.get("feed", before="-3")
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "before"
