"""Every collaboration action leaves one activity row (the feed is built on them)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from gitutil import Git
from openi_lab_server.db.repo_models import Activity


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


async def _events(platform) -> list[tuple[str, dict]]:
    async with platform.sessions() as session:
        rows = (await session.scalars(select(Activity).order_by(Activity.id))).all()
    return [(r.kind, json.loads(r.payload)) for r in rows]


async def test_actions_are_recorded_in_order(api, platform, git, tmp_path, as_user):
    from openi_lab import schemas as s

    await api.post("projects", {"name": "feed", "auto_init": True})
    await api.post("projects/alice/feed/issues", {"title": "Bug"})
    await api.post("projects/alice/feed/issues/1/comments", {"body": "me too"})
    await api.patch("projects/alice/feed/issues/1", {"state": "closed"})
    await api.patch("projects/alice/feed/issues/1", {"state": "open"})
    me = await platform.accounts.ensure_user("alice")
    token = (await platform.tokens.create(me, s.TokenCreate(name="g", scopes=["write"]))).token
    clone = tmp_path / "feed"
    await git.ok("clone", "-q", git.url("alice/feed", token), str(clone))
    await git.ok("checkout", "-q", "-b", "fix", cwd=clone)
    await git.commit(clone, {"fix.py": "x = 1\n"}, "Fix")
    await git.ok("push", "-q", "origin", "fix", cwd=clone)
    await api.post("projects/alice/feed/pulls", {"title": "Fix it", "head": "fix", "base": "main"})
    assert (await api.post("projects/alice/feed/pulls/2/merge", {"method": "merge"})).status == 200
    await api.post("projects/alice/feed/releases", {"tag": "v1"})
    bob = await as_user("bob")
    await bob.put("projects/alice/feed/star")
    await bob.post("projects/alice/feed/forks", {})

    kinds = [k for k, _ in await _events(platform)]
    assert kinds == [
        "issue_opened", "issue_commented", "issue_closed", "issue_reopened", "push",
        "pull_opened", "pull_merged", "release", "star", "fork",
    ]  # fmt: skip
    events = dict(await _events(platform))
    assert events["issue_opened"] == {"number": 1, "title": "Bug"}
    assert events["pull_merged"]["number"] == 2 and events["pull_merged"]["base"] == "main"
    assert events["push"]["ref"] == "refs/heads/fix" and events["push"]["commits"] == 1
