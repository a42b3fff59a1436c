"""Explore: the projects square, orgs and users with counts, my issues and milestones across
projects, recommendations with the "submit yours" flow, and the fork network with real pushes."""

from __future__ import annotations

import pytest

from gitutil import Git
from taskutil import token


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


def _names(body) -> list[str]:
    return [p["full_name"] for p in body["items"]]


async def test_projects_square_sorts_and_filters(api, as_user):
    bob = await as_user("bob")
    for name, topics in (("old", ["vision"]), ("mid", ["nlp", "vision"]), ("fresh", [])):
        assert (await api.post("projects", {"name": name})).status == 201
        if topics:
            await api.patch(f"projects/alice/{name}", {"topics": topics})
    await bob.put("projects/alice/mid/star")
    await bob.post("projects", {"name": "private-one", "visibility": "private"})
    await api.patch("projects/alice/fresh", {"description": "touched last"})

    assert _names((await bob.get("explore/projects", sort="stars")).body)[0] == "alice/mid"
    carol = await as_user("carol")
    updated = (await carol.get("explore/projects")).body
    assert _names(updated)[0] == "alice/fresh" and updated["total"] == 3
    assert _names((await carol.get("explore/projects", topic="vision", sort="name")).body) == [
        "alice/mid",
        "alice/old",
    ]
    assert _names((await carol.get("explore/projects", topic="vis")).body) == []
    assert _names((await carol.get("explore/projects", q="touched")).body) == ["alice/fresh"]
    bad = await carol.get("explore/projects", sort="hot")
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "sort"
    topics = (await carol.get("explore/topics")).body
    assert topics == [{"topic": "vision", "count": 2}, {"topic": "nlp", "count": 1}]


async def test_orgs_and_users_with_counts(api, as_user):
    bob, carol = await as_user("bob"), await as_user("carol")
    await bob.post("orgs", {"name": "big"})
    await bob.put("orgs/big/members/carol", {"role": "member"})
    await bob.post("orgs/big/teams", {"name": "core"})
    await bob.post("projects", {"owner": "big", "name": "p1"})
    await bob.post("projects", {"owner": "big", "name": "p2", "visibility": "private"})
    await bob.post("orgs", {"name": "small"})
    await bob.post("orgs", {"name": "secret-org", "visibility": "private"})
    dave = await as_user("dave")

    orgs = (await dave.get("explore/orgs")).body["items"]
    assert [o["name"] for o in orgs] == ["big", "small"]
    big = orgs[0]
    assert (big["member_count"], big["team_count"], big["project_count"]) == (2, 1, 1)
    assert (await carol.get("explore/orgs")).body["items"][0]["project_count"] == 2
    # the org's own page and list count alike: the private project only for a member
    assert (await dave.get("orgs/big")).body["project_count"] == 1
    assert (await carol.get("orgs/big")).body["project_count"] == 2
    assert [o["project_count"] for o in (await dave.get("orgs", q="big")).body["items"]] == [1]
    assert [o["name"] for o in (await dave.get("explore/orgs", sort="name")).body["items"]] == [
        "big",
        "small",
    ]
    users = (await dave.get("explore/users", sort="name")).body["items"]
    assert [u["username"] for u in users] == ["alice", "bob", "carol", "dave"]
    assert (await dave.get("explore/users", q="car")).body["items"][0]["username"] == "carol"


async def test_my_issues_pulls_and_milestones_across_projects(api, as_user):
    bob = await as_user("bob")
    await api.post("projects", {"name": "one"})
    await api.post("projects/alice/one/milestones", {"title": "v1"})
    await api.post("projects", {"name": "two"})
    await bob.post("projects/alice/one/issues", {"title": "bob's own"})
    await api.post(
        "projects/alice/two/issues",
        {"title": "assigned to bob", "assignees": ["bob"], "milestone": None},
    )
    await api.post("projects/alice/one/issues", {"title": "discussed", "milestone": "v1"})
    await bob.post("projects/alice/one/issues/2/comments", {"body": "+1"})
    await api.post("projects/alice/two/issues", {"title": "not bob's"})

    mine = (await bob.get("explore/issues")).body
    got = {i["title"]: i["involvement"] for i in mine["items"]}
    assert got == {
        "bob's own": ["created"],
        "assigned to bob": ["assigned"],
        "discussed": ["commented"],
    }
    created = (await bob.get("explore/issues", filter="created")).body["items"]
    assert [i["project"] + "#" + str(i["number"]) for i in created] == ["alice/one#1"]
    await bob.patch("projects/alice/one/issues/1", {"state": "closed"})
    assert (await bob.get("explore/issues", filter="created")).body["total"] == 0
    assert (await bob.get("explore/issues", filter="created", state="closed")).body["total"] == 1
    assert (await bob.get("explore/issues", type="pulls")).body["total"] == 0
    assert (await bob.get("explore/issues", filter="liked")).status == 422

    milestones = (await bob.get("explore/milestones")).body["items"]
    assert [(m["project"], m["title"], m["open_issues"]) for m in milestones] == [
        ("alice/one", "v1", 1)
    ]
    carol = await as_user("carol")
    assert (await carol.get("explore/milestones")).body["total"] == 0


async def test_recommendations_curated_requests_and_index_top_up(api, as_user, platform):
    bob, carol = await as_user("bob"), await as_user("carol")
    await bob.post("orgs", {"name": "showcase"})
    await bob.post("projects", {"owner": "showcase", "name": "yolo"})
    await bob.post("projects", {"owner": "showcase", "name": "draft", "visibility": "private"})
    await carol.post("projects", {"name": "popular"})
    await bob.put("projects/carol/popular/star")
    await platform.openi_index.recompute()

    rec = (await carol.get("recommendations")).body
    assert [p["full_name"] for p in rec["projects"]][:1] == ["carol/popular"]
    assert "showcase/draft" not in [p["full_name"] for p in rec["projects"]]
    assert not any(p["curated"] for p in rec["projects"])

    # "submit yours": only owners may ask; admins decide
    assert (
        await carol.post("recommendation-requests", {"kind": "org", "target": "showcase"})
    ).status == 403
    req = await bob.post(
        "recommendation-requests", {"kind": "org", "target": "showcase", "reason": "we ship models"}
    )
    assert req.status == 201 and req.body["status"] == "pending", req.body
    again = await bob.post("recommendation-requests", {"kind": "org", "target": "showcase"})
    assert again.status == 409
    private = await bob.post(
        "recommendation-requests", {"kind": "project", "target": "showcase/draft"}
    )
    assert private.status == 422 and private.body["errors"][0]["field"] == "target"
    assert (await carol.get("recommendation-requests")).body["total"] == 0
    assert (await api.get("recommendation-requests")).body["total"] == 1
    rid = req.body["id"]
    assert (await bob.post(f"recommendation-requests/{rid}/approve", {})).status == 403
    ok = await api.post(f"recommendation-requests/{rid}/approve", {"note": "welcome"})
    assert ok.status == 200 and ok.body["status"] == "approved" and ok.body["decided_by"] == "alice"
    assert (await api.post(f"recommendation-requests/{rid}/reject", {})).status == 409

    rec = (await carol.get("recommendations")).body
    assert rec["orgs"][0]["name"] == "showcase" and rec["orgs"][0]["curated"]
    assert rec["orgs"][0]["project_count"] == 1

    # admins curate projects directly, first in the list
    assert (
        await bob.post("recommendations/curated", {"kind": "project", "target": "showcase/yolo"})
    ).status == 403
    added = await api.post(
        "recommendations/curated", {"kind": "project", "target": "showcase/yolo"}
    )
    assert added.status == 201
    dup = await api.post("recommendations/curated", {"kind": "project", "target": "showcase/yolo"})
    assert dup.status == 409
    unknown = await api.post("recommendations/curated", {"kind": "project", "target": "no/such"})
    assert unknown.status == 422 and unknown.body["errors"][0]["field"] == "target"
    rec = (await carol.get("recommendations", limit=2)).body
    assert [(p["full_name"], p["curated"]) for p in rec["projects"]] == [
        ("showcase/yolo", True),
        ("carol/popular", False),
    ]
    curated = (await api.get("recommendations/curated")).body
    assert {c["target"] for c in curated} == {"showcase", "showcase/yolo"}
    for c in curated:
        assert (await api.delete(f"recommendations/curated/{c['id']}")).status == 204
    assert not any(p["curated"] for p in (await carol.get("recommendations")).body["projects"])


async def test_fork_network_counts_commits_ahead_and_behind(api, as_user, platform, git, tmp_path):
    bob = await as_user("bob")
    assert (await api.post("projects", {"name": "algo", "auto_init": True})).status == 201
    fork = await bob.post("projects/alice/algo/forks", {})
    assert fork.status == 201, fork.body
    await as_user("carol")
    carol = await as_user("carol")
    assert (await carol.post("projects/alice/algo/forks", {"visibility": "private"})).status == 201

    # bob improves his fork twice; alice moves on once
    bob_token = await token(platform, "bob")
    clone = tmp_path / "bob-algo"
    await git.ok("clone", "-q", git.url("bob/algo", bob_token), str(clone))
    await git.commit(clone, {"better.py": "x = 1\n"}, "Better")
    await git.commit(clone, {"best.py": "x = 2\n"}, "Best")
    await git.ok("push", "-q", "origin", "main", cwd=clone)
    alice_token = await token(platform, "alice")
    upstream = tmp_path / "alice-algo"
    await git.ok("clone", "-q", git.url("alice/algo", alice_token), str(upstream))
    await git.commit(upstream, {"news.md": "hi\n"}, "News")
    await git.ok("push", "-q", "origin", "main", cwd=upstream)

    net = (await bob.get("projects/alice/algo/fork-network")).body
    assert net["project"] == "alice/algo" and net["default_branch"] == "main"
    assert net["total"] == 1  # carol's private fork is not bob's to see
    info = net["items"][0]
    assert info["project"]["full_name"] == "bob/algo"
    assert (info["ahead_by"], info["behind_by"]) == (2, 1)
    assert len(info["last_commit"]) == 40
    mine = (await carol.get("projects/alice/algo/fork-network")).body
    ahead = {i["project"]["full_name"]: (i["ahead_by"], i["behind_by"]) for i in mine["items"]}
    assert ahead == {"bob/algo": (2, 1), "carol/algo": (0, 1)}
    assert (await carol.get("projects/bob/algo/fork-network")).body["parent"] == "alice/algo"
